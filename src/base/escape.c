/* The string escaper of escape.h: one loop, three styles. */
#include <stdio.h>
#include <string.h>

#include "escape.h"

/* What sets the styles apart (escape.h lists them). */
typedef struct style {
  const char *letters;          /* the control characters written as \<letter> */
  int utf8;                     /* valid UTF-8 passes (else printable ASCII only) */
} style;

static const style styles[] = {
  [LFSC_ESCAPE_LUAC] = {"abfnrtv", 0},
  [LFSC_ESCAPE_TEXT] = {"nrt", 0},
  [LFSC_ESCAPE_JSON] = {"bfnrt", 1},
};

int lfsc_escape_utf8_len(const unsigned char *s, size_t len)
{
  unsigned c = s[0];
  int n;
  unsigned lo = 0x80, hi = 0xBF;   /* range of the second byte */
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0)
      lo = 0xA0;                /* no overlong forms */
    else if (c == 0xED)
      hi = 0x9F;                /* no surrogates */
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0)
      lo = 0x90;
    else if (c == 0xF4)
      hi = 0x8F;                /* nothing above U+10FFFF */
  } else {
    return 0;
  }
  if ((size_t)n > len || s[1] < lo || s[1] > hi)
    return 0;
  for (int i = 2; i < n; i++)
    if (s[i] < 0x80 || s[i] > 0xBF)
      return 0;
  return n;
}

/* The letter of control character c in C's escapes, or 0. */
static char letter_of(unsigned c, const char *letters)
{
  static const char c_letters[] = "abtnvfr";   /* \a is 7, then 8..13 in order */
  if (c < 7 || c > 13)
    return 0;
  char l = c_letters[c - 7];
  return strchr(letters, l) ? l : 0;
}

/* How many bytes at s pass through unchanged (0: s[0] must be escaped). */
static int plain_len(const style *st, const unsigned char *s, size_t len)
{
  unsigned c = s[0];
  if (c < 0x20 || c == '"' || c == '\\' || c == 0x7F)
    return 0;
  if (st->utf8)
    return lfsc_escape_utf8_len(s, len);
  return c < 0x7F;
}

void lfsc_escape(lfsc_sink *out, const void *bytes, size_t len, lfsc_escape_style which)
{
  const style *st = &styles[which];
  const unsigned char *s = bytes;
  size_t run = 0;               /* start of the bytes copied as they are */
  size_t i = 0;
  while (i < len) {
    int n = plain_len(st, s + i, len - i);
    if (n) {
      i += (size_t)n;
      continue;
    }
    lfsc_sink_write(out, s + run, i - run);
    unsigned c = s[i];
    char esc[8] = {'\\', (char)c};
    char l = letter_of(c, st->letters);
    if (c == '"' || c == '\\')
      ;
    else if (l)
      esc[1] = l;
    else if (!st->utf8)
      snprintf(esc, sizeof esc, "\\%03u", c);
    else
      snprintf(esc, sizeof esc, c < 0x80 ? "\\u%04x" : "\\udc%02x", c);
    lfsc_sink_write(out, esc, strlen(esc));
    run = ++i;
  }
  lfsc_sink_write(out, s + run, i - run);
}
