/* Big-endian test build only: Debian ships no s390x zlib we can link
 * without multiarch, so the big-endian luac.cross writes a PI image's
 * uncompressed content (image + bitmap) instead of gzip. The test
 * compares it with the inflated output of the native build. */
#include "gzip.h"
#include "sink.h"

int gzip_write(const unsigned char *data, size_t n, int flags, size_t min_file,
               lfsc_sink *out)
{
  (void)flags;
  (void)min_file;
  sink_write(out, data, n);
  return out->status;
}

/* reader.c (zlib's inflate) is left out too; luac.cross reaches it only
 * through --firmware's file loading (firmware_load), not tested here. */
#include "reader.h"

int reader_readfile(lfsc_ctx *ctx, const char *path, unsigned char **buf, size_t *len)
{
  (void)buf;
  (void)len;
  return lfsc_seterr(ctx, LFSC_EIO, "cannot read %s: not in the big-endian test build", path);
}
