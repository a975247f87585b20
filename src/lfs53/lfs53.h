/*
 * NodeMCU Lua 5.3 LFS images (spec lfs53-formats §4, §6): the format-11
 * image file luac.cross -f writes and the device loads, its reader, and the
 * absolute flash image (-a) the device builds from it.
 */
#ifndef LFSC_LFS53_H
#define LFSC_LFS53_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"
#include "base/sink.h"

/* The strings every 5.3 firmware holds before it loads an image (lexer
 * tokens, "not enough memory", "_ENV", metamethod and type names, each
 * once): never written in an image, referenced after its own strings. The
 * first LFSC_LFS53_NRESERVED are the reserved words. */
#define LFSC_LFS53_NFIXED 71
#define LFSC_LFS53_NRESERVED 22
extern const char *const lfsc_lfs53_fixed[LFSC_LFS53_NFIXED];

/* One module of an image: its compiled chunk and the file name it came
 * from (the module name is derived from it as the reference does). */
typedef struct lfsc_lfs53_module {
  const char *filename;
  const lfsc_proto *proto;
} lfsc_lfs53_module;

/* The module name of a file name as luac.cross derives it (corename):
 * the base name, leading dots dropped, cut at the next dot
 * (".dotfile.lua" -> "dotfile", "multi.dot.name.lua" -> "multi"). Writes
 * at most cap-1 bytes and a NUL into buf; returns the name's length. */
size_t lfsc_lfs53_module_name(const char *filename, char *buf, size_t cap);

/* Write a format-11 image of mods[0..n) for variant v (a NodeMCU 5.3
 * preset's variant), -s as strip, seed and timestamp (the reference's
 * makeseed() and time(); lua_Integer of the variant: for the 32-bit
 * integer variants they must fit in int32). Errors: duplicate module
 * names ("Cannot have duplicate files ('same.lua') in LFS"), an empty
 * module name, an integer out of range. 0 or an LFSC_E* code; nothing
 * useful in out on error. */
int lfsc_lfs53_write(lfsc_ctx *ctx, const lfsc_lfs53_module *mods, int n, lfsc_variant v,
                     int strip, int64_t seed, int64_t timestamp, lfsc_sink *out);

/* The device's loader builds its module table from the image's module
 * order, with the reference's faults (spec §10): a "__" name is found only
 * among leading "__" names, a name over 40 bytes never, and only the first
 * n mod 256 modules. For -f images a device user can find:
 * lfsc_lfs53_order_modules moves the "__" modules first (stable; order
 * otherwise kept) and lfsc_lfs53_check_modules refuses what no order can
 * fix (LFSC_ELIMIT: over 255 modules, a name over 40 bytes). Neither is
 * applied by lfsc_lfs53_write, which writes the reference's bytes. */
void lfsc_lfs53_order_modules(lfsc_lfs53_module *mods, int n);
int lfsc_lfs53_check_modules(lfsc_ctx *ctx, const lfsc_lfs53_module *mods, int n);

/* A seed derived from an image's content, for reproducible images when
 * the user gives no --seed: write the image with seed 0, take this of its
 * bytes, write it again with the result (31 bits: a positive lua_Integer
 * in every variant). */
int64_t lfsc_lfs53_content_seed(const unsigned char *img, size_t len);

/* A format-11 image as read. */
typedef struct lfsc_lfs53_image {
  lfsc_variant variant;
  int64_t seed, timestamp;
  int nmodules;
  const lfsc_str **names;       /* module names, in file order */
  lfsc_proto **protos;          /* their top-level functions (upvalue 0 instack 0) */
  int strip;                    /* every function has nostrip 0 */
  /* the string section as the file has it */
  uint64_t maxlen, nshort, nlong;
  int nstrings;
  const lfsc_str **strings;     /* [0..nstrings) */
  size_t size;                  /* bytes read (trailing bytes follow) */
} lfsc_lfs53_image;

/* Read a format-11 image from buf[0..len); name names it in errors
 * ("<name>: <why> precompiled chunk"). want: the variant it must be, or
 * NULL for any. Trusts no field: every count is bounded by the input,
 * every string reference checked, the string counts (maxlen, nshort,
 * nlong) must be the ones the strings give, the names must be short or
 * long strings. Errors are LFSC_EFORMAT. */
int lfsc_lfs53_read(lfsc_ctx *ctx, const unsigned char *buf, size_t len, const char *name,
                    const lfsc_variant *want, lfsc_lfs53_image *out);

/* The image lfsc_lfs53_write would write, as lfsc_lfs53_read returns it
 * (for -a straight from sources): written to memory and read back, so
 * the two paths cannot disagree. Same errors as lfsc_lfs53_write. */
int lfsc_lfs53_image_from_modules(lfsc_ctx *ctx, const lfsc_lfs53_module *mods, int n,
                                  lfsc_variant v, int strip, int64_t seed, int64_t timestamp,
                                  lfsc_lfs53_image *out);

/* Options of the absolute image (-a). */
typedef struct lfsc_lfs53_abs_opts {
  uint32_t address;             /* flash address of the image's first byte */
  uint32_t max_size;            /* refuse a larger image (-m); 0: no limit */
  uint32_t signature;           /* header word 0; 0: 0xFAFAA250 */
  int compat;                   /* the reference loader's layout, bugs included:
                                   ROTable in file order with n & 0xFF entries,
                                   names over 40 bytes, "thread"/"proto"
                                   constants as "userdata"/"thread" */
} lfsc_lfs53_abs_opts;

/* The flash image the device builds from img (spec §6), for a 32-bit
 * target: header, strings and buckets, functions, the module ROTable, at
 * o->address (a multiple of 4; the image must end below 4 GiB and fit
 * o->max_size). Bytes the reference leaves as host memory (Upvaldesc and
 * Proto padding, a nil constant's value, the upper half of a boolean's
 * 8-byte value) are zero. Without o->compat, the reference's faults are
 * fixed: "__" names first in the ROTable, "thread"/"proto" constants
 * themselves; over 255 modules or a module name over 40 bytes (the
 * firmware could not find them) is LFSC_ELIMIT. */
int lfsc_lfs53_abs(lfsc_ctx *ctx, const lfsc_lfs53_image *img, const lfsc_lfs53_abs_opts *o,
                   lfsc_sink *out);

/* Read an absolute flash image (what lfsc_lfs53_abs and the device
 * build) back into an image: module names in ROTable order, their
 * functions, the image's own strings (address order), seed and
 * timestamp; *address (may be NULL) is the address it was built for.
 * want: the variant (its TValue size), or NULL to take it from the
 * module table's layout and the ESP32 signature bits (8-byte TValues:
 * int32+float32; 12: int64+double unless the signature says otherwise).
 * Trusts no field; errors are LFSC_EFORMAT "<name>: <why> in absolute
 * image". A flash image holds no -s flag: strip is 0. Constants are what
 * the device sees (a reference image's "thread" reads as "userdata"). */
int lfsc_lfs53_abs_read(lfsc_ctx *ctx, const unsigned char *buf, size_t len, const char *name,
                        const lfsc_variant *want, lfsc_lfs53_image *img, uint32_t *address);

/* The flash signature (header word 0) a firmware of variant v checks at
 * boot: 0xFAFAA250 on the ESP8266; the ESP32 adds 1 for int64 and 2 for
 * double numbers (esp32-lfs.md, lua-5.3/lundump.h). Pass it as
 * lfsc_lfs53_abs_opts.signature. */
uint32_t lfsc_lfs53_signature(lfsc_variant v, int esp32);

/* luaS_hash of NodeMCU 5.3 (5.1's hash, h starting at seed ^ len). */
uint32_t lfsc_lfs53_hash(const char *s, size_t len, uint32_t seed);

#endif
