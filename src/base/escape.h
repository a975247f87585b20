/*
 * The one string escaper: bytes to the body of a double-quoted string
 * (the quotes are the caller's), in one of three styles. The styles
 * differ in three things only: which bytes pass through, which control
 * characters have a letter escape, and how the other bytes are written.
 *
 *   LFSC_ESCAPE_LUAC  as luac5.1 -l shows string constants: printable
 *                     ASCII (0x20..0x7E) passes; \" \\ \a \b \f \n \r \t
 *                     \v; any other byte is \ddd (decimal, three digits).
 *   LFSC_ESCAPE_TEXT  lfsimg's text output (names, strings, diff
 *                     constants): as LFSC_ESCAPE_LUAC but with only
 *                     \n \r \t as letters (\a is \007 and so on).
 *   LFSC_ESCAPE_JSON  json.h's rule: valid UTF-8 passes; \" \\ \b \f \n
 *                     \r \t; other bytes below 0x80 (the controls and
 *                     0x7F) are \u00XX, bytes not part of a valid UTF-8
 *                     sequence \udcXX (a lone low surrogate, as Python's
 *                     "surrogateescape" reads them back).
 *
 * Output goes to a sink; its errors are the sink's (sticky).
 */
#ifndef LFSC_ESCAPE_H
#define LFSC_ESCAPE_H

#include <stddef.h>

#include "sink.h"

typedef enum lfsc_escape_style {
  LFSC_ESCAPE_LUAC,
  LFSC_ESCAPE_TEXT,
  LFSC_ESCAPE_JSON
} lfsc_escape_style;

void lfsc_escape(lfsc_sink *out, const void *bytes, size_t len, lfsc_escape_style style);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when s[0] does not
 * begin one within len bytes. Valid is RFC 3629's: no overlong forms, no
 * surrogates, nothing above U+10FFFF. */
int lfsc_escape_utf8_len(const unsigned char *s, size_t len);

#endif
