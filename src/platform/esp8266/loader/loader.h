/*
 * Freestanding LFS loader: puts a position-independent (gzip) or absolute
 * LFS image into a NOR flash region, failsafe against power cuts, and tells
 * at boot time whether the region holds a usable image.
 *
 * Written for the ESP8266 (Xtensa lx106) but plain C99 with no libc, no
 * allocation, no floating point and no run-time division, so it also runs
 * on the host for testing. All working memory is the caller's lfs_ctx.
 *
 * Load protocol (PI images):
 *   check   inflate the whole file, check the gzip framing, header, sizes,
 *           variant, CRC-32 and ISIZE; nothing is written. The bitmap of
 *           the first "strip" (LFS_BMBUF_BYTES of it, 128 KB of image) is
 *           kept in RAM.
 *   park    (images over one strip) the rest of the relocation bitmap,
 *           which follows the image in the stream, is written to flash at
 *           the start of each strip's own image area, after word 0 with
 *           IN_PROGRESS set: from the window, which still holds the last
 *           16 KB of output (images up to 512 KB), else in an inflate of
 *           its own.
 *   write   inflate again; erase each 4 KB sector just before its first
 *           write, relocate every word flagged in the bitmap to
 *           4*w + region_base (reading each strip's bitmap back before its
 *           area is erased), and write the first word as
 *           sig | IN_PROGRESS | ABSOLUTE.
 *   commit  rewrite word 0 as sig | ABSOLUTE, which only clears the
 *           IN_PROGRESS bit, so NOR flash allows it without an erase.
 * So 2 inflates for any image up to 512 KB, 3 beyond.
 * The loaded region is byte for byte the image `luac.cross -a region_base`
 * writes (ABSOLUTE bit set; the stock loader leaves it clear, and the
 * firmware's boot check ignores that bit either way).
 * Absolute images are checked the same way (the check reads them fully; their
 * base must equal region_base) and copied with the same discipline.
 */
#ifndef LFSC_LOADER_H
#define LFSC_LOADER_H

#include <stdint.h>
#include "lfsc/image.h"

/* Bytes of relocation bitmap kept in RAM: one strip's, 8 * LFS_BMBUF_BYTES
 * image words (4096 -> 128 KB of image). Tests shrink it to force several
 * strips. Must be a power of two >= 128. */
#ifndef LFS_BMBUF_BYTES
#define LFS_BMBUF_BYTES 4096
#endif
#define LFS_WINDOW      16384u  /* inflate window = stock loader's limit */
/* Most bitmap bytes parked from the window after the check: all it holds
 * (images up to 512 KB); a larger bitmap is parked in an inflate of its
 * own. Tests lower it so that both ways run. */
#ifndef LFS_PARK_BYTES
#define LFS_PARK_BYTES  LFS_WINDOW
#endif
#define LFS_SECTOR      4096u   /* erase unit */
#define LFS_WBUF_WORDS  16      /* words per flash write call */
#define LFS_INBUF       128     /* bytes per input read call */
#define LFS_FBITS       8       /* bits of the first-level decode tables */

/* Input: copy up to len bytes from position pos of the image file into buf.
 * Returns the number of bytes copied, 0 at end of file, < 0 on error. The
 * loader reads the file from the start once per pass. */
typedef int32_t (*lfs_read_fn)(void *arg, uint32_t pos, uint8_t *buf, uint32_t len);

/* Flash access; offsets are bytes from the start of the region, always
 * word-aligned. Each returns 0 on success. */
typedef struct lfs_flash_ops {
  int (*erase)(void *arg, uint32_t off);  /* one LFS_SECTOR at off */
  int (*write)(void *arg, uint32_t off, const uint32_t *src, uint32_t nwords);
  int (*read)(void *arg, uint32_t off, uint32_t *dst, uint32_t nwords);
  void *arg;
} lfs_flash_ops;

enum {
  LFS_OK = 0,
  LFS_E_PARAM,      /* region base/size not word/sector aligned */
  LFS_E_READ,       /* input callback failed: e1 = position */
  LFS_E_TRUNCATED,  /* input ended early: e1 = bytes read */
  LFS_E_GZIP,       /* bad gzip header */
  LFS_E_DEFLATE,    /* corrupt deflate stream: e1 = input position */
  LFS_E_DISTANCE,   /* back-reference beyond output start or window: e1 = distance, e2 = bytes out */
  LFS_E_CRC,        /* e1 = trailer CRC, e2 = CRC of data */
  LFS_E_LENGTH,     /* sizes disagree: e1 = bytes got, e2 = bytes expected */
  LFS_E_TRAILING,   /* data after the gzip member */
  LFS_E_NOTLFS,     /* not an LFS image: e1 = first word */
  LFS_E_VERSION,    /* e1 = image format version */
  LFS_E_VARIANT,    /* e1 = image sig, e2 = firmware sig */
  LFS_E_KIND,       /* PI bit pattern in a raw file, ABS bit in a gzip one, or IN_PROGRESS set */
  LFS_E_HEADER,     /* inconsistent header or bitmap */
  LFS_E_TOOBIG,     /* e1 = image bytes, e2 = region bytes */
  LFS_E_BASE,       /* e1 = image base, e2 = region base */
  LFS_E_FLASH,      /* flash erase, write or read failed: e1 = offset */
  LFS_E_COUNT
};

/* What lfs_check found in a region. */
enum { LFS_EMPTY, LFS_VALID, LFS_INCOMPLETE, LFS_FOREIGN };

typedef struct lfs_info {
  uint32_t sig, size;       /* header words 0 and 1 */
  uint32_t main_proto;      /* address of the index Proto */
  uint32_t rostrt;          /* address of the ROstrt bucket vector */
  uint32_t nrouse, nrosize; /* ROstrt string and bucket counts */
} lfs_info;

/* A canonical Huffman code. Per code length l, limit[l] is the first l-bit
 * value past the codes of length l, and offs[l] + code the code's index in
 * the context's sorted symbols (both mod 2^16). fast: see inflate.c. */
typedef struct lfs_code {
  uint16_t limit[16], offs[16];
  uint16_t fast[1u << LFS_FBITS];
} lfs_code;

typedef struct lfs_ctx {
  /* result of the last lfs_load */
  int err;
  uint32_t e1, e2;           /* details, see the error list */
  /* parameters */
  lfs_read_fn rd;
  void *rd_arg;
  const lfs_flash_ops *fl;
  uint32_t base, region, variant;
  /* per pass */
  uint32_t in_pos, in_len, in_idx;
  uint32_t bitbuf, bitcnt, pad;  /* pad: zero bytes fed past the end of input */
  uint32_t nout, dn, crc, crc1;  /* bytes out, bytes drained, CRC of those */
  uint32_t img_words, bm_words;  /* set once the header is in */
  uint32_t mode;                 /* CHECK, PARK or WRITE, see loader.c */
  uint32_t woff, wcount;
  int pi;
  /* small and hot first: short offsets make shorter code */
  lfs_code code[2];               /* literal/length; distance (or code-length) */
  uint16_t sym[288 + 32];         /* their symbols, sorted by length and value */
  uint32_t hdr[LFSIMG_HEADER_WORDS];
  uint32_t wbuf[LFS_WBUF_WORDS];
  uint8_t inbuf[LFS_INBUF];
  uint8_t lens[320];
  uint32_t bitmap[LFS_BMBUF_BYTES / 4];
  union {                         /* written as bytes, drained as words */
    uint32_t w[LFS_WINDOW / 4];
    uint8_t b[LFS_WINDOW];
  } win;
} lfs_ctx;

/* Load the image read by rd into the region mapped at region_base
 * (region_size bytes, a multiple of LFS_SECTOR) for a firmware whose PI
 * signature is variant_sig (LFSIMG_SIG_FLOAT, _FLOAT16 or _INT). Returns
 * LFS_OK or an LFS_E_* code (also in ctx->err, with details in e1/e2). On
 * any error in the check the flash is untouched; after it the region is
 * left with IN_PROGRESS set or sector 0 erased (lfs_check says incomplete
 * or empty). */
int lfs_load(lfs_ctx *ctx, lfs_read_fn rd, void *rd_arg, const lfs_flash_ops *fl,
             uint32_t region_base, uint32_t region_size, uint32_t variant_sig);

/* Boot-time check of the region: LFS_EMPTY, LFS_VALID (info filled in),
 * LFS_INCOMPLETE or LFS_FOREIGN (another variant, a wrong base, garbage). */
int lfs_check(const lfs_flash_ops *fl, uint32_t region_base, uint32_t region_size,
              uint32_t variant_sig, lfs_info *info);

/* A short message for ctx->err (loader_msg.c; optional on the device).
 * Writes at most len bytes including the terminating NUL; returns buf. */
char *lfs_message(const lfs_ctx *ctx, char *buf, uint32_t len);

#endif
