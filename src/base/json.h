/*
 * JSON output for the tools' --json modes: one writer, so that every
 * subcommand escapes text the same way and emits valid UTF-8.
 *
 * Text is bytes (module names, strings and paths come from images and
 * file systems, not from a known encoding). The one rule: valid UTF-8
 * passes through unescaped; '"', '\\' and the control characters
 * U+0000..U+001F and U+007F are escaped (\" \\ \b \f \n \r \t, else
 * \u00XX); and each byte that is not part of a valid UTF-8 sequence is
 * written as \udcXX, XX its value (a lone low surrogate, U+DC80..U+DCFF,
 * as Python's "surrogateescape" decodes such bytes), so the original
 * bytes can be recovered: s.encode("utf-8", "surrogateescape").
 * Valid UTF-8 here is RFC 3629's: no overlong forms, no surrogates,
 * nothing above U+10FFFF. (The escaping is escape.h's LFSC_ESCAPE_JSON.)
 *
 * Output goes to a sink (errors are the sink's, sticky). Containers are
 * "multiline" (a member per line, indented by two spaces a level) or
 * inline ("a, b"); the writer places commas and line breaks.
 */
#ifndef LFSC_JSON_H
#define LFSC_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "sink.h"

#define JSON_MAX_DEPTH 32

typedef struct json_writer {
  lfsc_sink *out;
  int depth;
  int after_key;                /* a key was written: the value needs no separator */
  struct {
    char close;                 /* '}' or ']' */
    char multiline;
    int count;                  /* members so far */
  } level[JSON_MAX_DEPTH];
} json_writer;

void lfsc_json_init(json_writer *w, lfsc_sink *out);
/* Containers; deeper than JSON_MAX_DEPTH is a programming error (ignored). */
void lfsc_json_object(json_writer *w, int multiline);
void lfsc_json_array(json_writer *w, int multiline);
void lfsc_json_close(json_writer *w);
/* The key of the next object member (a C string, escaped like text). */
void lfsc_json_key(json_writer *w, const char *key);
/* Values */
void lfsc_json_text(json_writer *w, const void *bytes, size_t len);   /* the rule above */
void lfsc_json_cstr(json_writer *w, const char *s);                  /* NULL gives null */
void lfsc_json_int(json_writer *w, int64_t v);
void lfsc_json_uint(json_writer *w, uint64_t v);
/* Numbers: lfsc_json_double exactly (%.17g), lfsc_json_fixed with `decimals`
 * digits after the point; NaN and infinities, which JSON lacks, give null. */
void lfsc_json_double(json_writer *w, double v);
void lfsc_json_fixed(json_writer *w, double v, int decimals);
void lfsc_json_bool(json_writer *w, int v);
void lfsc_json_null(json_writer *w);
/* End the document (a line break after the top-level value). */
void lfsc_json_end(json_writer *w);

#endif
