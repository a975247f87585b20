/*
 * Opening an ELF file held in memory for reading: what the ESP8266 and the
 * ESP32 firmware readers share before each checks its own machine.
 */
#ifdef LFSC_HAVE_LIBELF
#include <stdint.h>

#include "elfdl.h"

int lfsc_elf_fail(lfsc_ctx *ctx, Elf *e, const char *name, const char *what)
{
  int rc = lfsc_seterr(ctx, LFSC_EFORMAT, "%s: %s: %s", name, what, elf_errmsg(-1));
  elf_end(e);
  return rc;
}

int lfsc_elf_open(lfsc_ctx *ctx, const char *name, const unsigned char *buf, size_t len,
                  Elf **e, GElf_Ehdr *eh)
{
  *e = NULL;
  const char *why = lfsc_elf_start();
  if (why)
    return lfsc_seterr(ctx, LFSC_EIO, "%s: %s", name, why);
  /* elf_memory's image is only read (ELF_C_READ), never written */
  Elf *f = elf_memory((char *)(uintptr_t)buf, len);
  if (!f)
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: not a readable ELF file: %s", name,
                       elf_errmsg(-1));
  if (elf_kind(f) != ELF_K_ELF || !gelf_getehdr(f, eh))
    return lfsc_elf_fail(ctx, f, name, "truncated or corrupt ELF header");
  *e = f;
  return LFSC_OK;
}

int lfsc_elf_check_shdrs(lfsc_ctx *ctx, Elf *e, const char *name, const GElf_Ehdr *eh, size_t len)
{
  if (eh->e_shoff <= len && (uint64_t)eh->e_shnum * eh->e_shentsize <= len - eh->e_shoff)
    return LFSC_OK;
  elf_end(e);
  return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: truncated: the ELF section headers (at file "
                     "offset 0x%llx) run past the end of the file (%zu bytes)", name,
                     (unsigned long long)eh->e_shoff, len);
}
#else
/* an archive that defines nothing would fail the room check */
typedef int lfsc_elf_none;
#endif
