/* The 5.3 dialect's entries that join several rooms (image53.c): the
 * dialect table's image and chunk writers over lua53 and lfs53. */
#ifndef LFSC_API53_H
#define LFSC_API53_H

#include "lfsc/build.h"
#include "lfsc/lfsc.h"
#include "lfsc/sink.h"

int lfsc_api53_image_index(lfsc_ctx *ctx, lfsc_proto *const *chunks, const char *const *files,
                           size_t n, lfsc_target target, int64_t timestamp, lfsc_proto **out);
int lfsc_api53_image_write(lfsc_ctx *ctx, const lfsc_proto *index, const lfsc_image_opts *opts,
                           lfsc_sink *out, uint32_t *size);
int lfsc_api53_image_read(lfsc_ctx *ctx, const void *file, size_t len, lfsc_image_info *out);
int lfsc_api53_image_verify(lfsc_ctx *ctx, const void *file, size_t len,
                            const lfsc_verify_opts *opts, lfsc_verify_result *out);
int lfsc_api53_write_chunk(lfsc_ctx *ctx, const lfsc_proto *main, lfsc_target target, int strip,
                           lfsc_sink *out);

#endif
