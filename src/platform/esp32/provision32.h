/*
 * Embedded LFS without ESP-IDF: an absolute LFS image written into a
 * prebuilt NodeMCU ESP32 app image's reserved region (the bytes NodeMCU's
 * embedded_lfs component reserves between _binary_lua_flash_store_
 * reserved_start and _end), with the app's checksum and SHA-256 made anew
 * -- what tools/embed_lfs.sh does by relinking the whole firmware.
 */
#ifndef LFSC_ESP32_PROVISION32_H
#define LFSC_ESP32_PROVISION32_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"
#include "firmware32.h"

/* The app image (or, for a flash dump, the whole dump) with img[0..n)
 * at the embedded region and zeros after it to the region's end, as
 * NodeMCU's build leaves the region. img must already be absolute for
 * fw->lfs_addr (the caller builds or relocates it). *out (in ctx's arena)
 * receives *outlen bytes. Refused, each with its message: no region
 * (LFSC_EARG, saying how to give one), an image larger than the region
 * (LFSC_ELIMIT), a signed app (LFSC_EARG), an app whose checksum or
 * SHA-256 is already wrong (LFSC_EFORMAT). */
int lfsc_provision32_app(lfsc_ctx *ctx, const lfsc_esp32fw *fw, const unsigned char *img,
                         size_t n, unsigned char **out, size_t *outlen);

/* The flash offset to write the output of lfsc_provision32_app at: 0 for
 * a flash dump, else the factory app's 0x10000 (the partition table may
 * say otherwise; the caller knows when it has one). */
uint32_t lfsc_provision32_flash_offset(const lfsc_esp32fw *fw);

/* The luac.cross command line that builds an image for fw into buf (cap
 * bytes, truncated): -a/-m for an embedded region, else a PI image (-f)
 * for an LFS partition and node.LFS.reload; --lua 5.3 and -t as the
 * variant says, --chip as the app header says. */
void lfsc_provision32_luac_line(const lfsc_esp32fw *fw, char *buf, size_t cap);

#endif
