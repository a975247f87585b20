/*
 * liblfsc: a Lua 5.1 and Lua 5.3 compiler and NodeMCU Lua Flash Store image
 * toolkit (the second Lua through lfsc/dialect.h).
 *
 * Conventions: functions return 0 (LFSC_OK) on success and a negative
 * LFSC_E* code on failure, with the message in lfsc_errmsg(ctx). The
 * library never prints and never exits.
 */
#ifndef LFSC_LFSC_H
#define LFSC_LFSC_H

#include <stddef.h>
#include <stdint.h>
#include "lfsc/proto.h"

#define LFSC_VERSION "0.1.0"

/* printf-style checking; mingw's own C99 stdio is gnu_printf, not msvcrt's. */
#if defined(__MINGW32__)
#define LFSC_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#elif defined(__GNUC__)
#define LFSC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define LFSC_PRINTF(f, a)
#endif

enum {
  LFSC_OK = 0,
  LFSC_ESYNTAX = -1,            /* compile error: "chunk:line: msg near 'tok'" */
  LFSC_EMEM = -2,               /* out of memory */
  LFSC_EIO = -3,                /* read/write failure */
  LFSC_EFORMAT = -4,            /* bad binary input (bytecode, image) */
  LFSC_ELIMIT = -5,             /* a size limit of the target was exceeded */
  LFSC_EARG = -6                /* bad argument or option value */
};

/* Output targets: the named presets users pick (-t float|float16|int|host).
 * float, float16 and int are NodeMCU firmware variants; host is a stock
 * Lua 5.1 binary chunk for the machine we run on. What a preset means is
 * its lfsc_variant (lfsc_target_variant): code decides by those fields,
 * not by the preset's name. */
typedef enum {
  LFSC_TARGET_FLOAT = 0,        /* default: double numbers, 12-byte TValues */
  LFSC_TARGET_FLOAT16,          /* double numbers, 16-byte TValues */
  LFSC_TARGET_INT,              /* int32 numbers, 8-byte TValues */
  LFSC_TARGET_HOST,             /* stock luac format of this host (luac5.1's,
                                   or luac5.3's for the 5.3 dialect) */
  /* NodeMCU Lua 5.3 firmware variants, named as the firmware prints them:
   * integer width, then float width */
  LFSC_TARGET_53_INT32_SINGLEFP,  /* `make LUA=53`: the 5.3 default */
  LFSC_TARGET_53_INT64_DOUBLEFP,  /* -DLUA_NUMBER_64BITS */
  LFSC_TARGET_53_INT32_DOUBLEFP,  /* ESP32 Kconfig mixes */
  LFSC_TARGET_53_INT64_SINGLEFP
} lfsc_target;
#define LFSC_TARGET_COUNT 8     /* the presets are 0 .. LFSC_TARGET_COUNT - 1 */

/* How the front end lexes and folds numbers. */
typedef enum {
  LFSC_NUM_DOUBLE = 0,          /* IEEE double, like stock Lua 5.1 */
  LFSC_NUM_INT32,               /* the 5.1 integer firmware's int32 arithmetic */
  /* Lua 5.3: an integer and a float subtype, each 32 or 64 bits wide */
  LFSC_NUM_I32_F32,             /* wrapping int32, float32 folding */
  LFSC_NUM_I64_F64,             /* stock Lua 5.3 */
  LFSC_NUM_I32_F64,
  LFSC_NUM_I64_F32
} lfsc_nummodel;

/* The container a chunk or image is written in. */
typedef enum {
  LFSC_FORMAT_NODEMCU = 0,      /* NodeMCU firmware: .lc, LFS images */
  LFSC_FORMAT_HOST              /* a stock luac chunk of this machine */
} lfsc_format;

/* A target as separate choices: container, number model and value layout. */
typedef struct lfsc_variant {
  lfsc_format format;
  lfsc_nummodel numbers;
  uint8_t tvalue_size;          /* NodeMCU: bytes per TValue in an image (8, 12
                                   or 16); 0: no image layout (host) */
  lfsc_lua lua;                 /* the Lua of the firmware (host: 5.1, though
                                   every dialect has a host format) */
} lfsc_variant;

typedef struct lfsc_ctx lfsc_ctx;

/* Compile-job context: the arena that owns every proto and string made
 * through it, the intern table and the last error message. */
lfsc_ctx *lfsc_new(void);
void lfsc_free(lfsc_ctx *ctx);
const char *lfsc_errmsg(const lfsc_ctx *ctx);
/* Set the error message (printf-style) and return code; for library use. */
int lfsc_seterr(lfsc_ctx *ctx, int code, const char *fmt, ...)
  LFSC_PRINTF(3, 4);

/* Intern a byte string in ctx (NULL on out-of-memory). */
const lfsc_str *lfsc_intern(lfsc_ctx *ctx, const char *s, size_t len);
/* Arena allocation owned by ctx, zero-filled (NULL on out-of-memory). */
void *lfsc_alloc(lfsc_ctx *ctx, size_t size);

/* Target properties: the preset's variant (an unknown target has no image
 * layout and otherwise reads as float), its number model, its name. */
lfsc_variant lfsc_target_variant(lfsc_target t);
lfsc_nummodel lfsc_target_nummodel(lfsc_target t);
const char *lfsc_target_name(lfsc_target t);
int lfsc_target_parse(const char *name, lfsc_target *out);   /* 0 or LFSC_EARG */

typedef struct lfsc_compile_opts {
  lfsc_nummodel nummodel;
  int keep_names;               /* keep local and upvalue names (stock luac does;
                                   NodeMCU strips them at parse time) */
  int compat_lineinfo;          /* reproduce the reference packed line-info bug */
} lfsc_compile_opts;

/* Compile one chunk of Lua 5.1 source. chunkname is "@file.lua" or
 * "=stdin" as in Lua; errors name the chunk as luac does. */
int lfsc_compile(lfsc_ctx *ctx, const lfsc_compile_opts *opts,
                 const char *chunkname, const char *src, size_t len,
                 lfsc_proto **out);

/* Streamed input, as lua_Reader: the next piece of input and its size in
 * *size, NULL or a size of 0 at the end. A piece stays valid until the
 * next call. A read error also ends the input; the caller that owns the
 * stream tells it apart afterwards. */
typedef const unsigned char *(*lfsc_read_fn)(void *ud, size_t *size);

/* lfsc_compile over a stream read in chunks as the lexer needs them, as
 * luac does: memory does not grow with the input, and a bad token stops
 * the compile without reading further. Same results as lfsc_compile over
 * the whole input. */
int lfsc_compile_stream(lfsc_ctx *ctx, const lfsc_compile_opts *opts,
                        const char *chunkname, lfsc_read_fn read, void *ud,
                        lfsc_proto **out);

#endif
