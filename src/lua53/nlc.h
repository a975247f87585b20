/*
 * NodeMCU Lua 5.3 dump encoding (spec lfs53-formats §3): the one varint
 * codec of counts (DumpInt), typed values (DumpIntTT) and strings, the
 * header of .lc (format 10) and LFS images (format 11), and the function
 * record, shared by the .lc reader/writer here and the image reader/writer
 * of src/lfs53 (which only change how a string field is written: bytes in
 * a .lc, an index into the string list in an image).
 */
#ifndef LFSC_NLC_H
#define LFSC_NLC_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"
#include "base/sink.h"

/* Format bytes of the header (byte 5). */
#define NLC_FORMAT_LC   10
#define NLC_FORMAT_IMG  11

/* Type nibbles of a typed value (bits 4..6 of its first byte). */
enum {
  NLC_TNIL = 0, NLC_TBOOL = 1, NLC_TFLT = 2, NLC_TINT = 3, NLC_TNINT = 4,
  NLC_TSSTR = 5, NLC_TLSTR = 6
};
/* Longest short string (LUAI_MAXSHORTLEN). */
#define NLC_MAXSHORTLEN 40
/* Deepest function nesting a reader follows (Lua's C-call limit). */
#define NLC_MAX_DEPTH 200

/* Widths of a 5.3 variant's lua_Integer and lua_Number (4 or 8 each). */
typedef struct nlc_sizes {
  uint8_t int_bytes;
  uint8_t num_bytes;
} nlc_sizes;

/* The widths of a NodeMCU 5.3 variant; LFSC_EARG (with a message) when the
 * variant is not a NodeMCU Lua 5.3 one. */
int lfsc_nlc_sizes(lfsc_ctx *ctx, lfsc_variant v, nlc_sizes *out);
/* The NodeMCU 5.3 preset with these widths. */
lfsc_target lfsc_nlc_target(nlc_sizes s);
/* Header length: 21 bytes, or 25 with an 8-byte lua_Number. */
size_t lfsc_nlc_header_size(nlc_sizes s);

/* What a file is, by its header (for lfsimg and luac.cross inputs): 1 and
 * *format (10 .lc, 11 image) and *v when buf starts with a NodeMCU Lua 5.3
 * header of a known variant, else 0. Reads at most 25 bytes. */
int lfsc_nlc_sniff(const unsigned char *buf, size_t len, int *format, lfsc_variant *v);

/* {================= writing =================} */

void lfsc_nlc_put_header(lfsc_sink *out, int format, nlc_sizes s);
/* DumpInt: an unsigned count. */
void lfsc_nlc_put_count(lfsc_sink *out, uint64_t v);
/* DumpIntTT: value v with type nibble tt. */
void lfsc_nlc_put_typed(lfsc_sink *out, unsigned tt, uint64_t v);
/* An integer constant as type INT or NINT (-v-1). */
void lfsc_nlc_put_integer(lfsc_sink *out, int64_t v);
/* A string field in a .lc: NULL is 0x50, else len+1 typed short or long,
 * then the bytes. */
void lfsc_nlc_put_string(lfsc_sink *out, const lfsc_str *s);

/* How a function record writes a string field (.lc: bytes; image: the
 * string's 1-based index). */
typedef void (*nlc_put_str_fn)(void *ud, lfsc_sink *out, const lfsc_str *s);

typedef struct nlc_writer {
  lfsc_ctx *ctx;
  lfsc_sink *out;
  nlc_sizes sizes;
  int strip;                    /* -s: nostrip 0, no upvalue names */
  nlc_put_str_fn put_str;
  void *put_str_ud;
  int status;                   /* first error of our own (LFSC_ELIMIT...) */
} nlc_writer;

/* One function record (and its children) of spec §3; parent_source is
 * the source that a NULL source stands for. */
void lfsc_nlc_put_function(nlc_writer *w, const lfsc_proto *f, const lfsc_str *parent_source);

/* {================= reading =================} */

/* A bounded cursor over the whole input. Errors are sticky and read
 * "<name>: <why> precompiled chunk" as the reference's. */
typedef struct nlc_reader {
  lfsc_ctx *ctx;
  const unsigned char *buf;
  size_t len, pos;
  const char *name;
  nlc_sizes sizes;
  int status;
  int depth;
  int nostrip_seen;             /* some function had nostrip 1 */
  /* string fields: NULL means .lc (bytes follow); an image resolves
   * 1-based indexes through this */
  int (*get_str)(void *ud, struct nlc_reader *r, unsigned tt, uint64_t v, const lfsc_str **out);
  void *get_str_ud;
} nlc_reader;

int lfsc_nlc_fail(nlc_reader *r, const char *why);
int lfsc_nlc_get_byte(nlc_reader *r);                /* -1 at the end (error set) */
uint64_t lfsc_nlc_get_count(nlc_reader *r);         /* checks overflow */
/* A typed value: the first byte's type nibble in *tt, value returned. */
uint64_t lfsc_nlc_get_typed(nlc_reader *r, unsigned *tt);
/* An integer of the variant's width from type INT/NINT and value. */
int64_t lfsc_nlc_integer(nlc_reader *r, unsigned tt, uint64_t v);
/* Header: signature, version, format (expected), sizes; sets r->sizes.
 * If want_sizes is not NULL the sizes must equal it. */
int lfsc_nlc_get_header(nlc_reader *r, int format, const nlc_sizes *want_sizes);
/* A string field (NULL allowed). */
const lfsc_str *lfsc_nlc_get_string(nlc_reader *r);
/* One function record; a NULL source becomes parent_source. */
lfsc_proto *lfsc_nlc_get_function(nlc_reader *r, const lfsc_str *parent_source);


/* {================= code checker =================} */

/* Lua 5.3 has no load-time verifier: these bound every operand the VM
 * uses as an index (registers below maxstacksize, constants below sizek,
 * upvalues below nups, jumps inside the function, CLOSURE below sizep,
 * LOADKX/SETLIST followed by EXTRAARG, tests by a jump, a final RETURN,
 * upvalue descriptors inside the parent). Code stock 5.3 generates passes.
 * A pure predicate: 1 when acceptable, else 0 with a static *why and the
 * 0-based *pc of the offending instruction (-1 for a function-level
 * rule). parent: the enclosing function (NULL for a main/top-level one). */
int lfsc_nlc_check_proto(const lfsc_proto *f, const lfsc_proto *parent, const char **why, int *pc);
/* The whole tree, children first; *bad is the first function that fails. */
int lfsc_nlc_check_tree(const lfsc_proto *f, const char **why, const lfsc_proto **bad);

/* {================= the .lc file (format 10) =================} */

/* Write main as a NodeMCU 5.3 .lc for variant v (a NodeMCU Lua 5.3
 * preset's lfsc_target_variant). strip is -s. 0 or an LFSC_E* code. */
int lfsc_nlc_write(lfsc_ctx *ctx, const lfsc_proto *main, lfsc_variant v, int strip,
                   lfsc_sink *out);

/* Read a NodeMCU 5.3 .lc from buf[0..len) (buf[0] is the ESC byte). name
 * names the input in errors ("<name>: truncated precompiled chunk"...).
 * want: the variant the file must be (the reference's checks and texts:
 * "format mismatch in precompiled chunk" for a stock or image file,
 * "lua_Integer size mismatch in precompiled chunk" for the other
 * variant's), or NULL to accept any 5.3 variant; *got (may be NULL) is
 * the variant read. Trailing bytes are ignored, as the reference does.
 * Every function gets lineinfo[] and packedli when the file has line
 * info, and a non-NULL source when the file has one for main. */
int lfsc_nlc_read(lfsc_ctx *ctx, const unsigned char *buf, size_t len, const char *name,
                  const lfsc_variant *want, lfsc_proto **out, lfsc_variant *got);

/* The main luac.cross writes for several inputs (spec §3): source
 * "=(luac.cross)", a bare RETURN, the chunks as its functions (each
 * chunk's upvalue 0 bound by the loader: instack 0), never called. The
 * chunks are copied shallowly, not changed. NULL when out of memory. */
lfsc_proto *lfsc_nlc_combine(lfsc_ctx *ctx, lfsc_proto *const *chunks, int n);

/* A top-level chunk as an image or combined main holds it: upvalue 0
 * (_ENV) with instack 0 (the loader binds it). A shallow copy. */
lfsc_proto *lfsc_nlc_toplevel(lfsc_ctx *ctx, const lfsc_proto *chunk);
/* The inverse, for extracting a module of an image as a .lc main: upvalue
 * 0 (_ENV) with instack 1, as a compiled chunk has it. A shallow copy. */
lfsc_proto *lfsc_nlc_standalone(lfsc_ctx *ctx, const lfsc_proto *chunk);
#endif
