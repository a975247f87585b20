/*
 * liblfsc's outputs: what luac.cross and lfsimg do, as functions.
 *
 *   sources or .lc files  --lfsc_input_load / lfsc_compile-->  proto trees
 *   proto trees  --lfsc_input_combine-->  one main chunk (as luac does)
 *   a main chunk --lfsc_lc_write-->       a NodeMCU .lc (float, float16,
 *                                         int) or a stock host chunk
 *   proto trees  --lfsc_image_index-->    the LFS index function
 *   index        --lfsc_image_write-->    a PI (gzip) or absolute image
 *   image bytes  --lfsc_image_read / lfsc_image_verify--> facts, problems
 *
 * Conventions are lfsc.h's: LFSC_OK or a negative LFSC_E* code, the
 * message in lfsc_errmsg(ctx); everything returned lives in ctx's arena
 * until lfsc_free(ctx). Output goes to an lfsc_sink (lfsc/sink.h): a
 * memory sink (lfsc_sink_mem_init) or a FILE* (lfsc_sink_file_init).
 * lfsc_image_write writes nothing when it fails; lfsc_lc_write may have
 * written part of a chunk, so discard the output on any error (luac.cross
 * writes to a temporary file). The library never prints and never exits.
 * man liblfsc(3) shows the calls together.
 */
#ifndef LFSC_PUBLIC_BUILD_H
#define LFSC_PUBLIC_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"
#include "lfsc/platform.h"
#include "lfsc/sink.h"

/* ---- inputs ------------------------------------------------------------ */

typedef struct lfsc_input_opts {
  lfsc_target target;           /* selects number model and bytecode format */
  int compat_lineinfo;          /* reproduce the reference line-info bug */
  const char *source_prefix;    /* dropped from the front of source names (or NULL) */
} lfsc_input_opts;

/* Load path ("-" or NULL for stdin) as luac.cross does: Lua source is
 * compiled with chunk name "@path" (the names in module names, line info
 * and messages); a binary chunk (first byte ESC, possibly after a '#'
 * line) is read in the target's bytecode format. Errors are luac's
 * messages, e.g. "cannot open x.lua: No such file or directory" or
 * "x.lua:3: unexpected symbol near '@'". */
int lfsc_input_load(lfsc_ctx *ctx, const lfsc_input_opts *opts, const char *path,
                    lfsc_proto **out);

/* lfsc_input_load over the bytes of a file already in memory (path names
 * the chunk: "-" or NULL for stdin's rules). */
int lfsc_input_load_buffer(lfsc_ctx *ctx, const lfsc_input_opts *opts, const char *path,
                           const unsigned char *buf, size_t len, lfsc_proto **out);

/* luac's wrapper for several chunks: a main "=(luac)" function that
 * creates and calls each chunk in order; with n == 1, the chunk itself.
 * NULL when out of memory. */
lfsc_proto *lfsc_input_combine(lfsc_ctx *ctx, lfsc_proto **chunks, int n);

/* ---- binary chunks ----------------------------------------------------- */

/* Serialise the tree rooted at main as a binary chunk for target: the
 * NodeMCU .lc of the float (and float16) or int firmware, or with
 * LFSC_TARGET_HOST the stock Lua 5.1 chunk of this machine (what luac5.1
 * writes). strip drops source names, line info and local/upvalue names,
 * as luac -s does. LFSC_OK, the sink's error, or LFSC_ELIMIT for an
 * int32 constant the int format cannot carry. */
int lfsc_lc_write(lfsc_ctx *ctx, const lfsc_proto *main, lfsc_target target,
                  int strip, lfsc_sink *out);

/* ---- LFS images -------------------------------------------------------- */

/* luac.cross's default maximum image size (its -m): 256 KiB. */
#define LFSC_IMAGE_MAXSIZE 0x40000u

/* The image timestamp luac.cross uses: text when it is neither NULL nor
 * empty, else the environment's SOURCE_DATE_EPOCH (reproducible builds)
 * when set and not empty, else the clock;
 * in seconds since the epoch. LFSC_EARG for a value that is not a whole
 * number ("bad timestamp 'x'", "SOURCE_DATE_EPOCH: bad timestamp 'x'"). */
int lfsc_image_time(lfsc_ctx *ctx, const char *text, int64_t *out);

/* Module name of a chunk from its source name: "@dir/m.x.lua" -> "m".
 * Writes at most len - 1 bytes to out (no terminator) and returns the
 * count. */
size_t lfsc_image_modname(const char *source, size_t len, char *out);

/* The index function of an image over chunks[0..n), in that order: it
 * maps each chunk's module name (from its source name) to the chunk and
 * holds the timestamp. files[i] (files or files[i] may be NULL) names
 * chunk i in messages and supplies a source for a chunk that has none.
 * Two chunks with one module name are LFSC_EARG naming both. target is
 * the image's (not HOST); an int image keeps the timestamp as int32. */
int lfsc_image_index(lfsc_ctx *ctx, lfsc_proto *const *chunks, const char *const *files,
                     size_t n, lfsc_target target, int64_t timestamp, lfsc_proto **out);

typedef struct lfsc_image_opts {
  lfsc_target target;           /* FLOAT, FLOAT16, INT or a 5.3 preset: the firmware */
  int absolute;                 /* absolute image at addr (luac.cross -a), else
                                   position independent, gzip (-f) */
  uint32_t addr;                /* mapped address of the image's first byte */
  uint64_t maxsize;             /* largest image accepted, in bytes (-m;
                                   luac.cross's default is LFSC_IMAGE_MAXSIZE) */
  int strip;                    /* no line info, local or upvalue names (-s) */
  int best;                     /* smallest PI image, slower (--best) */
  int no_window_check;          /* allow addr and sizes beyond the flash window
                                   the chip maps (--no-window-check) */
  const lfsc_platform *platform;  /* the chip (lfsc/platform.h); NULL: the
                                   default, LFSC_PLATFORM_DEFAULT */
  int have_seed;                /* Lua 5.3 images: seed is the string hash seed
                                   (--seed); else the image's own (when made
                                   from an image) or one derived from the
                                   content, so that builds are reproducible */
  int64_t seed;
  int compat_loader;            /* Lua 5.3 images as NodeMCU's luac.cross makes
                                   them, faults of the firmware's loader
                                   included: module order kept, modules it
                                   cannot find allowed (over 255, names over
                                   40 bytes), -a in its layout ("thread" and
                                   "proto" constants as it loads them) */
  int compat_deflate;           /* a 5.1 PI image compressed as NodeMCU's
                                   luac.cross compresses it (its bytes; larger
                                   than ours, and it may hold a back-reference
                                   the stock loader refuses, as the
                                   reference's do) */
} lfsc_image_opts;

/* Write the LFS image whose index function is index (lfsc_image_index)
 * to out: the bytes luac.cross -f, -a and -m write. *size (may be NULL)
 * receives the image's flash size, bitmap excluded, as soon as it is
 * known, also when it then exceeds maxsize or the platform's largest
 * image (LFSC_ELIMIT). An addr the platform cannot map (not on a 4 KiB
 * flash sector of its window) or a HOST target is LFSC_EARG. Nothing is
 * written on any error. */
int lfsc_image_write(lfsc_ctx *ctx, const lfsc_proto *index, const lfsc_image_opts *opts,
                     lfsc_sink *out, uint32_t *size);

/* ---- reading and verifying images -------------------------------------- */

typedef struct lfsc_image_module {
  const lfsc_str *name;         /* module name (NULL if the index holds no string) */
  lfsc_proto *proto;            /* its main function */
  uint32_t bytes;               /* its Protos' bytes in the image, strings excluded */
} lfsc_image_module;

typedef struct lfsc_image_info {
  lfsc_target target;           /* FLOAT, FLOAT16 or INT (from the signature) */
  int compressed;               /* the file was gzip (a PI image file) */
  int absolute;                 /* addresses are absolute (ABS image, flash dump) */
  uint32_t base;                /* absolute: mapped address of the first byte */
  uint32_t flash_size;          /* image bytes, relocation bitmap excluded */
  int nstrings;                 /* strings in the read-only string table */
  int nfuncs;                   /* Protos, the index function included */
  int has_timestamp;
  double timestamp;             /* the index function's timestamp */
  lfsc_proto *index;            /* the index function; its p[] are the modules */
  int nmodules;
  const lfsc_image_module *modules;   /* in index order */
} lfsc_image_info;

/* Decode an image file held in memory: a PI image (gzip or not), an
 * absolute image or a relocated flash dump. Nothing in it is trusted; the
 * first structural problem is LFSC_EFORMAT with a message naming its
 * offset (LFSC_ELIMIT: too large to inflate). */
int lfsc_image_read(lfsc_ctx *ctx, const void *file, size_t len, lfsc_image_info *out);

typedef struct lfsc_verify_opts {
  int have_target;
  lfsc_target target;           /* the firmware the image must suit */
  uint32_t region_size;         /* LFS partition size, 0 = unknown */
  int have_base;
  uint32_t base;                /* mapped address the image must run at */
  int strict_loader;            /* the stock loader's restrictions become errors */
  int no_window_check;          /* as in lfsc_image_opts */
  const lfsc_platform *platform;  /* as in lfsc_image_opts */
} lfsc_verify_opts;

typedef struct lfsc_verify_problem {
  int warning;                  /* 0: an error (the image is invalid) */
  int at;                       /* 0: no single place; 1: offset is in the
                                   uncompressed image; 2: in the file as given */
  uint32_t offset;
  const char *msg;
} lfsc_verify_problem;

typedef struct lfsc_verify_result {
  int errors, warnings;         /* all found: the image is valid when errors == 0 */
  int nproblems;                /* kept in problems[] (at most 200) */
  const lfsc_verify_problem *problems;
} lfsc_verify_result;

/* Check an image file held in memory against everything the firmware and
 * the reference tools rely on (what lfsimg verify does), listing every
 * problem with its offset. opts may be NULL (no expectations). LFSC_OK
 * when the check ran, whatever its verdict; LFSC_EMEM otherwise. */
int lfsc_image_verify(lfsc_ctx *ctx, const void *file, size_t len, const lfsc_verify_opts *opts,
                      lfsc_verify_result *out);

#endif
