/*
 * Firmware reader and the firmware's own partition rules (see firmware.h
 * and shared/spec/nodemcu-flash-layout.md §2-§4). The only file that uses
 * libelf for reading; the .bin forms are plain byte walks so that builds
 * without libelf (-m32, Windows) still read them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware.h"
#include "lfslimits.h"
#include "base/file.h"
#include "lfs51/reader.h"
#include "base/sink.h"

#ifdef LFSC_HAVE_LIBELF
#include "elf/elfdl.h"
#endif

#define BOOT_MAGIC 0xE9
#define PT_ALIGN 0x2000u        /* the firmware's ALIGN() in first_time_setup */
#define IROM0_START LIMITS_ADDR_MIN /* where the linker script puts irom0 */

static uint32_t align_up(uint32_t n)
{
  return (uint32_t)(((uint64_t)n + PT_ALIGN - 1) & ~(uint64_t)(PT_ALIGN - 1));
}

const char *lfsc_firmware_type_name(uint32_t type)
{
  switch (type) {
  case FIRMWARE_PT_END: return "end marker";
  case FIRMWARE_PT_RF_CAL: return "RF_CAL";
  case FIRMWARE_PT_PHY_DATA: return "PHY_DATA";
  case FIRMWARE_PT_SYSTEM_PARAMETER: return "SYSTEM_PARAMETER";
  case FIRMWARE_PT_EAGLEROM: return "EAGLEROM";
  case FIRMWARE_PT_IROM0TEXT: return "IROM0TEXT";
  case FIRMWARE_PT_LFS0: return "LFS0";
  case FIRMWARE_PT_LFS1: return "LFS1";
  case FIRMWARE_PT_TLSCERT: return "TLSCERT";
  case FIRMWARE_PT_SPIFFS0: return "SPIFFS0";
  case FIRMWARE_PT_SPIFFS1: return "SPIFFS1";
  default: return NULL;
  }
}

/* "LFS0", or "type 77" for a type the spec does not name. */
static const char *pname(uint32_t type, char *buf, size_t n)
{
  const char *s = lfsc_firmware_type_name(type);
  if (s)
    return s;
  snprintf(buf, n, "type %lu", (unsigned long)type);
  return buf;
}

const firmware_part *lfsc_firmware_find(const firmware_part *t, int n, uint32_t type)
{
  for (int i = 0; i < n; i++)
    if (t[i].type == type)
      return &t[i];
  return NULL;
}

/* ==== flash sizes ======================================================= */

/* esptool's flash-size nibble (spec §2); the c1 variants 5 and 6 read as
 * their sizes, but a size maps back to the plain code. */
static uint32_t nibble_size(unsigned nib)
{
  switch (nib) {
  case 0: return 0x80000;
  case 1: return 0x40000;
  case 2: return 0x100000;
  case 3: case 5: return 0x200000;
  case 4: case 6: return 0x400000;
  case 8: return 0x800000;
  case 9: return 0x1000000;
  default: return 0;
  }
}

int lfsc_firmware_size_nibble(uint32_t bytes)
{
  static const unsigned order[] = {0, 1, 2, 3, 4, 8, 9};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    if (nibble_size(order[i]) == bytes)
      return (int)order[i];
  return -1;
}

int lfsc_firmware_parse_size(lfsc_ctx *ctx, const char *s, uint32_t *bytes)
{
  char *end;
  unsigned long long v = 0;
  if (s && *s >= '0' && *s <= '9')
    v = strtoull(s, &end, 0);
  else
    end = (char *)s;
  unsigned long long unit = 1;
  if (end != s && *end) {
    /* K/M with an optional B or iB, in either case: 4M = 4MB = 4MiB */
    char u = *end == 'k' ? 'K' : *end == 'm' ? 'M' : *end;
    const char *rest = end + 1;
    if (strcmp(rest, "") && strcmp(rest, "B") && strcmp(rest, "b") && strcmp(rest, "iB"))
      u = 0;
    unit = u == 'K' ? 1024ull : u == 'M' ? 1024ull * 1024 : 0;
  }
  v *= unit;
  if (end == s || unit == 0 || v < 0x40000 || v > 0x1000000 || (v & (v - 1)))
    return lfsc_seterr(ctx, LFSC_EARG,
                       "bad flash size '%s' (a power of two from 256K to 16M: 1M, 4MB, "
                       "0x400000)", s ? s : "");
  *bytes = (uint32_t)v;
  return LFSC_OK;
}

/* ==== the firmware's rules (spec §4.1) ================================= */

static int halts(lfsc_ctx *ctx, int i, const firmware_part *p, const char *why)
{
  char b[24];
  return lfsc_seterr(ctx, LFSC_EFORMAT,
                     "partition %d (%s at 0x%lx, 0x%lx bytes) %s: the firmware would halt "
                     "at boot", i, pname(p->type, b, sizeof b), (unsigned long)p->addr,
                     (unsigned long)p->size, why);
}

/* The checks first_time_setup applies to every kept partition. */
static int check_kept(lfsc_ctx *ctx, int i, const firmware_part *p, uint64_t last,
                      uint32_t flash_size)
{
  if (p->addr % LIMITS_SECTOR || p->size % LIMITS_SECTOR)
    return halts(ctx, i, p, "is not aligned to 4096-byte sectors");
  if (p->addr < last)
    return halts(ctx, i, p, "overlaps the partition before it");
  if ((uint64_t)p->addr + p->size > flash_size)
    return halts(ctx, i, p, "runs past the end of flash");
  return LFSC_OK;
}

int lfsc_firmware_layout(lfsc_ctx *ctx, const firmware_part *in, int n, uint32_t irom0_size,
                    uint32_t flash_size, firmware_part *out, int *nout)
{
  uint64_t last = 0;
  /* room left below SYSTEM_PARAMETER, signed: a small chip may have none */
  int64_t top = (int64_t)flash_size - FIRMWARE_SYSPARAM;
  int k = 0;
  for (int i = 0; i < n; i++) {
    firmware_part p = in[i];
    switch (p.type) {
    case FIRMWARE_PT_IROM0TEXT:
      if (p.size == 0)
        p.size = align_up(irom0_size);
      break;
    case FIRMWARE_PT_LFS0:
      p.size = align_up(p.size);
      if (p.addr == 0)
        p.addr = (uint32_t)last;
      break;
    case FIRMWARE_PT_SPIFFS0:
      if (p.size == 0xFFFFFFFFu) {
        if (p.addr == 0)
          p.addr = (uint32_t)last;
        int64_t s = top - (int64_t)last;
        if (s < 0)
          return halts(ctx, i, &p, "has no room left below SYSTEM_PARAMETER");
        p.size = (uint32_t)s;
      } else if (p.size > 0) {
        if (p.addr < last)
          p.addr = 0;
        if (p.addr == 0)
          p.addr = (int64_t)p.size <= top - 0x100000 ? 0x100000u : (uint32_t)last;
      }
      break;
    case FIRMWARE_PT_SYSTEM_PARAMETER:
      p.addr = flash_size - FIRMWARE_SYSPARAM;
      p.size = FIRMWARE_SYSPARAM;
      break;
    default:
      break;
    }
    if (p.size == 0)
      continue;
    int rc = check_kept(ctx, i, &p, last, flash_size);
    if (rc)
      return rc;
    out[k++] = p;
    last = (uint64_t)p.addr + p.size;
  }
  *nout = k;
  return LFSC_OK;
}

int lfsc_firmware_table(lfsc_ctx *ctx, const firmware *fw, uint32_t flash_size,
                   firmware_part *out, int *nout)
{
  if (fw->pt_default)
    return lfsc_firmware_layout(ctx, fw->pt, fw->npt - 1, fw->irom0_end - fw->irom0_start,
                           flash_size, out, nout);
  /* a final table is used as it is; it must still suit this chip */
  uint64_t last = 0;
  for (int i = 0; i < fw->npt; i++) {
    int rc = check_kept(ctx, i, &fw->pt[i], last, flash_size);
    if (rc)
      return rc;
    out[i] = fw->pt[i];
    last = (uint64_t)fw->pt[i].addr + fw->pt[i].size;
  }
  *nout = fw->npt;
  return LFSC_OK;
}

uint32_t lfsc_firmware_chip_size(const firmware *fw, uint32_t given, const char **from)
{
  const char *f = given ? "--flash-size" : fw->boot_flash_size ? "boot header" : "default";
  if (from)
    *from = f;
  return given ? given : fw->boot_flash_size ? fw->boot_flash_size : 0x400000u;
}

int lfsc_firmware_lfs(lfsc_ctx *ctx, const firmware *fw, uint32_t flash_size, unsigned limits,
                 firmware_part *lfs)
{
  firmware_part t[FIRMWARE_MAX_PARTS];
  int n;
  int rc = lfsc_firmware_table(ctx, fw, flash_size, t, &n);
  if (rc)
    return rc;
  const firmware_part *p = lfsc_firmware_find(t, n, FIRMWARE_PT_LFS0);
  if (!p)
    return lfsc_seterr(ctx, LFSC_EARG, "the firmware has no LFS partition: rebuild it with "
                       "LUA_FLASH_STORE, or add one with lfsimg provision --lfs-size N");
  *lfs = *p;
  return lfsc_platform_esp8266.check_partition(ctx, p->addr, p->size, limits);
}

/* ==== RCR sector (spec §3) ============================================== */

static uint32_t rcr_word(const firmware *fw, unsigned i)
{
  return 4 * (size_t)i + 4 <= fw->irom_len ? rd_u32le(fw->irom + 4 * (size_t)i) : 0xFFFFFFFFu;
}

static int parse_rcr(lfsc_ctx *ctx, const char *name, firmware *fw)
{
  unsigned nwords = fw->irom_len / 4 < FIRMWARE_RCR_WORDS ? (unsigned)(fw->irom_len / 4)
                                                          : FIRMWARE_RCR_WORDS;
  unsigned i = 0;
  fw->nrcr = 0;
  fw->pt_rec = -1;
  while (i < nwords) {
    uint32_t h = rcr_word(fw, i);
    unsigned id = (h >> 8) & 0xFF, len = h & 0xFF;
    if (id == FIRMWARE_RCR_FREE)
      break;
    if (h >> 16)
      return lfsc_seterr(ctx, LFSC_EFORMAT,
                         "%s: not a NodeMCU firmware: word 0x%08lx at offset 0x%x is not a "
                         "reboot-configuration record header (no partition table)", name,
                         (unsigned long)h, 4 * i);
    if (i + 1 + len > nwords)
      return lfsc_seterr(ctx, LFSC_EFORMAT,
                         "%s: %s: record at offset 0x%x (%u words) runs past the %s", name,
                         nwords < FIRMWARE_RCR_WORDS ? "truncated" : "corrupt RCR sector",
                         4 * i, len,
                         nwords < FIRMWARE_RCR_WORDS ? "end of the file" : "4 KiB sector");
    if (id == FIRMWARE_RCR_PT && fw->pt_rec < 0)
      fw->pt_rec = fw->nrcr;   /* platform_rcr_read returns the first live one */
    fw->rcr[fw->nrcr].id = id;
    fw->rcr[fw->nrcr].len = len;
    fw->rcr[fw->nrcr].word = i;
    fw->nrcr++;
    i += 1 + len;
  }
  fw->rcr_free = i;
  if (fw->pt_rec < 0)
    return lfsc_seterr(ctx, LFSC_EFORMAT,
                       "%s: no partition table: no PT record in the reboot-configuration "
                       "sector (not a NodeMCU firmware?)", name);
  const firmware_rcr *r = &fw->rcr[fw->pt_rec];
  if (r->len % 3 || r->len == 0 || r->len / 3 > FIRMWARE_MAX_PARTS)
    return lfsc_seterr(ctx, LFSC_EFORMAT,
                       "%s: partition table record at offset 0x%x has %u words, not 1 to %d "
                       "(type, address, size) triples", name, 4 * r->word, r->len,
                       FIRMWARE_MAX_PARTS);
  fw->npt = (int)(r->len / 3);
  for (int k = 0; k < fw->npt; k++) {
    fw->pt[k].type = rcr_word(fw, r->word + 1 + 3 * (unsigned)k);
    fw->pt[k].addr = rcr_word(fw, r->word + 2 + 3 * (unsigned)k);
    fw->pt[k].size = rcr_word(fw, r->word + 3 + 3 * (unsigned)k);
  }
  fw->pt_default = fw->pt[fw->npt - 1].type == FIRMWARE_PT_END;
  return LFSC_OK;
}

/* What can be checked of the table without knowing the chip. */
static int check_table(lfsc_ctx *ctx, const char *name, firmware *fw)
{
  char b[24];
  uint64_t last = 0;
  int n = fw->npt - (fw->pt_default ? 1 : 0);
  for (int i = 0; i < n; i++) {
    const firmware_part *p = &fw->pt[i];
    if (p->type == FIRMWARE_PT_END)
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: partition table has an end marker at entry %d "
                         "of %d", name, i, fw->npt);
    /* in a default table, zero addresses and the sizes the firmware
     * computes (or aligns) are placeholders; explicit addresses are not */
    int computed = fw->pt_default && (p->type == FIRMWARE_PT_IROM0TEXT ||
                                      p->type == FIRMWARE_PT_LFS0 ||
                                      p->type == FIRMWARE_PT_SPIFFS0 ||
                                      p->type == FIRMWARE_PT_SYSTEM_PARAMETER);
    if (p->addr % LIMITS_SECTOR || (!computed && p->size % LIMITS_SECTOR))
      return lfsc_seterr(ctx, LFSC_EFORMAT,
                         "%s: partition %d (%s at 0x%lx, 0x%lx bytes) is not aligned to "
                         "4096-byte sectors", name, i, pname(p->type, b, sizeof b),
                         (unsigned long)p->addr, (unsigned long)p->size);
    if (computed && p->addr == 0)
      continue;
    if (p->addr < last)
      return lfsc_seterr(ctx, LFSC_EFORMAT,
                         "%s: partition %d (%s at 0x%lx) overlaps the partition before it, "
                         "which ends at 0x%llx", name, i, pname(p->type, b, sizeof b),
                         (unsigned long)p->addr, (unsigned long long)last);
    uint64_t size = computed && p->size == 0xFFFFFFFFu ? 0 : p->size;
    last = (uint64_t)p->addr + size;
  }
  if (fw->pt_default) {
    uint32_t end = fw->pt[fw->npt - 1].addr;
    if (fw->form != FIRMWARE_FORM_ELF)
      fw->irom0_end = end;
    else if (end != fw->irom0_end)
      return lfsc_seterr(ctx, LFSC_EFORMAT,
                         "%s: the partition table's end marker 0x%08lx is not _irom0_text_end "
                         "0x%08lx", name, (unsigned long)end, (unsigned long)fw->irom0_end);
  } else if (fw->form != FIRMWARE_FORM_ELF) {
    const firmware_part *ir = lfsc_firmware_find(fw->pt, fw->npt, FIRMWARE_PT_IROM0TEXT);
    fw->irom0_end = fw->irom0_start + (uint32_t)(ir ? ir->size : fw->irom_len);
  }
  if (fw->irom0_end < fw->irom0_start ||
      fw->irom0_end - fw->irom0_start > LIMITS_WINDOW_END - fw->irom0_start)
    return lfsc_seterr(ctx, LFSC_EFORMAT,
                       "%s: irom0 ends at 0x%08lx, outside the flash window 0x%08lx..0x%08lx",
                       name, (unsigned long)fw->irom0_end, (unsigned long)fw->irom0_start,
                       (unsigned long)LIMITS_WINDOW_END);
  /* the .bin form must hold the whole segment the table accounts for */
  if (fw->pt_default && fw->irom_len < fw->irom0_end - fw->irom0_start)
    return lfsc_seterr(ctx, LFSC_EFORMAT,
                       "%s: truncated: the irom0 segment is %zu bytes, the firmware's is %lu "
                       "(end marker 0x%08lx)", name, fw->irom_len,
                       (unsigned long)(fw->irom0_end - fw->irom0_start),
                       (unsigned long)fw->irom0_end);
  return LFSC_OK;
}

/* ==== banner strings ==================================================== */

static const unsigned char *find_bytes(const unsigned char *h, size_t hn, const char *needle)
{
  size_t nn = strlen(needle);
  for (size_t i = 0; nn <= hn && i <= hn - nn; i++)
    if (h[i] == (unsigned char)needle[0] && memcmp(h + i, needle, nn) == 0)
      return h + i;
  return NULL;
}

static int word_char(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static void parse_banner(firmware *fw)
{
  static const char bt[] = "build type: ", cap[] = "LFS: 0x";
  fw->build_type = -1;
  const unsigned char *p = find_bytes(fw->irom, fw->irom_len, bt);
  if (p) {
    size_t rest = fw->irom_len - (size_t)(p - fw->irom) - (sizeof bt - 1);
    p += sizeof bt - 1;
    /* the banner goes on with "\n\tLFS: ..." */
    if (rest >= 6 && memcmp(p, "float", 5) == 0 && !word_char(p[5]))
      fw->build_type = LFSC_TARGET_FLOAT;
    else if (rest >= 8 && memcmp(p, "integer", 7) == 0 && !word_char(p[7]))
      fw->build_type = LFSC_TARGET_INT;
  }
  fw->banner_lfs = 0;
  p = find_bytes(fw->irom, fw->irom_len, cap);
  if (p) {
    const unsigned char *e = fw->irom + fw->irom_len;
    uint64_t v = 0;
    int digits = 0;
    for (p += sizeof cap - 1; p < e && digits < 9; p++, digits++) {
      int d = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
            : *p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : -1;
      if (d < 0)
        break;
      v = v * 16 + (unsigned)d;
    }
    static const char tail[] = " bytes total capacity";
    if (digits && digits < 9 && (size_t)(e - p) >= sizeof tail - 1 &&
        memcmp(p, tail, sizeof tail - 1) == 0)
      fw->banner_lfs = (uint32_t)v;
  }
}

/* ==== ELF form ========================================================== */

#ifdef LFSC_HAVE_LIBELF
static const char *machine_name(unsigned m)
{
  switch (m) {
  case EM_386: return "x86 (i386)";
  case EM_X86_64: return "x86-64";
  case EM_ARM: return "ARM";
  case EM_AARCH64: return "AArch64";
  case EM_RISCV: return "RISC-V";
  case EM_MIPS: return "MIPS";
  case EM_PPC: return "PowerPC";
  case EM_PPC64: return "PowerPC64";
  case EM_S390: return "s390";
  default: return NULL;
  }
}

static int parse_elf(lfsc_ctx *ctx, const char *name, const unsigned char *buf, size_t len,
                     firmware *fw)
{
  Elf *e;
  GElf_Ehdr eh;
  int rc = lfsc_elf_open(ctx, name, buf, len, &e, &eh);
  if (rc)
    return rc;
  if (eh.e_ident[EI_CLASS] != ELFCLASS32 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
      eh.e_machine != EM_XTENSA) {
    const char *m = machine_name(eh.e_machine);
    rc = m ? lfsc_seterr(ctx, LFSC_EFORMAT, "%s: an ELF file for %s, not for the ESP8266 "
                         "(Xtensa, 32-bit little-endian)", name, m)
           : lfsc_seterr(ctx, LFSC_EFORMAT, "%s: an ELF file for machine %u (%d-bit), not "
                         "for the ESP8266 (Xtensa, 32-bit little-endian)", name,
                         (unsigned)eh.e_machine,
                         eh.e_ident[EI_CLASS] == ELFCLASS64 ? 64 : 32);
    elf_end(e);
    return rc;
  }
  if ((rc = lfsc_elf_check_shdrs(ctx, e, name, &eh, len)) != LFSC_OK)
    return rc;
  int have_start = 0, have_end = 0;
  Elf_Scn *scn = NULL;
  while ((scn = elf_nextscn(e, scn)) != NULL) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh))
      return lfsc_elf_fail(ctx, e, name, "corrupt section header");
    if (sh.sh_type != SHT_SYMTAB)
      continue;
    Elf_Data *d = elf_getdata(scn, NULL);
    if (!d || sh.sh_entsize == 0 || sh.sh_offset > len || sh.sh_size > len - sh.sh_offset)
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: truncated: the symbol table runs past the end "
                         "of the file", name), elf_end(e), LFSC_EFORMAT;
    size_t nsym = sh.sh_size / sh.sh_entsize;
    for (size_t k = 0; k < nsym; k++) {
      GElf_Sym sym;
      if (!gelf_getsym(d, (int)k, &sym))
        break;
      const char *s = elf_strptr(e, sh.sh_link, sym.st_name);
      if (!s)
        continue;
      if (strcmp(s, "_irom0_text_start") == 0) {
        fw->irom0_start = (uint32_t)sym.st_value;
        have_start = 1;
      } else if (strcmp(s, "_irom0_text_end") == 0) {
        fw->irom0_end = (uint32_t)sym.st_value;
        have_end = 1;
      }
    }
  }
  if (!have_start || !have_end) {
    elf_end(e);
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: not a NodeMCU firmware ELF: no %s symbol", name,
                       have_start ? "_irom0_text_end" : "_irom0_text_start");
  }
  /* the default partition table sits at _irom0_text_start, first in the
   * section that holds it: that section is the 0x10000.bin segment */
  scn = NULL;
  while ((scn = elf_nextscn(e, scn)) != NULL) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh))
      return lfsc_elf_fail(ctx, e, name, "corrupt section header");
    if (sh.sh_type != SHT_PROGBITS || sh.sh_addr != fw->irom0_start || sh.sh_size == 0)
      continue;
    if (sh.sh_offset > len || sh.sh_size > len - sh.sh_offset) {
      elf_end(e);
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: truncated: the irom0 section (%llu bytes at "
                         "file offset 0x%llx) runs past the end of the file (%zu bytes)", name,
                         (unsigned long long)sh.sh_size, (unsigned long long)sh.sh_offset, len);
    }
    /* the section's bytes are the file's: no conversion for an LE image */
    fw->irom = buf + sh.sh_offset;
    fw->irom_len = (size_t)sh.sh_size;
    break;
  }
  elf_end(e);
  if (!fw->irom)
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: no partition table: no section at "
                       "_irom0_text_start 0x%08lx", name, (unsigned long)fw->irom0_start);
  return LFSC_OK;
}
#endif

/* ==== forms ============================================================= */

static int is_elf(const unsigned char *b, size_t n)
{
  return n >= 4 && b[0] == 0x7F && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
}

static int is_boot(const unsigned char *b, size_t n)
{
  return n >= 8 && b[0] == BOOT_MAGIC;
}

static void set_boot(firmware *fw, const unsigned char *b, size_t n)
{
  fw->boot = b;
  fw->boot_len = n;
  fw->boot_size_nibble = b[3] >> 4;
  fw->boot_flash_size = nibble_size(fw->boot_size_nibble);
}

int lfsc_firmware_parse(lfsc_ctx *ctx, int nfiles, const char *const *names,
                   const unsigned char *const *bufs, const size_t *lens, firmware *fw)
{
  memset(fw, 0, sizeof *fw);
  fw->irom0_start = IROM0_START;
  const char *name = names[0];
  if (nfiles == 2) {
    int b0 = is_boot(bufs[0], lens[0]), b1 = is_boot(bufs[1], lens[1]);
    if (b0 == b1 || is_elf(bufs[0], lens[0]) || is_elf(bufs[1], lens[1]))
      return lfsc_seterr(ctx, LFSC_EFORMAT,
                         "%s, %s: two firmware files must be a boot image (0x00000.bin, first "
                         "byte 0xE9) and its irom0 segment (0x10000.bin)", names[0], names[1]);
    int bi = b0 ? 0 : 1;
    if (lens[bi] > FIRMWARE_OFFSET)
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: boot image of %zu bytes runs past flash offset "
                         "0x10000, where the irom0 segment starts", names[bi], lens[bi]);
    set_boot(fw, bufs[bi], lens[bi]);
    fw->form = FIRMWARE_FORM_PAIR;
    fw->irom = bufs[1 - bi];
    fw->irom_len = lens[1 - bi];
    name = names[1 - bi];
  } else if (nfiles != 1) {
    return lfsc_seterr(ctx, LFSC_EARG, "a firmware is one file, or two (0x00000.bin and "
                       "0x10000.bin)");
  } else if (is_elf(bufs[0], lens[0])) {
    fw->form = FIRMWARE_FORM_ELF;
#ifdef LFSC_HAVE_LIBELF
    int rc = parse_elf(ctx, name, bufs[0], lens[0], fw);
    if (rc)
      return rc;
#else
    return lfsc_seterr(ctx, LFSC_EARG, "%s: reading a firmware ELF is not available in this "
                       "build (no libelf): give its 0x00000.bin and 0x10000.bin", name);
#endif
  } else if (is_boot(bufs[0], lens[0])) {
    if (lens[0] <= FIRMWARE_OFFSET)
      return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: a boot image (0x00000.bin) alone has no "
                         "partition table: give its 0x10000.bin too", name);
    set_boot(fw, bufs[0], FIRMWARE_OFFSET);
    fw->form = FIRMWARE_FORM_COMBINED;
    fw->irom = bufs[0] + FIRMWARE_OFFSET;
    fw->irom_len = lens[0] - FIRMWARE_OFFSET;
  } else {
    fw->form = FIRMWARE_FORM_IROM;
    fw->irom = bufs[0];
    fw->irom_len = lens[0];
  }
  if (fw->irom_len < 8)
    return lfsc_seterr(ctx, LFSC_EFORMAT, "%s: truncated: %zu bytes of irom0 segment, no room "
                       "for a partition table", name, fw->irom_len);
  int rc = parse_rcr(ctx, name, fw);
  if (!rc)
    rc = check_table(ctx, name, fw);
  if (!rc)
    parse_banner(fw);
  return rc;
}

int lfsc_firmware_load(lfsc_ctx *ctx, int nfiles, const char *const *paths, firmware *fw)
{
  const unsigned char *bufs[2] = {NULL, NULL};
  size_t lens[2] = {0, 0};
  if (nfiles < 1 || nfiles > 2)
    return lfsc_seterr(ctx, LFSC_EARG, "a firmware is one file, or two (0x00000.bin and "
                       "0x10000.bin)");
  for (int i = 0; i < nfiles; i++) {
    unsigned char *b;
    int rc = lfsc_file_read_arena(ctx, paths[i], FILE_INPUT_MAX, &b, &lens[i]);
    if (rc)
      return rc;
    bufs[i] = b;
  }
  return lfsc_firmware_parse(ctx, nfiles, paths, bufs, lens, fw);
}

/* ==== writing the RCR sector ============================================ */

static unsigned put_record(unsigned char *s, unsigned at, unsigned id, const uint32_t *w,
                           unsigned len)
{
  wr_u32le(s + 4 * at, len | id << 8);
  for (unsigned k = 0; k < len; k++)
    wr_u32le(s + 4 * (at + 1 + k), w[k]);
  return at + 1 + len;
}

int lfsc_firmware_rcr_write(lfsc_ctx *ctx, const firmware *fw, const firmware_part *t, int n,
                       unsigned char *sector)
{
  uint32_t words[3 * FIRMWARE_MAX_PARTS];
  unsigned len = 3 * (unsigned)n;
  for (int i = 0; i < n; i++) {
    words[3 * i] = t[i].type;
    words[3 * i + 1] = t[i].addr;
    words[3 * i + 2] = t[i].size;
  }
  memset(sector, 0xFF, FIRMWARE_RCR_BYTES);
  size_t have = fw->irom_len < FIRMWARE_RCR_BYTES ? fw->irom_len : FIRMWARE_RCR_BYTES;
  memcpy(sector, fw->irom, have);
  /* platform_rcr_write: room for the record and one erased word after it */
  if (fw->rcr_free + 1 + len + 1 <= FIRMWARE_RCR_WORDS) {
    put_record(sector, fw->rcr_free, FIRMWARE_RCR_PT, words, len);
    unsigned old = fw->rcr[fw->pt_rec].word;
    wr_u32le(sector + 4 * old, rd_u32le(sector + 4 * old) & ~0xFF00u);
    return LFSC_OK;
  }
  /* full: the live records, compacted in order, then the new one */
  unsigned at = 0;
  memset(sector, 0xFF, FIRMWARE_RCR_BYTES);
  for (int r = 0; r < fw->nrcr; r++) {
    const firmware_rcr *c = &fw->rcr[r];
    if (c->id == FIRMWARE_RCR_DELETED || c->id == FIRMWARE_RCR_PT)
      continue;
    uint32_t w[255];
    for (unsigned k = 0; k < c->len; k++)
      w[k] = rcr_word(fw, c->word + 1 + k);
    at = put_record(sector, at, c->id, w, c->len);
  }
  if (at + 1 + len + 1 > FIRMWARE_RCR_WORDS)
    return lfsc_seterr(ctx, LFSC_ELIMIT, "no room for a %u-word partition table record in the "
                       "4 KiB reboot-configuration sector", len);
  put_record(sector, at, FIRMWARE_RCR_PT, words, len);
  return LFSC_OK;
}
