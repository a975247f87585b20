/* SPLIT markers: where they are, and the padded text of each piece. */
#include <stdlib.h>
#include <string.h>

#include "split.h"

#define MARK "--[[SPLIT"
#define MARKLEN (sizeof MARK - 1)

static int blank(unsigned char c)
{
  return c == ' ' || c == '\t';
}

/* Length of the line break at src[i] (0 if none), counted as Lua's lexer
 * counts lines: "\n", "\r", "\n\r" and "\r\n" are one line each. */
static size_t line_break(const unsigned char *src, size_t len, size_t i)
{
  if (src[i] != '\n' && src[i] != '\r')
    return 0;
  if (i + 1 < len && (src[i + 1] == '\n' || src[i + 1] == '\r') && src[i + 1] != src[i])
    return 2;
  return 1;
}

int lfsc_split_source(lfsc_ctx *ctx, const char *file, const unsigned char *src, size_t len,
                 split_piece **out, size_t *n)
{
  size_t cap = 4, count = 1;
  split_piece *p = malloc(cap * sizeof *p);
  if (!p)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  p[0] = (split_piece){.start = 0, .end = len, .line = 1};
  unsigned long line = 1;
  size_t i = 0;
  while (i < len) {
    /* i is the start of a line */
    size_t j = i;
    while (j < len && blank(src[j]))
      j++;
    if (len - j > MARKLEN && memcmp(src + j, MARK, MARKLEN) == 0 && blank(src[j + MARKLEN])) {
      size_t k = j + MARKLEN;
      while (k < len && blank(src[k]))
        k++;
      size_t name = k;
      while (k < len && !blank(src[k]) && src[k] != ']' && !line_break(src, len, k))
        k++;
      size_t namelen = k - name;
      while (k < len && blank(src[k]))
        k++;
      if (namelen == 0 || len - k < 2 || src[k] != ']' || src[k + 1] != ']') {
        free(p);
        return lfsc_seterr(ctx, LFSC_ESYNTAX,
                           "%s:%lu: bad SPLIT marker (expected '--[[SPLIT name]]')", file, line);
      }
      if (count == cap) {
        split_piece *np = realloc(p, 2 * cap * sizeof *p);
        if (!np) {
          free(p);
          return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
        }
        p = np;
        cap *= 2;
      }
      p[count - 1].end = j;
      p[count++] = (split_piece){.name = (const char *)src + name, .namelen = namelen,
                                 .start = k + 2, .end = len, .line = line};
      i = k + 2;
    }
    /* on to the next line */
    while (i < len && !line_break(src, len, i))
      i++;
    if (i < len) {
      i += line_break(src, len, i);
      line++;
    }
  }
  *out = p;
  *n = count;
  return LFSC_OK;
}

unsigned char *lfsc_split_text(const unsigned char *src, const split_piece *p, size_t *len)
{
  size_t pad = (size_t)p->line - 1, text = p->end - p->start;
  unsigned char *b = malloc(pad + text + 1);
  if (!b)
    return NULL;
  memset(b, '\n', pad);
  memcpy(b + pad, src + p->start, text);
  *len = pad + text;
  return b;
}
