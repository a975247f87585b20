/*
 * The loader proper: passes over the input, header checks, relocation and
 * failsafe flash writes (see loader.h for the protocol), and the boot-time
 * region check.
 */
#include "inflate.h"

#define BM_WORDS     (LFS_BMBUF_BYTES / 4)
#define STRIP_WORDS  (LFS_BMBUF_BYTES * 8u)   /* image words one bitmap buffer covers */
enum { CHECK, PARK, WRITE };                /* what a pass does, see lfs_load */
#if LFS_PARK_BYTES > LFS_WINDOW
#error "LFS_PARK_BYTES: the bitmap is parked from the window"
#endif
#define VARIANT_BITS (LFSIMG_SIG_PACKED | LFSIMG_SIG_INTEGER)

LFS_NOINLINE void lfs_fail(lfs_ctx *c, int err, uint32_t e1, uint32_t e2)
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

  /* After an error the buffer is still emptied: the drain goes on to the
   * end of the window. */
  if (c->wcount && !c->err &&
      ((!(c->woff & (LFS_SECTOR - 1)) && fl->erase(fl->arg, c->woff)) ||
       fl->write(fl->arg, c->woff, c->wbuf, c->wcount)))
    lfs_fail(c, LFS_E_FLASH, c->woff, 0);
  c->woff += 4 * c->wcount;
  c->wcount = 0;
}

/* Queue one word for flash at woff. */
LFS_NOINLINE static void queue(lfs_ctx *c, uint32_t v)
{
  c->wbuf[c->wcount++] = v;
  if (c->wcount == LFS_WBUF_WORDS)
    flush(c);
}

/* Park bitmap word b (>= BM_WORDS) in flash: each strip's part of the
 * bitmap goes to the start of that strip's own image area, image byte
 * 128 * b, which the writing pass reads back just before it erases and
 * overwrites it. */
static void park(lfs_ctx *c, uint32_t b, uint32_t v)
{
  if (!(b & (BM_WORDS - 1))) {
    flush(c);
    c->woff = 128 * b;
  }
  queue(c, v);
}

/* Image word w of the writing pass: relocate and queue it. The bitmap of
 * strip 0 is in RAM since the check; each further strip's is read back from
 * where it was parked as the image reaches it. */
static void image_word(lfs_ctx *c, uint32_t w, uint32_t v)
{
  const lfs_flash_ops *fl = c->fl;

  if (c->pi) {
    if (w && !(w & (STRIP_WORDS - 1)) && fl->read(fl->arg, 4 * w, c->bitmap, BM_WORDS))
      lfs_fail(c, LFS_E_FLASH, 4 * w, 3);
    if (c->bitmap[(w >> 5) & (BM_WORDS - 1)] >> (w & 31) & 1)
      v = 4 * v + c->base;
  }
  if (w == 0)   /* cleared by the final write, once everything is in */
    v |= LFSIMG_SIG_INPROGRESS | LFSIMG_SIG_ABSOLUTE;
  queue(c, v);
}

/* Word w of the decoded stream: header, image or bitmap. */
LFS_NOINLINE static void stream_word(lfs_ctx *c, uint32_t w, uint32_t v)
{
  uint32_t e[2], n;
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
    return;
  }
  w -= c->img_words;
  if (w >= c->bm_words) {
    lfs_fail(c, LFS_E_LENGTH, c->nout, 4 * (c->img_words + c->bm_words));
    return;
  }
  /* The header word and the bits past the last image word are never set
   * (n: the image words from this bitmap word's first on). */
  n = c->img_words - 32 * w;
  if ((w == 0 && (v & 1)) || (n < 32 && v >> n)) {
    lfs_fail(c, LFS_E_HEADER, w, v);
    return;
  }
  /* Every pass takes in strip 0's bitmap; only the first needs it, and
   * the writing pass is done with the bitmap by the time it comes again. */
  if (w < BM_WORDS)
    c->bitmap[w] = v;
  else if (c->mode == PARK)
    park(c, w, v);
}

/* CRC-32 (reflected, poly 0xEDB88320) of the 4-bit values 0..15. */
static const uint32_t crc_nib[16] = {
  0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
  0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
  0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c
};

/* Fold the word v (4 little-endian bytes) into crc. */
static uint32_t crc_word(uint32_t crc, uint32_t v)
{
  uint32_t i;

  crc ^= v;
  for (i = 8; i; i--)
    crc = (crc >> 4) ^ crc_nib[crc & 15];
  return crc;
}

/* Word i (mod the window) of the output, as a little-endian number. */
static uint32_t win_word(const lfs_ctx *c, uint32_t i)
{
  uint32_t v = c->win.w[i & (LFS_WINDOW / 4 - 1)];

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = v >> 24 | (v >> 8 & 0xFF00) | (v << 8 & 0xFF0000) | v << 24;
#endif
  return v;
}

void lfs_drain(lfs_ctx *c)
{
  uint32_t n = c->dn, end = c->nout & ~3u, crc = c->crc, v, w;

  for (; n < end; n += 4) {
    v = win_word(c, n >> 2);
    crc = crc_word(crc, v);
    w = n >> 2;
    /* Writing passes only follow a pass that checked everything, so the
     * header words may go out before this pass has checked them again. */
    if (c->mode == WRITE && w < c->img_words)
      image_word(c, w, v);
    if (w < LFSIMG_HEADER_WORDS || w >= c->img_words)
      stream_word(c, w, v);
  }
  c->dn = n;
  c->crc = crc;
}

/* One pass over the input, CHECK, PARK or WRITE (see lfs_load). */
static void pass(lfs_ctx *c, uint32_t mode)
{
  uint32_t want;

  c->mode = mode;
  c->in_pos = c->in_len = c->in_idx = 0;
  c->bitbuf = c->bitcnt = c->pad = c->nout = c->dn = c->woff = 0;
  c->crc = 0xFFFFFFFF;
  inf_bits(c, 0);               /* look at the first bytes */
  c->pi = (c->bitbuf & 0xFFFF) == 0x8B1F;
  if (c->pi) {
    inf_bits(c, 16);
    inf_gzip(c);
  } else {                      /* ABS: the file is the image */
    inf_copy(c, 0xFFFFFFFF);
    lfs_drain(c);
  }
  flush(c);
  if (c->err)
    return;
  /* Until a header is in, img_words is the header's size: short input
   * reads as truncated. */
  want = 4 * (c->img_words + c->bm_words);
  if (c->nout != want)
    lfs_fail(c, c->pi || c->nout > want ? LFS_E_LENGTH : LFS_E_TRUNCATED, c->nout, want);
  else if (mode == CHECK)
    c->crc1 = c->crc;
  else if (c->crc != c->crc1)   /* the input changed under us */
    lfs_fail(c, LFS_E_CRC, c->crc1, c->crc);
}

/* CHECK writes nothing. An image over one strip needs its bitmap in flash
 * before the writing pass: at the end of CHECK the window still holds the
 * last 16 KB of output, the whole bitmap of any image up to 512 KB, which
 * is parked from there; a larger image takes a PARK pass. Word 0, with
 * IN_PROGRESS set, is written first (erasing sector 0), so from then on a
 * power cut leaves the region incomplete, never an old header over a new
 * bitmap. */
int lfs_load(lfs_ctx *c, lfs_read_fn rd, void *rd_arg, const lfs_flash_ops *fl,
             uint32_t region_base, uint32_t region_size, uint32_t variant_sig)
{
  uint32_t sig;

  c->err = 0;
  c->e1 = c->e2 = 0;
  c->rd = rd;
  c->rd_arg = rd_arg;
  c->fl = fl;
  c->base = region_base;
  c->region = region_size;
  c->variant = variant_sig;
  c->img_words = LFSIMG_HEADER_WORDS;
  c->bm_words = c->wcount = 0;
  if ((region_base & 3) || (region_size & (LFS_SECTOR - 1)))
    lfs_fail(c, LFS_E_PARAM, region_base, region_size);
  else
    pass(c, CHECK);
  if (!c->err && c->bm_words > BM_WORDS) {
    /* Word 0 goes first, with the first parked words: sector 0 is erased
     * and the region reads as incomplete from then on. */
    queue(c, c->hdr[LFSIMG_H_SIG] | LFSIMG_SIG_INPROGRESS | LFSIMG_SIG_ABSOLUTE);
    if (c->bm_words > LFS_PARK_BYTES / 4) {
      pass(c, PARK);
    } else {                    /* drain the window's bitmap words again */
      c->mode = PARK;
      c->dn = 4 * (c->img_words + BM_WORDS);
      lfs_drain(c);
      flush(c);
    }
  }
  if (!c->err)
    pass(c, WRITE);
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
