/* lfsimg's commands on NodeMCU Lua 5.3 files (lfsimg53.c): format-11 LFS
 * images, -a flash images and format-10 .lc files, told apart by their
 * header. lfsimg.c reads the file, asks lfsimg53_is53 and hands it over;
 * 5.1 files never come here. Each returns the command's exit status. */
#ifndef LFSC_CLI_LFSIMG53_H
#define LFSC_CLI_LFSIMG53_H

#include <stddef.h>

#include "lfsc/lfsc.h"
#include "lfsc/platform.h"
#include "repl/repl.h"

/* 1 when buf holds a NodeMCU Lua 5.3 .lc, image or flash image. */
int lfsimg53_is53(const unsigned char *buf, size_t len);

int lfsimg53_info(lfsc_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                  int json);
int lfsimg53_list(lfsc_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                  int json);
int lfsimg53_strings(lfsc_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                     int json, int offsets);
int lfsimg53_dis(lfsc_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                 const char *module, int full);
/* variant: the one it must be (have_variant), any NodeMCU preset */
int lfsimg53_verify(lfsc_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                    int have_variant, lfsc_target variant, int quiet, int json);
/* tname: -t (a 5.3 variant or host) or NULL for the image's own */
int lfsimg53_extract(lfsc_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                     const char *module, const char *outp, const char *tname, int strip,
                     int force);
/* a and b: each is53 or not; a pair of one of each is "different Lua" */
int lfsimg53_diff(lfsc_ctx *ctx, const char *pa, const unsigned char *a, size_t alen,
                  const char *pb, const unsigned char *b, size_t blen, int json);
/* lfsimg run IMG ...: argv[0] is IMG (buf its bytes), the rest lua5.3's
 * command line */
int lfsimg53_run(int argc, char **argv, const unsigned char *buf, size_t len,
                 const runtime_args *opts);

/* Defined by lfsimg.c: the --chip given (NULL: none; lfsimg_platform is
 * then the default). */
extern const lfsc_platform *lfsimg_chip;

/* Defined by lfsimg.c: lua's command line after IMG (argv[0]) into ra,
 * for either runtime; 0, or 2 after a usage error. */
int lfsimg_lua_args(int argc, char **argv, runtime_args *ra, runtime_action *acts);


#endif
