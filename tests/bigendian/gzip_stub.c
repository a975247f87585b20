/* Big-endian test build only: Debian ships no s390x zlib we can link
 * without multiarch, so this file stands in for gzip.c. A PI image is
 * deflated by our own squeeze.c exactly as gzip.c does it (header, raw
 * deflate, CRC-32, length; empty blocks in front of a too-short file), so
 * the test compares the compressed bytes with the native build's; the
 * CRC here is a plain bitwise one. zlib's encoder (GZIP_FIXED and the
 * memLevel forms) is not available: those write the content uncompressed. */
#include <stdint.h>

#include "lfsc/build.h"
#include "deflate/gzip.h"
#include "base/sink.h"
#include "deflate/squeeze.h"
#include "deflate/refdeflate.h"

static uint32_t crc32_plain(const unsigned char *p, size_t n)
{
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++)
      c = c >> 1 ^ (0xEDB88320u & (0u - (c & 1)));
  }
  return ~c;
}

int lfsc_gzip_write(const unsigned char *data, size_t n, int flags, size_t min_file,
               lfsc_sink *out)
{
  static const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3};
  if (flags & GZIP_REFERENCE) {   /* --compat-deflate: as gzip.c wraps refdeflate.c */
    static const unsigned char ref_header[10] = REFDEFLATE_GZIP_HEADER;
    lfsc_sink_write(out, ref_header, sizeof ref_header);
    int rc = lfsc_refdeflate(data, n, out);
    lfsc_sink_u32le(out, crc32_plain(data, n));
    lfsc_sink_u32le(out, (uint32_t)n);
    return rc ? rc : out->status;
  }
  if (n == 0 || (flags & (GZIP_FIXED | GZIP_MEMLEVEL(15)))) {
    lfsc_sink_write(out, data, n);
    return out->status;
  }
  uint32_t crc = crc32_plain(data, n);
  lfsc_sink mem;
  unsigned pad = 0;
  for (;;) {
    lfsc_sink_mem_init(&mem);
    lfsc_sink_write(&mem, header, sizeof header);
    int rc = lfsc_squeeze_deflate(data, n, (flags & GZIP_BEST) ? SQUEEZE_BEST : SQUEEZE_FAST, pad, &mem);
    lfsc_sink_u32le(&mem, crc);
    lfsc_sink_u32le(&mem, (uint32_t)n);
    if (!rc)
      rc = mem.status;
    if (rc) {
      lfsc_sink_mem_free(&mem);
      return rc;
    }
    if (mem.len >= min_file || pad > 8 * min_file)
      break;
    pad += (unsigned)(((min_file - mem.len) * 8 + 9) / 10);
    lfsc_sink_mem_free(&mem);
  }
  lfsc_sink_write(out, mem.buf, mem.len);
  lfsc_sink_mem_free(&mem);
  return out->status;
}

/* Reading and verifying images inflates them (zlib), so api/inspect.c is
 * not in this build either; luac.cross never reads an image, but the
 * dialect table names these two. */
int lfsc_image_read(lfsc_ctx *ctx, const void *file, size_t len, lfsc_image_info *out)
{
  (void)file, (void)len, (void)out;
  return lfsc_seterr(ctx, LFSC_EARG, "reading images is not in the big-endian test build");
}

int lfsc_image_verify(lfsc_ctx *ctx, const void *file, size_t len, const lfsc_verify_opts *opts,
                      lfsc_verify_result *out)
{
  (void)file, (void)len, (void)opts, (void)out;
  return lfsc_seterr(ctx, LFSC_EARG, "verifying images is not in the big-endian test build");
}
