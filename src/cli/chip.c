/*
 * --chip and the chip an image fits (chip.h). The numbers are the
 * platforms' (lfsc_platform_at); nothing here names a chip's range.
 */
#include <string.h>

#include "chip.h"
#include "base/json.h"

const lfsc_platform *cli_chip_find(const char *progname, const char *cmd, const char *name)
{
  const lfsc_platform *pf = lfsc_platform_find(name);
  if (!pf)
    fprintf(stderr, "%s: %s%s'--chip': unknown chip '%s' (known: %s)\n", progname,
            cmd ? cmd : "", cmd ? ": " : "", name, lfsc_platform_names());
  return pf;
}

void cli_chip_hint(FILE *err, const char *progname, const lfsc_platform *pf, uint32_t addr)
{
  lfsc_ctx *ctx = lfsc_new();
  char names[160] = "";
  int n = 0;
  for (size_t i = 0; ctx && lfsc_platform_at(i); i++) {
    const lfsc_platform *o = lfsc_platform_at(i);
    if (o == pf || o->check_addr(ctx, addr, 0) != LFSC_OK)
      continue;
    size_t len = strlen(names);
    snprintf(names + len, sizeof names - len, "%s%s (--chip %s)", n ? ", " : "", o->label,
             o->name);
    n++;
  }
  lfsc_free(ctx);
  if (n)
    fprintf(err, "%s: note: 0x%08lx is an LFS address on the %s\n", progname,
            (unsigned long)addr, names);
}

int cli_chip_has_target(const char *progname, const lfsc_platform *pf, lfsc_target t)
{
  if (pf->targets & LFSC_PLATFORM_TARGET(t))
    return 1;
  char list[160] = "";
  lfsc_variant v = lfsc_target_variant(t);
  for (int k = 0; k < LFSC_TARGET_COUNT; k++)
    if ((pf->targets & LFSC_PLATFORM_TARGET(k)) &&
        lfsc_target_variant((lfsc_target)k).format == LFSC_FORMAT_NODEMCU &&
        lfsc_target_variant((lfsc_target)k).lua == v.lua) {
      size_t len = strlen(list);
      snprintf(list + len, sizeof list - len, "%s%s", *list ? ", " : "",
               lfsc_target_name((lfsc_target)k));
    }
  fprintf(stderr, "%s: '-t %s': the %s's NodeMCU firmware has no %s build (--chip %s; its "
          "Lua %s targets: %s)\n", progname, lfsc_target_name(t), pf->label,
          lfsc_target_name(t), pf->name, v.lua == LFSC_LUA53 ? "5.3" : "5.1", list);
  return 0;
}

/* Add o to the chips f fits; the first one is f->pf, two or more none. */
static void add_chip(cli_chipfit *f, const lfsc_platform *o)
{
  if (f->nchips < CLI_CHIPS_MAX)
    f->chips[f->nchips++] = o;
  f->pf = f->nchips == 1 ? o : NULL;
  f->family = o->family;        /* the chips sharing a range are one family's */
}

/* The chips whose mapped range holds [base, base + size), into f. */
static void by_address(cli_chipfit *f, uint32_t base, uint64_t size)
{
  for (size_t i = 0; lfsc_platform_at(i); i++)
    if (lfsc_platform_maps(lfsc_platform_at(i), base, size))
      add_chip(f, lfsc_platform_at(i));
  if (f->nchips)
    snprintf(f->how, sizeof f->how, "inferred: its addresses 0x%08lx..0x%08llx are in %s "
             "mapped flash-data range", (unsigned long)base,
             (unsigned long long)(base + size - 1), f->nchips == 1 ? "that chip's" : "their");
  else
    snprintf(f->how, sizeof f->how, "its address 0x%08lx is in no known chip's mapped "
             "flash-data range", (unsigned long)base);
}

/* The chips of one family, into f. */
static void family_chips(cli_chipfit *f, const char *family)
{
  for (size_t i = 0; lfsc_platform_at(i); i++)
    if (strcmp(lfsc_platform_at(i)->family, family) == 0)
      add_chip(f, lfsc_platform_at(i));
}

void cli_chip_infer(cli_chipfit *f, const lfsc_platform *given, int absolute, uint32_t base,
                    uint64_t size, uint32_t nstrings, uint32_t nbuckets, lfsc_target target)
{
  memset(f, 0, sizeof *f);
  if (given) {
    add_chip(f, given);
    f->given = 1;
    snprintf(f->how, sizeof f->how, "--chip");
    return;
  }
  if (absolute) {
    by_address(f, base, size ? size : 1);
    return;
  }
  /* a PI image loads wherever its variant's firmware runs; what the
   * builder left in it may still say which luac.cross made it */
  const lfsc_platform *dense = lfsc_platform_find(LFSC_PLATFORM_DEFAULT);
  for (size_t i = 0; nstrings && lfsc_platform_at(i); i++) {
    const lfsc_platform *o = lfsc_platform_at(i);
    if (o->ro_buckets(nstrings) == nbuckets && dense->ro_buckets(nstrings) != nbuckets) {
      family_chips(f, o->family);
      snprintf(f->how, sizeof f->how, "inferred: nROsize %lu for %lu strings is the rule of "
               "the %s family's luac.cross", (unsigned long)nbuckets, (unsigned long)nstrings,
               o->family);
      return;
    }
  }
  /* a variant only one family's firmware builds */
  const char *only = NULL;
  for (size_t i = 0; lfsc_platform_at(i); i++) {
    const lfsc_platform *o = lfsc_platform_at(i);
    if (!(o->targets & LFSC_PLATFORM_TARGET(target)))
      continue;
    if (only && strcmp(only, o->family) != 0) {
      only = NULL;
      break;
    }
    only = o->family;
  }
  if (only) {
    family_chips(f, only);
    snprintf(f->how, sizeof f->how, "inferred: only the %s family's firmware has the %s "
             "variant", only, lfsc_target_name(target));
    return;
  }
  snprintf(f->how, sizeof f->how, "position independent: any chip whose firmware has the %s "
           "variant", lfsc_target_name(target));
}

/* "esp32, esp32s2" */
static void chip_list(const cli_chipfit *f, char *buf, size_t n)
{
  buf[0] = 0;
  for (int i = 0; i < f->nchips; i++) {
    size_t len = strlen(buf);
    snprintf(buf + len, n - len, "%s%s", i ? ", " : "", f->chips[i]->name);
  }
}

void cli_chip_print(FILE *out, const cli_chipfit *f)
{
  char list[160];
  chip_list(f, list, sizeof list);
  if (f->pf)
    fprintf(out, "chip        %s (%s; %s)\n", f->pf->label, f->pf->name, f->how);
  else if (f->family)
    fprintf(out, "chip        %s family: %s (%s)\n",
            strcmp(f->family, "esp32") == 0 ? "ESP32" : f->family, list, f->how);
  else
    fprintf(out, "chip        any (%s)\n", f->how);
}

void cli_chip_json(json_writer *w, const cli_chipfit *f)
{
  lfsc_json_object(w, 0);
  lfsc_json_key(w, "name");
  lfsc_json_cstr(w, f->pf ? f->pf->name : NULL);
  lfsc_json_key(w, "family");
  lfsc_json_cstr(w, f->family);
  lfsc_json_key(w, "chips");
  lfsc_json_array(w, 0);
  for (int i = 0; i < f->nchips; i++)
    lfsc_json_cstr(w, f->chips[i]->name);
  lfsc_json_close(w);
  lfsc_json_key(w, "given");
  lfsc_json_bool(w, f->given);
  lfsc_json_key(w, "how");
  lfsc_json_cstr(w, f->how);
  lfsc_json_close(w);
}

void cli_chip_next_esp32(FILE *out, uint32_t base)
{
  fprintf(out, "next        it runs only where the firmware maps LFS at 0x%08lx: LFS embedded in\n"
          "            the app at that address (lfsimg provision), or a partition the device\n"
          "            reports mapped there (node.LFS.config()); a partition is mapped\n"
          "            wherever the MMU has room, so a PI image (luac.cross -f) with\n"
          "            node.LFS.reload() is the way for partition LFS\n", (unsigned long)base);
}
