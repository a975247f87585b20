/*
 * The loader proper: passes over the input, header checks, relocation and
 * failsafe flash writes (see loader.h for the protocol), and the boot-time
 * region check.
 */
#include "inflate.h"

#define BM_WORDS     (LFS_BMBUF_BYTES / 4)
#define STRIP_WORDS  (LFS_BMBUF_BYTES * 8u)   /* image words one bitmap buffer covers */
#define VARIANT_BITS (LFSIMG_SIG_PACKED | LFSIMG_SIG_INTEGER)

void lfs_fail(lfs_ctx *c, int err, uint32_t e1, uint32_t e2)
{
  if (!c->err) {
    c->err = err;
    c->e1 = e1;
    c->e2 = e2;
  }
}

/* Checks one header, in PI form (pi: addresses are word offsets, ABSOLUTE
 * clear) or ABS form (addresses from base, ABSOLUTE set). Returns 0 or an
 * LFS_E_* code with its details in e[0], e[1]. */
static int header_error(const uint32_t *h, uint32_t base, uint32_t region,
                        uint32_t variant, int pi, uint32_t *e)
{
  uint32_t sig = h[LFSIMG_H_SIG], size = h[LFSIMG_H_SIZE];
  uint32_t rostrt = pi ? 4 * h[LFSIMG_H_PROHASH] : h[LFSIMG_H_PROHASH] - base;
  uint32_t mainp = pi ? 4 * h[LFSIMG_H_MAINPROTO] : h[LFSIMG_H_MAINPROTO] - base;

  e[0] = sig;
  e[1] = variant;
  if ((sig & LFSIMG_SIG_MASK) != LFSIMG_SIG_FIXED)
    return LFS_E_NOTLFS;
  if ((sig & LFSIMG_SIG_VERSION_MASK) != LFSIMG_SIG_VERSION) {
    e[0] = (sig & LFSIMG_SIG_VERSION_MASK) >> 8;
    return LFS_E_VERSION;
  }
  if ((sig ^ variant) & VARIANT_BITS)
    return LFS_E_VARIANT;
  if ((sig & (LFSIMG_SIG_INPROGRESS | LFSIMG_SIG_ABSOLUTE)) != (pi ? 0 : LFSIMG_SIG_ABSOLUTE))
    return LFS_E_KIND;
  e[0] = size;
  e[1] = region;
  if (size > region)
    return LFS_E_TOOBIG;
  if ((size & 3) || size < LFSIMG_HEADER_BYTES + LFSIMG_PROTO_BYTES)
    return LFS_E_HEADER;
  if (rostrt != LFSIMG_HEADER_BYTES) {
    /* in an ABS image this is how a wrong base shows */
    e[0] = h[LFSIMG_H_PROHASH] - LFSIMG_HEADER_BYTES;
    e[1] = base;
    return pi ? LFS_E_HEADER : LFS_E_BASE;
  }
  if (mainp != size - LFSIMG_PROTO_BYTES)
    return LFS_E_HEADER;
  return 0;
}

/* Write out the buffered words, erasing a sector before its first write.
 * Flushes start at multiples of the buffer size, so every sector's first
 * flush starts at its first byte. */
static void flush(lfs_ctx *c)
{
  const lfs_flash_ops *fl = c->fl;

  if (!c->wcount || c->err)
    return;
  if (!(c->woff & (LFS_SECTOR - 1)) && fl->erase(fl->arg, c->woff))
    lfs_fail(c, LFS_E_FLASH, c->woff, 0);
  else if (fl->write(fl->arg, c->woff, c->wbuf, c->wcount))
    lfs_fail(c, LFS_E_FLASH, c->woff, 1);
  c->woff += 4 * c->wcount;
  c->wcount = 0;
}

/* Image word w: relocate and queue it if it lies in this pass's strip. */
static void image_word(lfs_ctx *c, uint32_t w, uint32_t v)
{
  if (w - c->strip_lo >= c->strip_hi - c->strip_lo)
    return;
  if (c->pi && (c->bitmap[(w >> 5) - (c->strip_lo >> 5)] >> (w & 31) & 1))
    v = 4 * v + c->base;
  if (w == 0)   /* cleared by the final write, once everything is in */
    v |= LFSIMG_SIG_INPROGRESS | LFSIMG_SIG_ABSOLUTE;
  c->wbuf[c->wcount++] = v;
  if (c->wcount == LFS_WBUF_WORDS)
    flush(c);
}

/* Word w of the decoded stream: header, image or bitmap. */
static void stream_word(lfs_ctx *c, uint32_t w, uint32_t v)
{
  uint32_t e[2], i;
  int err;

  if (c->err)
    return;
  if (w < LFSIMG_HEADER_WORDS) {
    c->hdr[w] = v;
    if (w < LFSIMG_HEADER_WORDS - 1)
      return;
    err = header_error(c->hdr, c->base, c->region, c->variant, c->pi, e);
    if (err) {
      lfs_fail(c, err, e[0], e[1]);
      return;
    }
    c->img_words = c->hdr[LFSIMG_H_SIZE] >> 2;
    c->bm_words = c->pi ? (c->img_words + 31) >> 5 : 0;
    for (i = 0; i < LFSIMG_HEADER_WORDS; i++)
      image_word(c, i, c->hdr[i]);
    return;
  }
  if (w < c->img_words) {
    image_word(c, w, v);
    return;
  }
  w -= c->img_words;
  if (w >= c->bm_words) {
    lfs_fail(c, LFS_E_LENGTH, c->nout, 4 * (c->img_words + c->bm_words));
    return;
  }
  /* The header word and the bits past the last image word are never set. */
  if ((w == 0 && (v & 1)) ||
      (w == c->bm_words - 1 && (c->img_words & 31) && (v >> (c->img_words & 31)))) {
    lfs_fail(c, LFS_E_HEADER, w, v);
    return;
  }
  if (w - c->cap_lo < BM_WORDS)
    c->bitmap[w - c->cap_lo] = v;
}

void lfs_put(lfs_ctx *c, uint32_t byte)
{
  uint32_t n = c->nout++;

  c->win[n & (LFS_WINDOW - 1)] = (uint8_t)byte;
  c->crc = inf_crc(c->crc, byte);
  c->acc |= byte << (8 * (n & 3));
  if ((n & 3) == 3) {
    stream_word(c, n >> 2, c->acc);
    c->acc = 0;
  }
}

/* One pass over the input. Pass 1 (writing = 0) checks and captures the
 * bitmap of strip 0; a writing pass writes strip `strip` and captures the
 * bitmap of the next one. */
static void pass(lfs_ctx *c, uint32_t strip, int writing)
{
  int b0, b1;
  uint32_t want;

  c->in_pos = c->in_len = c->in_idx = 0;
  c->bitbuf = c->bitcnt = c->nout = c->acc = c->wcount = 0;
  c->crc = 0xFFFFFFFF;
  c->cap_lo = (strip + (uint32_t)writing) * BM_WORDS;
  b0 = inf_byte(c);
  b1 = inf_byte(c);
  c->pi = b0 == 0x1F && b1 == 0x8B;
  c->strip_lo = c->strip_hi = 0;
  if (writing) {
    c->strip_lo = strip * STRIP_WORDS;
    c->strip_hi = c->pi ? c->strip_lo + STRIP_WORDS : 0xFFFFFFFF;
  }
  c->woff = 4 * c->strip_lo;
  if (c->pi) {
    inf_gzip(c);
  } else {                      /* ABS: the file is the image */
    while (b0 >= 0 && !c->err) {
      lfs_put(c, (uint32_t)b0);
      b0 = b1;
      b1 = inf_byte(c);
    }
  }
  flush(c);
  if (c->err)
    return;
  /* Until a header is in, img_words is the header's size: short input
   * reads as truncated. */
  want = 4 * (c->img_words + c->bm_words);
  if (c->nout != want)
    lfs_fail(c, c->pi || c->nout > want ? LFS_E_LENGTH : LFS_E_TRUNCATED, c->nout, want);
}

int lfs_load(lfs_ctx *c, lfs_read_fn rd, void *rd_arg, const lfs_flash_ops *fl,
             uint32_t region_base, uint32_t region_size, uint32_t variant_sig)
{
  uint32_t s, n, sig;

  c->err = 0;
  c->e1 = c->e2 = 0;
  c->rd = rd;
  c->rd_arg = rd_arg;
  c->fl = fl;
  c->base = region_base;
  c->region = region_size;
  c->variant = variant_sig;
  c->img_words = LFSIMG_HEADER_WORDS;
  c->bm_words = 0;
  if ((region_base & 3) || (region_size & (LFS_SECTOR - 1))) {
    lfs_fail(c, LFS_E_PARAM, region_base, region_size);
    return c->err;
  }
  pass(c, 0, 0);
  c->crc1 = c->crc;
  n = c->pi ? (c->img_words + STRIP_WORDS - 1) / STRIP_WORDS : 1;
  for (s = 0; s < n && !c->err; s++) {
    pass(c, s, 1);
    if (c->crc != c->crc1)      /* the input changed under us */
      lfs_fail(c, LFS_E_CRC, c->crc1, c->crc);
  }
  if (!c->err) {
    sig = c->hdr[LFSIMG_H_SIG] | LFSIMG_SIG_ABSOLUTE;
    if (fl->write(fl->arg, 0, &sig, 1))
      lfs_fail(c, LFS_E_FLASH, 0, 2);
  }
  return c->err;
}

int lfs_check(const lfs_flash_ops *fl, uint32_t region_base, uint32_t region_size,
              uint32_t variant_sig, lfs_info *info)
{
  uint32_t h[LFSIMG_HEADER_WORDS], e[2];

  if (fl->read(fl->arg, 0, h, LFSIMG_HEADER_WORDS))
    return LFS_FOREIGN;
  if (h[0] == 0xFFFFFFFF || h[0] == 0)
    return LFS_EMPTY;
  if ((h[0] & LFSIMG_SIG_MASK) == LFSIMG_SIG_FIXED && (h[0] & LFSIMG_SIG_INPROGRESS))
    return LFS_INCOMPLETE;
  info->sig = h[LFSIMG_H_SIG];
  /* Regions loaded by the stock loader have ABSOLUTE clear; the firmware
   * ignores the bit, so accept both. */
  h[0] |= LFSIMG_SIG_ABSOLUTE;
  if (header_error(h, region_base, region_size, variant_sig, 0, e))
    return LFS_FOREIGN;
  info->size = h[LFSIMG_H_SIZE];
  info->main_proto = h[LFSIMG_H_MAINPROTO];
  info->rostrt = h[LFSIMG_H_PROHASH];
  info->nrouse = h[LFSIMG_H_NROUSE];
  info->nrosize = h[LFSIMG_H_NROSIZE];
  return LFS_VALID;
}
