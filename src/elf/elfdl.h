/*
 * libelf, loaded at the first ELF a run reads or writes (dlopen) rather
 * than linked: every luac.cross and lfsimg run would otherwise pay for
 * loading it (about 20,000 instructions of dynamic linking), also the runs
 * that never see an ELF. The files that use ELF include this instead of
 * <gelf.h>, call lfsc_elf_start before anything else of libelf, and their
 * calls then go through the table it fills. This is the only room that
 * knows libelf is a library; it also opens an ELF for the readers.
 */
#ifndef LFSC_ELF_ELFDL_H
#define LFSC_ELF_ELFDL_H

/* Load libelf once and set its working version: NULL, or why not (this
 * build has no ELF support, or the library could not be loaded). */
const char *lfsc_elf_start(void);

#ifdef LFSC_HAVE_LIBELF
#include <gelf.h>

#include "lfsc/lfsc.h"

/* the API the ELF readers and writer use (a function missing here fails to
 * link, as the macros below leave no call for the linker to bind) */
#define LFSC_LIBELF_API(X) \
  X(elf32_fsize) \
  X(elf32_getshdr) \
  X(elf32_newehdr) \
  X(elf_begin) \
  X(elf_end) \
  X(elf_errmsg) \
  X(elf_getdata) \
  X(elf_kind) \
  X(elf_memory) \
  X(elf_ndxscn) \
  X(elf_newdata) \
  X(elf_newscn) \
  X(elf_nextscn) \
  X(elf_strptr) \
  X(elf_update) \
  X(elf_version) \
  X(gelf_getehdr) \
  X(gelf_getshdr) \
  X(gelf_getsym)

typedef struct lfsc_libelf_api {
#define LFSC_LIBELF_FIELD(f) __typeof__(f) *p_##f;
  LFSC_LIBELF_API(LFSC_LIBELF_FIELD)
#undef LFSC_LIBELF_FIELD
} lfsc_libelf_api;

extern lfsc_libelf_api lfsc_libelf;

/* Open the ELF file buf[0..len) for reading (elfread.c): libelf started,
 * the file an ELF with a whole header, which goes to *eh. LFSC_OK with *e
 * (for elf_end), or the error set, naming the file name. */
int lfsc_elf_open(lfsc_ctx *ctx, const char *name, const unsigned char *buf, size_t len,
                  Elf **e, GElf_Ehdr *eh);
/* LFSC_OK when the section headers lie inside the file's len bytes;
 * otherwise e ended and the error set. */
int lfsc_elf_check_shdrs(lfsc_ctx *ctx, Elf *e, const char *name, const GElf_Ehdr *eh, size_t len);
/* "name: what: libelf's reason" set as a format error, e ended: its code */
int lfsc_elf_fail(lfsc_ctx *ctx, Elf *e, const char *name, const char *what);

#ifndef LFSC_ELFDL_IMPL
#define elf32_fsize (lfsc_libelf.p_elf32_fsize)
#define elf32_getshdr (lfsc_libelf.p_elf32_getshdr)
#define elf32_newehdr (lfsc_libelf.p_elf32_newehdr)
#define elf_begin (lfsc_libelf.p_elf_begin)
#define elf_end (lfsc_libelf.p_elf_end)
#define elf_errmsg (lfsc_libelf.p_elf_errmsg)
#define elf_getdata (lfsc_libelf.p_elf_getdata)
#define elf_kind (lfsc_libelf.p_elf_kind)
#define elf_memory (lfsc_libelf.p_elf_memory)
#define elf_ndxscn (lfsc_libelf.p_elf_ndxscn)
#define elf_newdata (lfsc_libelf.p_elf_newdata)
#define elf_newscn (lfsc_libelf.p_elf_newscn)
#define elf_nextscn (lfsc_libelf.p_elf_nextscn)
#define elf_strptr (lfsc_libelf.p_elf_strptr)
#define elf_update (lfsc_libelf.p_elf_update)
#define elf_version (lfsc_libelf.p_elf_version)
#define gelf_getehdr (lfsc_libelf.p_gelf_getehdr)
#define gelf_getshdr (lfsc_libelf.p_gelf_getshdr)
#define gelf_getsym (lfsc_libelf.p_gelf_getsym)
#endif
#endif

#endif
