/* --embed elf: the module set as an ELF32 little-endian relocatable object
 * for Xtensa (lx106), written with libelf, so that firmware links it with
 * xtensa-lx106-elf-ld and no C compiler. The only file that writes ELF.
 *
 * One data section (SHF_ALLOC, 4-byte aligned; default .irom0.rodata):
 *   PREFIX_count        u32  n
 *   PREFIX_table        n entries of three u32 words, sorted by name:
 *                       name address, data address, size
 *   per module m:       PREFIX_size_m (u32 size), then PREFIX_data_m (the
 *                       chunk), padded to 4 bytes
 *   the names           NUL-terminated
 * Words are little-endian; the two addresses of each entry are
 * R_XTENSA_32 relocations against the section (RELA, zero in place, as
 * gas writes them). The same layout as embed_c.c's struct on lx106. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embed.h"

#ifdef LFSC_HAVE_LIBELF

#include "elf/elfdl.h"

#ifndef EM_XTENSA
#define EM_XTENSA 94
#endif
#define R_XTENSA_32 1
/* EF_XTENSA_XT_INSN | EF_XTENSA_XT_LIT: what gcc's objects for lx106
 * carry; ld clears them in the output if any input lacks them. */
#define XTENSA_EFLAGS 0x300u

int lfsc_embed_elf_available(void)
{
  return 1;
}

/* A growing byte buffer for string tables. */
typedef struct strbuf {
  char *b;
  size_t len, cap;
  int oom;
} strbuf;

static uint32_t str_add(strbuf *t, const char *a, const char *b, const char *c)
{
  size_t la = strlen(a), lb = b ? strlen(b) : 0, lc = c ? strlen(c) : 0;
  size_t need = t->len + la + lb + lc + 1;
  if (need > t->cap) {
    size_t cap = t->cap ? t->cap : 256;
    while (cap < need)
      cap *= 2;
    char *nb = realloc(t->b, cap);
    if (!nb) {
      t->oom = 1;
      return 0;
    }
    t->b = nb;
    t->cap = cap;
  }
  uint32_t at = (uint32_t)t->len;
  memcpy(t->b + t->len, a, la);
  if (b)
    memcpy(t->b + t->len + la, b, lb);
  if (c)
    memcpy(t->b + t->len + la + lb, c, lc);
  t->b[need - 1] = 0;
  t->len = need;
  return at;
}

static size_t align4(size_t n)
{
  return (n + 3) & ~(size_t)3;
}

typedef struct elfjob {
  unsigned char *data;          /* the section's contents */
  size_t size;
  Elf32_Sym *syms;
  size_t nsyms;
  Elf32_Rela *relas;
  size_t nrelas;
  strbuf strtab, shstrtab;
} elfjob;

static void job_free(elfjob *j)
{
  free(j->data);
  free(j->syms);
  free(j->relas);
  free(j->strtab.b);
  free(j->shstrtab.b);
}

static void sym(elfjob *j, uint32_t name, uint32_t value, uint32_t size, int bind, int type,
                uint16_t shndx)
{
  Elf32_Sym *s = &j->syms[j->nsyms++];
  memset(s, 0, sizeof *s);
  s->st_name = name;
  s->st_value = value;
  s->st_size = size;
  s->st_info = ELF32_ST_INFO(bind, type);
  s->st_other = STV_DEFAULT;
  s->st_shndx = shndx;
}

/* Lay out the section, its symbols and relocations (the section symbol
 * is 1, the data section's index is 1). */
static int build(lfsc_ctx *ctx, const embed_set *set, const char *p, elfjob *j)
{
  size_t n = set->n;
  size_t off = 4 + 12 * n;
  size_t *data_at = malloc(n * sizeof *data_at);
  size_t *name_at = malloc(n * sizeof *name_at);
  if (!data_at || !name_at) {
    free(data_at);
    free(name_at);
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  }
  for (size_t i = 0; i < n; i++) {
    data_at[i] = off + 4;
    off = align4(off + 4 + set->mods[i].size);
  }
  for (size_t i = 0; i < n; i++) {
    name_at[i] = off;
    off += strlen(set->mods[i].name) + 1;
  }
  j->size = align4(off);
  if (j->size > UINT32_MAX) {
    free(data_at);
    free(name_at);
    return lfsc_seterr(ctx, LFSC_ELIMIT, "embedded modules exceed 4 GB");
  }
  j->data = calloc(1, j->size);
  j->syms = calloc(2 + 2 + 2 * n, sizeof *j->syms);
  j->relas = calloc(2 * n, sizeof *j->relas);
  if (!j->data || !j->syms || !j->relas) {
    free(data_at);
    free(name_at);
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  }

  str_add(&j->strtab, "", NULL, NULL);
  sym(j, 0, 0, 0, STB_LOCAL, STT_NOTYPE, SHN_UNDEF);
  sym(j, 0, 0, 0, STB_LOCAL, STT_SECTION, 1);
  wr_u32le(j->data, (uint32_t)n);
  sym(j, str_add(&j->strtab, p, "_count", NULL), 0, 4, STB_GLOBAL, STT_OBJECT, 1);
  sym(j, str_add(&j->strtab, p, "_table", NULL), 4, (uint32_t)(12 * n), STB_GLOBAL,
      STT_OBJECT, 1);
  for (size_t i = 0; i < n; i++) {
    const embed_module *m = &set->mods[i];
    size_t e = 4 + 12 * i;
    /* addresses: zero in place, the target in the RELA addend */
    wr_u32le(j->data + e + 8, (uint32_t)m->size);
    j->relas[2 * i] = (Elf32_Rela){.r_offset = (Elf32_Addr)e,
                                   .r_info = ELF32_R_INFO(1, R_XTENSA_32),
                                   .r_addend = (Elf32_Sword)name_at[i]};
    j->relas[2 * i + 1] = (Elf32_Rela){.r_offset = (Elf32_Addr)(e + 4),
                                       .r_info = ELF32_R_INFO(1, R_XTENSA_32),
                                       .r_addend = (Elf32_Sword)data_at[i]};
    wr_u32le(j->data + data_at[i] - 4, (uint32_t)m->size);
    if (m->size)
      memcpy(j->data + data_at[i], m->data, m->size);
    memcpy(j->data + name_at[i], m->name, strlen(m->name) + 1);
    sym(j, str_add(&j->strtab, p, "_size_", m->ident), (uint32_t)(data_at[i] - 4), 4,
        STB_GLOBAL, STT_OBJECT, 1);
    sym(j, str_add(&j->strtab, p, "_data_", m->ident), (uint32_t)data_at[i],
        (uint32_t)m->size, STB_GLOBAL, STT_OBJECT, 1);
  }
  j->nrelas = 2 * n;
  free(data_at);
  free(name_at);
  if (j->strtab.oom)
    return lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
  return LFSC_OK;
}

static Elf_Scn *section(Elf *e, uint32_t name, uint32_t type, uint32_t flags, void *buf,
                        size_t size, Elf_Type dtype, uint32_t align, uint32_t entsize)
{
  Elf_Scn *scn = elf_newscn(e);
  if (!scn)
    return NULL;
  Elf_Data *d = elf_newdata(scn);
  Elf32_Shdr *sh = elf32_getshdr(scn);
  if (!d || !sh)
    return NULL;
  d->d_buf = buf;
  d->d_size = size;
  d->d_type = dtype;
  d->d_align = align;
  d->d_off = 0;
  d->d_version = EV_CURRENT;
  sh->sh_name = name;
  sh->sh_type = type;
  sh->sh_flags = flags;
  sh->sh_addralign = align;
  sh->sh_entsize = entsize;
  return scn;
}

/* Write the object through libelf into fd. */
static int write_elf(lfsc_ctx *ctx, elfjob *j, const char *secname, int fd)
{
  int rc = LFSC_OK;
  Elf *e = elf_begin(fd, ELF_C_WRITE, NULL);
  Elf32_Ehdr *eh = e ? elf32_newehdr(e) : NULL;
  if (!eh) {
    rc = lfsc_seterr(ctx, LFSC_EIO, "libelf: %s", elf_errmsg(-1));
    goto done;
  }
  eh->e_ident[EI_DATA] = ELFDATA2LSB;
  eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
  eh->e_type = ET_REL;
  eh->e_machine = EM_XTENSA;
  eh->e_version = EV_CURRENT;
  eh->e_flags = XTENSA_EFLAGS;

  str_add(&j->shstrtab, "", NULL, NULL);
  uint32_t n_data = str_add(&j->shstrtab, secname, NULL, NULL);
  uint32_t n_rela = str_add(&j->shstrtab, ".rela", secname, NULL);
  uint32_t n_sym = str_add(&j->shstrtab, ".symtab", NULL, NULL);
  uint32_t n_str = str_add(&j->shstrtab, ".strtab", NULL, NULL);
  uint32_t n_shstr = str_add(&j->shstrtab, ".shstrtab", NULL, NULL);
  if (j->shstrtab.oom) {
    rc = lfsc_seterr(ctx, LFSC_EMEM, "not enough memory");
    goto done;
  }
  /* indices: 1 data, 2 rela, 3 symtab, 4 strtab, 5 shstrtab */
  Elf_Scn *sd = section(e, n_data, SHT_PROGBITS, SHF_ALLOC, j->data, j->size, ELF_T_BYTE, 4, 0);
  Elf_Scn *sr = sd ? section(e, n_rela, SHT_RELA, SHF_INFO_LINK, j->relas,
                             j->nrelas * sizeof *j->relas, ELF_T_RELA, 4,
                             (uint32_t)elf32_fsize(ELF_T_RELA, 1, EV_CURRENT)) : NULL;
  Elf_Scn *ss = sr ? section(e, n_sym, SHT_SYMTAB, 0, j->syms, j->nsyms * sizeof *j->syms,
                             ELF_T_SYM, 4, (uint32_t)elf32_fsize(ELF_T_SYM, 1, EV_CURRENT))
                   : NULL;
  Elf_Scn *st = ss ? section(e, n_str, SHT_STRTAB, 0, j->strtab.b, j->strtab.len, ELF_T_BYTE,
                             1, 0) : NULL;
  Elf_Scn *sh = st ? section(e, n_shstr, SHT_STRTAB, 0, j->shstrtab.b, j->shstrtab.len,
                             ELF_T_BYTE, 1, 0) : NULL;
  if (!sh) {
    rc = lfsc_seterr(ctx, LFSC_EIO, "libelf: %s", elf_errmsg(-1));
    goto done;
  }
  Elf32_Shdr *h = elf32_getshdr(sr);
  h->sh_link = (uint32_t)elf_ndxscn(ss);
  h->sh_info = (uint32_t)elf_ndxscn(sd);
  h = elf32_getshdr(ss);
  h->sh_link = (uint32_t)elf_ndxscn(st);
  h->sh_info = 2;               /* the first global symbol */
  eh->e_shstrndx = (Elf32_Half)elf_ndxscn(sh);
  if (elf_update(e, ELF_C_WRITE) < 0)
    rc = lfsc_seterr(ctx, LFSC_EIO, "libelf: %s", elf_errmsg(-1));
done:
  if (e)
    elf_end(e);
  return rc;
}

int lfsc_embed_elf_write(lfsc_ctx *ctx, const embed_set *set, const embed_opts *o, lfsc_sink *out)
{
  const char *p = o->prefix ? o->prefix : EMBED_PREFIX;
  const char *secname = o->section ? o->section : EMBED_ELF_SECTION;
  if (lfsc_embed_check_ident(ctx, "--prefix", p) != LFSC_OK)
    return LFSC_EARG;
  if (!*secname || strlen(secname) > 200)
    return lfsc_seterr(ctx, LFSC_EARG, "--section: bad section name '%s'", secname);
  if (set->n == 0)
    return lfsc_seterr(ctx, LFSC_EARG, "no modules to embed");
  const char *why = lfsc_elf_start();
  if (why)
    return lfsc_seterr(ctx, LFSC_EIO, "--embed elf: %s", why);
  elfjob j;
  memset(&j, 0, sizeof j);
  int rc = build(ctx, set, p, &j);
  /* libelf writes to a file descriptor: an anonymous temporary file, then
   * copied into the sink (which may be stdout or a device) */
  FILE *tmp = rc == LFSC_OK ? tmpfile() : NULL;
  if (rc == LFSC_OK && !tmp)
    rc = lfsc_seterr(ctx, LFSC_EIO, "cannot create a temporary file");
  if (rc == LFSC_OK)
    rc = write_elf(ctx, &j, secname, fileno(tmp));
  if (rc == LFSC_OK) {
    char buf[8192];
    size_t k;
    rewind(tmp);
    while ((k = fread(buf, 1, sizeof buf, tmp)) > 0)
      lfsc_sink_write(out, buf, k);
    if (ferror(tmp))
      rc = lfsc_seterr(ctx, LFSC_EIO, "cannot read back the ELF object");
    else
      rc = out->status;
  }
  if (tmp)
    fclose(tmp);
  job_free(&j);
  return rc;
}

#else /* no libelf in this build */

int lfsc_embed_elf_available(void)
{
  return 0;
}

int lfsc_embed_elf_write(lfsc_ctx *ctx, const embed_set *set, const embed_opts *o, lfsc_sink *out)
{
  (void)set;
  (void)o;
  (void)out;
  return lfsc_seterr(ctx, LFSC_EARG, "--embed elf: not available in this build (no libelf)");
}

#endif
