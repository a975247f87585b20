/*
 * Provisioning plan and flash pieces (see provision.h). The table is
 * never computed here: the user's sizes are written into a request in the
 * form of a default table and lfsc_firmware_layout() applies the firmware's own
 * first-boot rules to it, so a provisioned device ends up exactly where
 * its firmware would have put things given those sizes.
 */
#include <string.h>

#include "lfslimits.h"
#include "provision.h"

static int same_table(const firmware_part *a, int na, const firmware_part *b, int nb)
{
  if (na != nb)
    return 0;
  for (int i = 0; i < na; i++)
    if (a[i].type != b[i].type || a[i].addr != b[i].addr || a[i].size != b[i].size)
      return 0;
  return 1;
}

/* The request: the stored table (without its end marker) with the user's
 * LFS0 and SPIFFS0 entries, in the order the firmware expects them. */
static int request(const firmware *fw, const provision_opts *o, firmware_part *req)
{
  int n = 0, have_lfs = 0, have_spiffs = 0;
  int count = fw->npt - (fw->pt_default ? 1 : 0);
  firmware_part spiffs = {FIRMWARE_PT_SPIFFS0, 0, 0};
  if (o->spiffs == PROVISION_SPIFFS_MAX)
    spiffs.size = 0xFFFFFFFFu;
  else if (o->spiffs == PROVISION_SPIFFS_SIZE)
    spiffs.size = o->spiffs_size;
  for (int i = 0; i < count && n < FIRMWARE_MAX_PARTS - 2; i++) {
    firmware_part e = fw->pt[i];
    if (e.type == FIRMWARE_PT_LFS0) {
      have_lfs = 1;
      if (o->set_lfs)
        e.addr = 0, e.size = o->lfs_size;     /* after IROM0TEXT, the firmware's place */
    } else if (e.type == FIRMWARE_PT_SPIFFS0) {
      have_spiffs = 1;
      if (o->spiffs != PROVISION_SPIFFS_KEEP)
        e = spiffs;
    } else if (e.type == FIRMWARE_PT_SYSTEM_PARAMETER && !have_spiffs &&
               o->spiffs != PROVISION_SPIFFS_KEEP) {
      req[n++] = spiffs;                        /* SPIFFS goes before SYSTEM_PARAMETER */
      have_spiffs = 1;
    }
    req[n++] = e;
    if (e.type == FIRMWARE_PT_IROM0TEXT && o->set_lfs) {
      int later = 0;
      for (int k = i + 1; k < count; k++)
        later |= fw->pt[k].type == FIRMWARE_PT_LFS0;
      if (!later && !have_lfs) {
        firmware_part l = {FIRMWARE_PT_LFS0, 0, o->lfs_size};
        req[n++] = l;
        have_lfs = 1;
      }
    }
  }
  if (!have_spiffs && o->spiffs != PROVISION_SPIFFS_KEEP && n < FIRMWARE_MAX_PARTS)
    req[n++] = spiffs;
  return n;
}

int lfsc_provision_plan_table(lfsc_ctx *ctx, const firmware *fw, const provision_opts *o,
                         provision_plan *plan)
{
  firmware_part own[FIRMWARE_MAX_PARTS];
  int nown;
  memset(plan, 0, sizeof *plan);
  int rc = lfsc_firmware_table(ctx, fw, o->flash_size, own, &nown);
  if (rc)
    return rc;
  if (!o->set_lfs && o->spiffs == PROVISION_SPIFFS_KEEP) {
    memcpy(plan->table, own, sizeof own[0] * (size_t)nown);
    plan->n = nown;
  } else {
    firmware_part req[FIRMWARE_MAX_PARTS];
    int nreq = request(fw, o, req);
    rc = lfsc_firmware_layout(ctx, req, nreq, fw->irom0_end - fw->irom0_start, o->flash_size,
                         plan->table, &plan->n);
    if (rc)
      return rc;
    plan->new_record = !same_table(plan->table, plan->n, own, nown);
  }
  const firmware_part *lfs = lfsc_firmware_find(plan->table, plan->n, FIRMWARE_PT_LFS0);
  if (!lfs)
    return lfsc_seterr(ctx, LFSC_EARG, "the firmware has no LFS partition: give --lfs-size N "
                       "to create one (or rebuild it with LUA_FLASH_STORE)");
  plan->lfs_off = lfs->addr;
  plan->lfs_size = lfs->size;
  return lfsc_platform_esp8266.check_partition(ctx, lfs->addr, lfs->size, o->limits);
}

int lfsc_provision_pieces(lfsc_ctx *ctx, const firmware *fw, const provision_plan *plan, int nibble,
                     const unsigned char *lfs, size_t lfs_len, provision_piece *pieces, int *n)
{
  int k = 0;
  if (fw->boot) {
    unsigned char *b = lfsc_alloc(ctx, fw->boot_len);
    if (!b)
      return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
    memcpy(b, fw->boot, fw->boot_len);
    /* esptool's image checksum covers the segments, not the header */
    if (nibble >= 0)
      b[3] = (unsigned char)((unsigned)nibble << 4 | (b[3] & 0x0Fu));
    pieces[k++] = (provision_piece){0, b, fw->boot_len};
  }
  size_t ilen = fw->irom_len;
  if (plan->new_record && ilen < FIRMWARE_RCR_BYTES)
    ilen = FIRMWARE_RCR_BYTES;
  if (FIRMWARE_OFFSET + (uint64_t)ilen > plan->lfs_off)
    return lfsc_seterr(ctx, LFSC_ELIMIT, "the irom0 segment (0x%zx bytes at 0x10000) runs into "
                       "the LFS partition at 0x%lx", ilen, (unsigned long)plan->lfs_off);
  if (lfs_len > plan->lfs_size)
    return lfsc_seterr(ctx, LFSC_ELIMIT, "image of %zu bytes does not fit the 0x%lx-byte LFS "
                       "partition by %zu bytes", lfs_len, (unsigned long)plan->lfs_size,
                       lfs_len - plan->lfs_size);
  unsigned char *ir = lfsc_alloc(ctx, ilen);
  if (!ir)
    return lfsc_seterr(ctx, LFSC_EMEM, "out of memory");
  memset(ir, 0xFF, ilen);
  memcpy(ir, fw->irom, fw->irom_len);
  if (plan->new_record) {
    int rc = lfsc_firmware_rcr_write(ctx, fw, plan->table, plan->n, ir);
    if (rc)
      return rc;
  }
  pieces[k++] = (provision_piece){FIRMWARE_OFFSET, ir, ilen};
  pieces[k++] = (provision_piece){plan->lfs_off, lfs, lfs_len};
  *n = k;
  return LFSC_OK;
}
