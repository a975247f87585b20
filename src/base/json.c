/* JSON writer: structure; text is escaped by escape.c (json.h states the rule). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "json.h"

void lfsc_json_init(json_writer *w, lfsc_sink *out)
{
  memset(w, 0, sizeof *w);
  w->out = out;
}

static void put(json_writer *w, const char *s)
{
  lfsc_sink_write(w->out, s, strlen(s));
}

static void indent(json_writer *w, int depth)
{
  static const char spaces[] = "                                ";
  lfsc_sink_write(w->out, "\n", 1);
  for (int i = 0; i < depth; i++)
    lfsc_sink_write(w->out, spaces, 2);
}

/* What goes before a value or key: nothing after a key, else the
 * separator of the enclosing container. */
static void before(json_writer *w)
{
  if (w->after_key) {
    w->after_key = 0;
    return;
  }
  if (w->depth == 0)
    return;
  int count = w->level[w->depth - 1].count++;
  if (count)
    lfsc_sink_write(w->out, ",", 1);
  if (w->level[w->depth - 1].multiline)
    indent(w, w->depth);
  else if (count)
    lfsc_sink_write(w->out, " ", 1);
}

static void open_container(json_writer *w, char open, char close, int multiline)
{
  before(w);
  lfsc_sink_write(w->out, &open, 1);
  if (w->depth == JSON_MAX_DEPTH)
    return;
  w->level[w->depth].close = close;
  w->level[w->depth].multiline = (char)(multiline != 0);
  w->level[w->depth].count = 0;
  w->depth++;
}

void lfsc_json_object(json_writer *w, int multiline)
{
  open_container(w, '{', '}', multiline);
}

void lfsc_json_array(json_writer *w, int multiline)
{
  open_container(w, '[', ']', multiline);
}

void lfsc_json_close(json_writer *w)
{
  if (w->depth == 0)
    return;
  w->depth--;
  if (w->level[w->depth].multiline && w->level[w->depth].count)
    indent(w, w->depth);
  lfsc_sink_write(w->out, &w->level[w->depth].close, 1);
}

static void put_text(json_writer *w, const unsigned char *s, size_t len)
{
  lfsc_sink_write(w->out, "\"", 1);
  lfsc_escape(w->out, s, len, LFSC_ESCAPE_JSON);
  lfsc_sink_write(w->out, "\"", 1);
}

void lfsc_json_key(json_writer *w, const char *key)
{
  before(w);
  put_text(w, (const unsigned char *)key, strlen(key));
  lfsc_sink_write(w->out, ": ", 2);
  w->after_key = 1;
}

void lfsc_json_text(json_writer *w, const void *bytes, size_t len)
{
  before(w);
  put_text(w, bytes, len);
}

void lfsc_json_cstr(json_writer *w, const char *s)
{
  if (!s) {
    lfsc_json_null(w);
    return;
  }
  lfsc_json_text(w, s, strlen(s));
}

void lfsc_json_int(json_writer *w, int64_t v)
{
  char b[24];
  before(w);
  snprintf(b, sizeof b, "%lld", (long long)v);
  put(w, b);
}

void lfsc_json_uint(json_writer *w, uint64_t v)
{
  char b[24];
  before(w);
  snprintf(b, sizeof b, "%llu", (unsigned long long)v);
  put(w, b);
}

/* decimals < 0: %.17g, which reads back as the same double */
static void number(json_writer *w, double v, int decimals)
{
  char b[400];                  /* %f of 1e308 has 309 digits */
  if (!isfinite(v)) {
    lfsc_json_null(w);
    return;
  }
  before(w);
  if (decimals < 0)
    snprintf(b, sizeof b, "%.17g", v);
  else
    snprintf(b, sizeof b, "%.*f", decimals > 20 ? 20 : decimals, v);
  put(w, b);
}

void lfsc_json_double(json_writer *w, double v)
{
  number(w, v, -1);
}

void lfsc_json_fixed(json_writer *w, double v, int decimals)
{
  number(w, v, decimals < 0 ? 0 : decimals);
}

void lfsc_json_bool(json_writer *w, int v)
{
  before(w);
  put(w, v ? "true" : "false");
}

void lfsc_json_null(json_writer *w)
{
  before(w);
  put(w, "null");
}

void lfsc_json_end(json_writer *w)
{
  lfsc_sink_write(w->out, "\n", 1);
}
