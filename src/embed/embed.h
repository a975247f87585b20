/*
 * Embedding compiled modules in firmware: the set of modules (one chunk
 * of target bytecode each, what the dialect's write_chunk writes -- a 5.1
 * or 5.3 .lc -- named by its module name), shared by the two writers: C source (embed_c.c) and an ELF
 * relocatable object (embed_elf.c).
 *
 * Names. A file's module name is what an LFS image calls it ("@d/m.x.lua"
 * -> "m", stdin -> "stdin"); with split, its piece after
 * "--[[SPLIT part]]" is "m-part". Symbols use the name mangled: every '-'
 * becomes '_'; the result must be a C identifier ([A-Za-z_][A-Za-z0-9_]*),
 * and no two modules may have the same name or the same mangled name.
 */
#ifndef LFSC_EMBED_H
#define LFSC_EMBED_H

#include <stddef.h>

#include "lfsc/lfsc.h"
#include "base/sink.h"

typedef struct embed_module {
  char *name;                   /* looked-up name, NUL-terminated */
  char *ident;                  /* name mangled into a C identifier */
  char *file;                   /* the input it came from, for messages */
  unsigned long line;           /* its first line there (split pieces) */
  unsigned char *data;          /* the chunk's bytes */
  size_t size;
} embed_module;

typedef struct embed_opts {
  const struct lfsc_dialect *dialect;   /* the Lua (lfsc/dialect.h); NULL: 5.1 */
  lfsc_target target;
  int strip;                    /* -s */
  int compat_lineinfo;
  int split;                    /* cut sources at SPLIT markers */
  const char *prefix;           /* symbol prefix (default EMBED_PREFIX) */
  const char *section;          /* data section; NULL: the writer's default */
  const char *source_prefix;    /* dropped from source names (input.h) */
} embed_opts;

#define EMBED_PREFIX "lfsc_embedded"
#define EMBED_ELF_SECTION ".irom0.rodata"

typedef struct embed_set {
  embed_module *mods;           /* sorted by name (bytewise) after lfsc_embed_finish */
  size_t n, cap;
} embed_set;

/* LFSC_OK if s is a C identifier, else LFSC_EARG with a message naming
 * what (e.g. "--prefix"). */
int lfsc_embed_check_ident(lfsc_ctx *ctx, const char *what, const char *s);

/* Compile path ("-": stdin) for o->target and add its chunk, or with
 * o->split its pieces, to set. */
int lfsc_embed_add_file(lfsc_ctx *ctx, embed_set *set, const embed_opts *o, const char *path);

/* Check names (identifiers, duplicates) and sort the set. */
int lfsc_embed_finish(lfsc_ctx *ctx, embed_set *set);

void lfsc_embed_free(embed_set *set);

typedef enum { EMBED_C = 1, EMBED_ELF } embed_kind;
/* "c" or "elf" -> kind; LFSC_EARG otherwise. */
int lfsc_embed_kind_parse(lfsc_ctx *ctx, const char *name, embed_kind *out);

/* Write the set. output NULL: the default names, PREFIX.c and PREFIX.h,
 * or PREFIX.o. For C, output names the source and the header is output
 * with a final ".c" replaced by ".h" (else ".h" appended); both files are
 * completed in temporary files before either is renamed into place.
 * "-" (stdout) is possible for ELF only. */
int lfsc_embed_write(lfsc_ctx *ctx, const embed_set *set, const embed_opts *o, embed_kind kind,
                const char *output);

/* Check that output can be written before any input is read: for C, the
 * header's name must be one an #include "..." line can hold (no '"', '\'',
 * '\\' or control bytes): else LFSC_EARG naming the name. lfsc_embed_write
 * checks it too. */
int lfsc_embed_check_output(lfsc_ctx *ctx, const embed_opts *o, embed_kind kind,
                            const char *output);

/* The writers. lfsc_embed_c_write writes the C source to src and its header to
 * hdr; header_name is what the source #includes. */
int lfsc_embed_c_write(lfsc_ctx *ctx, const embed_set *set, const embed_opts *o,
                  const char *header_name, lfsc_sink *src, lfsc_sink *hdr);
/* An ELF32 little-endian relocatable object for Xtensa. Without libelf in
 * the build: LFSC_EARG, "not available in this build". */
int lfsc_embed_elf_write(lfsc_ctx *ctx, const embed_set *set, const embed_opts *o, lfsc_sink *out);
/* 1 when lfsc_embed_elf_write can work in this build. */
int lfsc_embed_elf_available(void);

#endif
