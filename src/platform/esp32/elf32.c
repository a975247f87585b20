/*
 * ESP32-family ELF reader (elf32.h), on libelf as the ESP8266's
 * firmware.c reads its ELF; without libelf only the sniffing works.
 */
#include <string.h>

#include "elf32.h"

#ifdef LFSC_HAVE_LIBELF
#include "elf/elfdl.h"
#endif

static int has_bytes(const unsigned char *h, size_t hn, const char *needle)
{
  size_t nn = strlen(needle);
  for (size_t i = 0; nn <= hn && i <= hn - nn; i++)
    if (h[i] == (unsigned char)needle[0] && memcmp(h + i, needle, nn) == 0)
      return 1;
  return 0;
}

int lfsc_esp32elf_sniff(const unsigned char *buf, size_t len)
{
  if (len < 52 || memcmp(buf, "\177ELF", 4) != 0 || buf[4] != 1 || buf[5] != 1)
    return 0;
  unsigned m = (unsigned)(buf[18] | buf[19] << 8);
  if (m == ESP32ELF_EM_RISCV)
    return 1;
  /* ESP-IDF's linker scripts name these; the ESP8266 SDK's do not */
  return m == ESP32ELF_EM_XTENSA &&
         (has_bytes(buf, len, ".flash.rodata") || has_bytes(buf, len, ".flash.appdesc"));
}

const char *lfsc_esp32elf_arch(unsigned machine)
{
  return machine == ESP32ELF_EM_RISCV ? "RISC-V" : "Xtensa";
}

const unsigned char *lfsc_esp32elf_at(const lfsc_esp32elf *elf, uint32_t addr, uint32_t size)
{
  for (int i = 0; i < elf->nprog; i++) {
    const lfsc_esp32elf_sec *s = &elf->prog[i];
    if (addr >= s->addr && addr - s->addr <= s->len && size <= s->len - (addr - s->addr))
      return s->data + (addr - s->addr);
  }
  return NULL;
}

#ifdef LFSC_HAVE_LIBELF
/* the symbols: start/end, or the object and its size */
typedef struct syms {
  int have_start, have_end, have_obj;
  uint64_t start, end, obj, obj_size;
} syms;

static void take_symbol(syms *y, const char *s, const GElf_Sym *sym)
{
  if (strcmp(s, "_binary_lua_flash_store_reserved_start") == 0)
    y->have_start = 1, y->start = sym->st_value;
  else if (strcmp(s, "_binary_lua_flash_store_reserved_end") == 0)
    y->have_end = 1, y->end = sym->st_value;
  else if (strcmp(s, "lua_flash_store_reserved") == 0)
    y->have_obj = 1, y->obj = sym->st_value, y->obj_size = sym->st_size;
}

static int region(lfsc_ctx *ctx, const char *name, const syms *y, lfsc_esp32elf *elf)
{
  uint64_t a, n;
  if (y->have_start && y->have_end) {
    a = y->start;
    n = y->end - y->start;
    if (y->end < y->start)
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: _binary_lua_flash_store_reserved_end "
                         "0x%08llx is below _start 0x%08llx", name,
                         (unsigned long long)y->end, (unsigned long long)y->start);
    elf->lfs_from = "_binary_lua_flash_store_reserved_start/_end";
  } else if (y->have_obj && y->obj_size > 0) {
    a = y->obj;
    n = y->obj_size;
    elf->lfs_from = "lua_flash_store_reserved";
  } else {
    return LFSC_OK;             /* no embedded LFS in this build */
  }
  if (a + n > 0xFFFFFFFFull || n == 0)
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: the embedded LFS region 0x%llx, %llu bytes (%s) "
                       "is not a 32-bit address range", name, (unsigned long long)a,
                       (unsigned long long)n, elf->lfs_from);
  if (a % ESP32ELF_LFS_ALIGN)
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: the embedded LFS region at 0x%08llx (%s) is not "
                       "4096-byte aligned, as NodeMCU's embedded_lfs.lf places it", name,
                       (unsigned long long)a, elf->lfs_from);
  elf->have_lfs = 1;
  elf->lfs_addr = (uint32_t)a;
  elf->lfs_size = (uint32_t)n;
  return LFSC_OK;
}

int lfsc_esp32elf_read(lfsc_ctx *ctx, const char *name, const unsigned char *buf, size_t len,
                       lfsc_esp32elf *elf)
{
  memset(elf, 0, sizeof *elf);
  Elf *e;
  GElf_Ehdr eh;
  int rc = lfsc_elf_open(ctx, name, buf, len, &e, &eh);
  if (rc)
    return rc;
  if (eh.e_ident[EI_CLASS] != ELFCLASS32 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
      (eh.e_machine != ESP32ELF_EM_XTENSA && eh.e_machine != ESP32ELF_EM_RISCV)) {
    elf_end(e);
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: an ELF file for machine %u (%d-bit), not for "
                       "an ESP32 chip (Xtensa or RISC-V, 32-bit little-endian)", name,
                       (unsigned)eh.e_machine, eh.e_ident[EI_CLASS] == ELFCLASS64 ? 64 : 32);
  }
  elf->machine = eh.e_machine;
  if ((rc = lfsc_elf_check_shdrs(ctx, e, name, &eh, len)) != LFSC_OK)
    return rc;
  syms y;
  memset(&y, 0, sizeof y);
  Elf_Scn *scn = NULL;
  while ((scn = elf_nextscn(e, scn)) != NULL) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh))
      return lfsc_elf_fail(ctx, e, name, "corrupt section header");
    if (sh.sh_type == SHT_PROGBITS && (sh.sh_flags & SHF_ALLOC) && sh.sh_size > 0) {
      if (sh.sh_offset > len || sh.sh_size > len - sh.sh_offset || sh.sh_addr > 0xFFFFFFFFull) {
        elf_end(e);
        return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: truncated: a section (%llu bytes at file "
                           "offset 0x%llx) runs past the end of the file (%zu bytes)", name,
                           (unsigned long long)sh.sh_size, (unsigned long long)sh.sh_offset,
                           len);
      }
      lfsc_esp32elf_sec s = {(uint32_t)sh.sh_addr, buf + sh.sh_offset, (size_t)sh.sh_size};
      if (elf->nprog < (int)(sizeof elf->prog / sizeof elf->prog[0]))
        elf->prog[elf->nprog++] = s;
      if (!(sh.sh_flags & (SHF_WRITE | SHF_EXECINSTR)) && elf->nro < ESP32ELF_MAX_RO)
        elf->ro[elf->nro++] = s;
    }
    if (sh.sh_type != SHT_SYMTAB)
      continue;
    Elf_Data *d = elf_getdata(scn, NULL);
    if (!d || sh.sh_entsize == 0 || sh.sh_offset > len || sh.sh_size > len - sh.sh_offset) {
      elf_end(e);
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: truncated: the symbol table runs past the "
                         "end of the file", name);
    }
    size_t nsym = sh.sh_size / sh.sh_entsize;
    for (size_t k = 0; k < nsym && k <= 0x7FFFFFFF; k++) {
      GElf_Sym sym;
      if (!gelf_getsym(d, (int)k, &sym))
        break;
      const char *s = elf_strptr(e, sh.sh_link, sym.st_name);
      if (s)
        take_symbol(&y, s, &sym);
    }
  }
  elf_end(e);
  return region(ctx, name, &y, elf);
}
#else
int lfsc_esp32elf_read(lfsc_ctx *ctx, const char *name, const unsigned char *buf, size_t len,
                       lfsc_esp32elf *elf)
{
  (void)buf, (void)len;
  memset(elf, 0, sizeof *elf);
  return lfsc_seterr(ctx, LFSC_EARG, "%s: reading an ESP32 firmware ELF is not available in "
                     "this build (no libelf): give the app .bin and --reserved ADDR:SIZE", name);
}
#endif
