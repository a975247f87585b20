/*
 * Messages for the loader's error codes. Kept apart from loader.c so that
 * firmware which only logs the code and details can leave it out. No libc
 * and no run-time division: decimals are produced by repeated subtraction.
 */
#include "loader.h"

/* %d/%D: e1/e2 in decimal; %x/%X: in hex; %v: "a"/"an" + variant of e1;
 * %w: variant of e2. */
static const char *const templ[LFS_E_COUNT] = {
  "ok",
  "region at %x of %D bytes is not sector aligned",
  "cannot read the image at byte %d",
  "image truncated after %d bytes",
  "not a gzip file with deflate data",
  "corrupt deflate stream near byte %d",
  "deflate back-reference of %d bytes at output byte %D: past the 16 KB window or to byte 0, which the NodeMCU loader refuses too",
  "bad CRC-32: trailer says %x, data gives %X",
  "length mismatch: %d bytes, expected %D",
  "data after the end of the gzip member at byte %d",
  "not an LFS image (signature %x)",
  "wrong LFS format version %d, expected 1",
  "image is %v build, firmware is %w",
  "wrong image kind (signature %x)",
  "corrupt image header or relocation bitmap",
  "image needs %d bytes, region has %D",
  "image is built for base %x, region is at %X",
  "flash erase/write/read failed at offset %x",
};

static const char *const variant_name[4] = { "float16", "integer", "float", "invalid" };

static const uint32_t pow10[10] = {
  1000000000, 100000000, 10000000, 1000000, 100000, 10000, 1000, 100, 10, 1
};

static char *put_str(char *p, char *end, const char *s)
{
  while (*s && p < end)
    *p++ = *s++;
  return p;
}

static char *put_num(char *p, char *end, uint32_t v, int hex)
{
  int i, digit, started = 0;

  if (hex)
    p = put_str(p, end, "0x");
  for (i = 0; i < (hex ? 8 : 10); i++) {
    if (hex) {
      digit = (int)(v >> (28 - 4 * i)) & 15;
    } else {
      for (digit = 0; v >= pow10[i]; digit++)
        v -= pow10[i];
    }
    started |= digit || i == (hex ? 7 : 9);
    if (started && p < end)
      *p++ = "0123456789abcdef"[digit];
  }
  return p;
}

char *lfs_message(const lfs_ctx *c, char *buf, uint32_t len)
{
  const char *t = (unsigned)c->err < LFS_E_COUNT ? templ[c->err] : "unknown error";
  char *p = buf, *end = buf + len - 1;
  uint32_t v;

  if (!len)
    return buf;
  for (; *t && p < end; t++) {
    if (*t != '%') {
      *p++ = *t;
      continue;
    }
    t++;
    v = (*t == 'D' || *t == 'X' || *t == 'w') ? c->e2 : c->e1;
    if (*t == 'v' || *t == 'w') {
      const char *name = variant_name[(v & (LFSIMG_SIG_PACKED | LFSIMG_SIG_INTEGER)) >> 1];
      if (*t == 'v')
        p = put_str(p, end, *name == 'i' ? "an " : "a ");
      p = put_str(p, end, name);
    } else {
      p = put_num(p, end, v, *t == 'x' || *t == 'X');
    }
  }
  *p = 0;
  return buf;
}
