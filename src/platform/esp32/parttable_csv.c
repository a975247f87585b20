/*
 * The CSV form of the ESP-IDF partition table, as gen_esp32part.py reads
 * and writes it: one partition a line, "Name, Type, SubType, Offset,
 * Size, Flags", '#' comments, fields stripped, names or numbers (int(x, 0)
 * with K/M suffixes), an empty offset placed after the previous partition
 * on its type's alignment (the first after the table's sector), an empty
 * data subtype "undefined", a negative size the end address, flags
 * "encrypted" and "readonly" joined by ':'.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "platform/esp32/parttable.h"

#define NUM_MAX ((int64_t)1 << 40)      /* far beyond any field; stops overflow */

static int digit(int c, int base)
{
  int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 :
          c >= 'A' && c <= 'Z' ? c - 'A' + 10 : 99;
  return d < base ? d : -1;
}

/* Python's int(s, 0): sign, 0x/0o/0b or decimal (no leading zeros but for
 * zero itself), '_' between digits */
static int parse_int0(const char *s, size_t n, int64_t *v)
{
  size_t i = 0;
  int neg = 0, base = 10;
  if (i < n && (s[i] == '+' || s[i] == '-'))
    neg = s[i++] == '-';
  if (i + 1 < n && s[i] == '0' && strchr("xXoObB", s[i + 1])) {
    base = s[i + 1] == 'x' || s[i + 1] == 'X' ? 16 : s[i + 1] == 'o' || s[i + 1] == 'O' ? 8 : 2;
    i += 2;
    if (i < n && s[i] == '_')         /* 0x_1F is valid */
      i++;
  }
  if (i >= n)
    return -1;
  size_t start = i;
  int64_t x = 0, nz = 0;
  for (; i < n; i++) {
    if (s[i] == '_') {
      if (i + 1 >= n || s[i + 1] == '_' || i == start)
        return -1;
      continue;
    }
    int d = digit((unsigned char)s[i], base);
    if (d < 0)
      return -1;
    x = x * base + d;
    nz |= d;
    if (x > NUM_MAX)
      return -1;
  }
  if (base == 10 && s[start] == '0' && nz)
    return -1;
  *v = neg ? -x : x;
  return 0;
}

int lfsc_esp32pt_parse_num(const char *s, int64_t *v)
{
  size_t n = strlen(s);
  int64_t mul = 1;
  /* "4K", "1M", even "1KK" as parse_int's recursion takes it */
  while (n > 0 && strchr("kKmM", s[n - 1])) {
    mul *= s[n - 1] == 'k' || s[n - 1] == 'K' ? 1024 : 1024 * 1024;
    if (mul > NUM_MAX)
      return -1;
    n--;
  }
  int64_t x;
  if (parse_int0(s, n, &x) || x > NUM_MAX / mul || x < -NUM_MAX / mul)
    return -1;
  *v = x * mul;
  return 0;
}

/* ==== reading ========================================================== */

/* The tool reads the file as UTF-8 text and uses Python's str methods:
 * splitlines() breaks lines at more than \n and \r, strip() drops every
 * Unicode space. Both are followed here, so that a line or field means
 * what it means to the tool. */

/* Bytes of the line break at s (0: none): \n, \r, \r\n, \v, \f,
 * \x1c-\x1e, U+0085, U+2028, U+2029. */
static size_t break_len(const unsigned char *s, size_t n)
{
  if (s[0] == '\r')
    return n > 1 && s[1] == '\n' ? 2 : 1;
  if (s[0] == '\n' || s[0] == '\v' || s[0] == '\f' || (s[0] >= 0x1c && s[0] <= 0x1e))
    return 1;
  if (n >= 2 && s[0] == 0xC2 && s[1] == 0x85)
    return 2;
  if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9))
    return 3;
  return 0;
}

/* Bytes of the white space character at s (0: none), as str.isspace */
static size_t space_len(const unsigned char *s, size_t n)
{
  if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r') || (s[0] >= 0x1c && s[0] <= 0x1f))
    return 1;
  if (n >= 2 && s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0))
    return 2;
  if (n >= 3 && ((s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80) ||
                 (s[0] == 0xE2 && s[1] == 0x80 && (s[2] <= 0x8A || s[2] == 0xA8 || s[2] == 0xA9 ||
                                                   s[2] == 0xAF)) ||
                 (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F) ||
                 (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)))
    return 3;
  return 0;
}

/* Strip s in place (NUL-terminated); the start of what is left. */
static char *strip(char *s)
{
  size_t n = strlen(s), k;
  while (n && (k = space_len((unsigned char *)s, n))) {
    s += k;
    n -= k;
  }
  for (;;) {                            /* from the end: 1-, 2- or 3-byte spaces */
    if (n >= 1 && space_len((unsigned char *)s + n - 1, 1) == 1)
      n -= 1;
    else if (n >= 2 && space_len((unsigned char *)s + n - 2, 2) == 2)
      n -= 2;
    else if (n >= 3 && space_len((unsigned char *)s + n - 3, 3) == 3)
      n -= 3;
    else
      break;
  }
  s[n] = 0;
  return s;
}


typedef struct csvline {
  const char *name;             /* file name */
  unsigned line;
  lfsc_ctx *ctx;
} csvline;

#define ERR(L, ...) csv_err((L), __VA_ARGS__)

static int csv_err(const csvline *l, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

static int csv_err(const csvline *l, const char *fmt, ...)
{
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return lfsc_seterr(l->ctx, LFSC_EFORMAT, "%s:%u: %s", l->name, l->line, msg);
}

static int lower_eq(const char *a, const char *b)
{
  for (; *a && *b; a++, b++)
    if (tolower((unsigned char)*a) != *b)
      return 0;
  return *a == *b;
}

/* A type or subtype: a number, else a name of the type's (Python lowers
 * the value before the lookup). */
static int parse_byte(const csvline *l, const char *what, const char *v, int type, int *out)
{
  int64_t x;
  int known = 0;
  if (lfsc_esp32pt_parse_num(v, &x) == 0) {
    if (x < 0 || x > 255)
      return ERR(l, "%s %s is not 0..255", what, v);
    *out = (int)x;
    return 0;
  }
  for (unsigned k = 0; k < 256; k++) {
    const char *n = type < 0 ? lfsc_esp32pt_type_name(k) : lfsc_esp32pt_subtype_name(type, k);
    if (!n)
      continue;
    known = 1;
    if (lower_eq(v, n)) {
      *out = (int)k;
      return 0;
    }
  }
  if (!known)
    return ERR(l, "%s '%s' is not a number (type 0x%02x has no %s names)", what, v, type, what);
  char list[600] = "";
  for (unsigned k = 0; k < 256; k++) {
    const char *n = type < 0 ? lfsc_esp32pt_type_name(k) : lfsc_esp32pt_subtype_name(type, k);
    if (n && strlen(list) + strlen(n) + 3 < sizeof list)
      strcat(strcat(list, *list ? ", " : ""), n);
  }
  return ERR(l, "%s '%s' is not valid: a number or one of %s", what, v, list);
}

static int parse_line(const csvline *l, char *s, esp32pt_entry *e, int *has_off, int64_t *size,
                      uint32_t table_offset)
{
  char *f[6] = {0};
  int nf = 0, t, st;
  /* split on ',' (extra fields are ignored, as by the tool); strip each */
  for (char *p = s; nf < 6;) {
    char *c = strchr(p, ',');
    f[nf++] = p;
    if (!c)
      break;
    *c = 0;
    p = c + 1;
  }
  for (int i = 0; i < 6; i++)
    f[i] = f[i] ? strip(f[i]) : "";
  memset(e, 0, sizeof *e);
  e->line = l->line;
  if (strlen(f[0]) > ESP32PT_LABEL)
    return ERR(l, "name '%s' is %u bytes: at most %d fit in the table (gen_esp32part.py would "
               "cut it)", f[0], (unsigned)strlen(f[0]), ESP32PT_LABEL);
  strcpy(e->label, f[0]);
  if (!*f[1])
    return ERR(l, "the type field is empty");
  if (parse_byte(l, "type", f[1], -1, &t))
    return LFSC_EFORMAT;
  e->type = (uint8_t)t;
  if (!*f[2]) {
    if (t == ESP32PT_APP)
      return ERR(l, "an app partition needs a subtype");
    st = 0x06;                          /* data "undefined", whatever the type */
  } else if (parse_byte(l, "subtype", f[2], t, &st)) {
    return LFSC_EFORMAT;
  }
  e->subtype = (uint8_t)st;
  if (t == ESP32PT_BOOTLOADER)
    return ERR(l, "bootloader entries take their place from the chip's bootloader offset "
               "(gen_esp32part.py --primary-bootloader-offset): not supported here");
  int64_t off = 0;
  *has_off = 0;
  if (t == ESP32PT_PARTITION_TABLE && st == ESP32PT_PRIMARY) {
    off = table_offset;                 /* the tool ignores the field */
    *has_off = 1;
  } else if (*f[3]) {
    if (lfsc_esp32pt_parse_num(f[3], &off))
      return ERR(l, "offset '%s' is not a number", f[3]);
    if (off < 0 || off > 0xFFFFFFFFll)
      return ERR(l, "offset %s is not 0..0xFFFFFFFF", f[3]);
    *has_off = 1;
  }
  e->offset = (uint32_t)off;
  if (t == ESP32PT_PARTITION_TABLE) {
    *size = ESP32PT_SECTOR;             /* the tool ignores the field */
  } else {
    if (!*f[4])
      return ERR(l, "the size field is empty");
    if (lfsc_esp32pt_parse_num(f[4], size))
      return ERR(l, "size '%s' is not a number", f[4]);
  }
  /* flags: ':'-separated, not stripped (gen_esp32part.py's rule) */
  for (char *p = f[5]; *p;) {
    char *c = strchr(p, ':');
    size_t n = c ? (size_t)(c - p) : strlen(p);
    if (n == 9 && strncmp(p, "encrypted", 9) == 0)
      e->flags |= ESP32PT_FLAG_ENCRYPTED;
    else if (n == 8 && strncmp(p, "readonly", 8) == 0)
      e->flags |= ESP32PT_FLAG_READONLY;
    else if (n)
      return ERR(l, "unknown flag '%.*s' (flags: encrypted, readonly, joined by ':')", (int)n, p);
    p += n + (c != NULL);
  }
  return 0;
}

int lfsc_esp32pt_read_csv(lfsc_ctx *ctx, const char *name, const char *text, size_t len,
                          uint32_t table_offset, esp32pt *out)
{
  csvline l = {name, 0, ctx};
  int64_t sizes[ESP32PT_MAX_ENTRIES];
  int has_off[ESP32PT_MAX_ENTRIES];
  char line[1024];
  memset(out, 0, sizeof *out);
  out->md5 = 1;                         /* the tool's default when it writes */
  out->table_offset = table_offset;
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
    text += 3;                          /* a UTF-8 byte order mark */
    len -= 3;
  }
  for (size_t i = 0; i < len;) {
    size_t j = i, br = 0;
    while (j < len && !(br = break_len((const unsigned char *)text + j, len - j)))
      j++;
    l.line++;
    if (memchr(text + i, 0, j - i))
      return ERR(&l, "a NUL byte: not a CSV partition table (nor a binary one: those start "
                 "with 0xAA 0x50)");
    for (size_t k = i, u; k < j; k += u)
      if (!(u = (size_t)lfsc_escape_utf8_len((const unsigned char *)text + k, j - k)))
        return ERR(&l, "byte 0x%02x is not UTF-8 text: not a CSV partition table",
                   (unsigned)(unsigned char)text[k]);
    if (j - i >= sizeof line)
      return ERR(&l, "line longer than %u bytes", (unsigned)sizeof line - 1);
    memcpy(line, text + i, j - i);
    line[j - i] = 0;
    i = j + br;
    char *s = strip(line);
    if (*s == '#' || !*s)
      continue;
    /* the tool expands environment variables; a file that uses them is
     * for its build, not for us */
    for (char *d = strchr(s, '$'); d; d = strchr(d + 1, '$'))
      if ((d == s || d[-1] != '\\') && (isalpha((unsigned char)d[1]) || d[1] == '_' || d[1] == '{'))
        return ERR(&l, "'%s': environment variables are not expanded here; put in their "
                   "values", d);
    if (out->n == ESP32PT_MAX_ENTRIES)
      return ERR(&l, "more than %d partitions: a table holds at most %d with its MD5 entry",
                 ESP32PT_MAX_ENTRIES, ESP32PT_MAX_ENTRIES - 1);
    if (parse_line(&l, s, &out->e[out->n], &has_off[out->n], &sizes[out->n], table_offset))
      return LFSC_EFORMAT;
    out->n++;
  }
  /* place empty offsets, resolve negative sizes (end addresses) */
  int64_t last_end = (int64_t)table_offset + ESP32PT_SECTOR;
  for (int i = 0; i < out->n; i++) {
    esp32pt_entry *e = &out->e[i];
    l.line = e->line;
    if ((e->type == ESP32PT_BOOTLOADER || e->type == ESP32PT_PARTITION_TABLE) &&
        e->subtype == ESP32PT_PRIMARY) {
      e->size = (uint32_t)sizes[i];
      continue;
    }
    if (has_off[i] && e->offset < last_end) {
      if (i == 0)
        return ERR(&l, "offset 0x%x overlaps the partition table's sector at 0x%x: use 0x%llx "
                   "or higher", (unsigned)e->offset, (unsigned)table_offset,
                   (unsigned long long)last_end);
      return ERR(&l, "offset 0x%x overlaps the previous partition, which ends at 0x%llx",
                 (unsigned)e->offset, (unsigned long long)last_end);
    }
    if (!has_off[i]) {
      uint32_t a = e->type == ESP32PT_APP ? ESP32PT_APP_ALIGN : ESP32PT_DATA_ALIGN;
      if (last_end % a)
        last_end += a - last_end % a;
      if (last_end > 0xFFFFFFFFll)
        return ERR(&l, "placed after the previous partition, it would start at 0x%llx, "
                   "beyond 4 GiB", (unsigned long long)last_end);
      e->offset = (uint32_t)last_end;
    }
    int64_t size = sizes[i] < 0 ? -sizes[i] - (int64_t)e->offset : sizes[i];
    if (size < 0 || size > 0xFFFFFFFFll)
      return ERR(&l, sizes[i] < 0 ? "end address 0x%llx is below its offset 0x%x"
                                  : "size 0x%llx does not fit in 32 bits",
                 (unsigned long long)(sizes[i] < 0 ? -sizes[i] : sizes[i]), (unsigned)e->offset);
    e->size = (uint32_t)size;
    last_end = (int64_t)e->offset + size;
  }
  return lfsc_esp32pt_validate(ctx, name, out);
}

/* ==== writing ========================================================== */

/* gen_esp32part.py's to_csv: names where it has them, else decimal;
 * offsets in hex; sizes in M or K when whole, else hex. */
int lfsc_esp32pt_write_csv(lfsc_ctx *ctx, const esp32pt *pt, lfsc_sink *out)
{
  int rc = lfsc_esp32pt_validate(ctx, "table", pt);
  if (rc)
    return rc;
  /* what the tool's own CSV reader would refuse or change */
  int64_t last_end = (int64_t)pt->table_offset + ESP32PT_SECTOR;
  for (int i = 0; i < pt->n; i++) {
    const esp32pt_entry *e = &pt->e[i];
    const char *l = e->label;
    if (e->type == ESP32PT_PARTITION_TABLE &&
        (e->size != ESP32PT_SECTOR || (e->subtype == ESP32PT_PRIMARY && e->offset != pt->table_offset)))
      return lfsc_seterr(ctx, LFSC_EARG, "entry %d ('%s'): a partition_table entry other than "
                         "0x%x bytes%s: CSV cannot say it", i, l, (unsigned)ESP32PT_SECTOR,
                         e->subtype == ESP32PT_PRIMARY ? " at the table's offset" : "");
    if (e->type == ESP32PT_PARTITION_TABLE && e->subtype == ESP32PT_PRIMARY)
      continue;
    if (e->offset < last_end)
      return lfsc_seterr(ctx, LFSC_EARG, "entry %d ('%s') at 0x%x comes after a partition "
                         "ending at 0x%llx: gen_esp32part.py reads a CSV only in ascending "
                         "order", i, l, (unsigned)e->offset, (unsigned long long)last_end);
    last_end = (int64_t)e->offset + e->size;
  }
  for (int i = 0; i < pt->n; i++) {
    const esp32pt_entry *e = &pt->e[i];
    const char *l = e->label;
    size_t n = strlen(l);
    char t[ESP32PT_LABEL + 1];
    int bad_utf8 = 0;
    for (size_t k = 0, u; k < n; k += u)
      if (!(u = (size_t)lfsc_escape_utf8_len((const unsigned char *)l + k, n - k))) {
        bad_utf8 = 1;
        break;
      }
    for (size_t k = 0; k < n && !bad_utf8; k++)
      if (break_len((const unsigned char *)l + k, n - k))
        bad_utf8 = 1;
    strcpy(t, l);
    if (bad_utf8 || strcmp(strip(t), l) != 0 || l[0] == '#' || strpbrk(l, ",$"))
      return lfsc_seterr(ctx, LFSC_EARG, "entry %d: label '%s' cannot be written in CSV (a ',' "
                         "or '$', a leading '#', space at either end, a line break, not UTF-8)", i, l);
    if (e->flags & ~(uint32_t)(ESP32PT_FLAG_ENCRYPTED | ESP32PT_FLAG_READONLY))
      return lfsc_seterr(ctx, LFSC_EARG, "entry %d ('%s'): flags 0x%x: CSV names only encrypted "
                         "(0x1) and readonly (0x2)", i, l, (unsigned)e->flags);
    if (e->type == ESP32PT_BOOTLOADER)
      return lfsc_seterr(ctx, LFSC_EARG, "entry %d ('%s'): a bootloader entry: its CSV form "
                         "depends on the chip's bootloader offset", i, l);
  }
  lfsc_sink_printf(out, "# ESP-IDF Partition Table\n# Name, Type, SubType, Offset, Size, Flags\n");
  for (int i = 0; i < pt->n; i++) {
    const esp32pt_entry *e = &pt->e[i];
    const char *tn = lfsc_esp32pt_type_name(e->type);
    const char *sn = lfsc_esp32pt_subtype_name(e->type, e->subtype);
    lfsc_sink_printf(out, "%s,", e->label);
    if (tn)
      lfsc_sink_printf(out, "%s,", tn);
    else
      lfsc_sink_printf(out, "%u,", (unsigned)e->type);
    if (sn)
      lfsc_sink_printf(out, "%s,", sn);
    else
      lfsc_sink_printf(out, "%u,", (unsigned)e->subtype);
    lfsc_sink_printf(out, "0x%x,", (unsigned)e->offset);
    if (e->size % 0x100000 == 0)
      lfsc_sink_printf(out, "%uM,", (unsigned)(e->size / 0x100000));
    else if (e->size % 0x400 == 0)
      lfsc_sink_printf(out, "%uK,", (unsigned)(e->size / 0x400));
    else
      lfsc_sink_printf(out, "0x%x,", (unsigned)e->size);
    lfsc_sink_printf(out, "%s%s%s\n", e->flags & ESP32PT_FLAG_ENCRYPTED ? "encrypted" : "",
                     (e->flags & 3) == 3 ? ":" : "",
                     e->flags & ESP32PT_FLAG_READONLY ? "readonly" : "");
  }
  return out->status;
}
