/*
 * ESP32-family firmware ELFs (the app's .elf beside its .bin): 32-bit
 * little-endian, Xtensa (ESP32, -S2, -S3) or RISC-V (-C3, -C6, -H2). What
 * provisioning needs from one: the embedded-LFS region (the symbols
 * NodeMCU's embedded_lfs component defines) and the read-only data, where
 * the firmware's banner strings are. Reading it needs libelf
 * (LFSC_HAVE_LIBELF); telling one apart from other files does not.
 */
#ifndef LFSC_ESP32_ELF32_H
#define LFSC_ESP32_ELF32_H

#include <stddef.h>
#include <stdint.h>

#include "lfsc/lfsc.h"
#include "esp32.h"

#define ESP32ELF_EM_XTENSA ESP32_EM_XTENSA
#define ESP32ELF_EM_RISCV ESP32_EM_RISCV
#define ESP32ELF_MAX_RO 16
#define ESP32ELF_LFS_ALIGN 4096u     /* embedded_lfs.lf: ALIGN(4096) */

typedef struct lfsc_esp32elf_sec {
  uint32_t addr;                /* where it is mapped */
  const unsigned char *data;    /* its bytes in the file */
  size_t len;
} lfsc_esp32elf_sec;

typedef struct lfsc_esp32elf {
  unsigned machine;             /* ESP32ELF_EM_XTENSA or ESP32ELF_EM_RISCV */
  int have_lfs;                 /* the embedded-LFS symbols are there */
  uint32_t lfs_addr, lfs_size;
  const char *lfs_from;         /* which symbols gave them */
  int nro;                      /* read-only data sections (allocated, not written, not code) */
  lfsc_esp32elf_sec ro[ESP32ELF_MAX_RO];
  int nprog;                    /* every allocated section with bytes in the file */
  lfsc_esp32elf_sec prog[ESP32ELF_MAX_RO * 2];
} lfsc_esp32elf;

/* 1 when buf looks like an ESP32-family ELF: ELF32 LE for RISC-V, or for
 * Xtensa with ESP-IDF's section names (an ESP8266 ELF has none). */
int lfsc_esp32elf_sniff(const unsigned char *buf, size_t len);

/* "Xtensa" or "RISC-V". */
const char *lfsc_esp32elf_arch(unsigned machine);

/* Read the ELF in buf[0..len) (it must outlive *elf). The region comes
 * from _binary_lua_flash_store_reserved_start/_end, else from
 * lua_flash_store_reserved and its st_size; its start must be 4096-byte
 * aligned. No region is not an error (have_lfs 0). Errors LFSC_EFORMAT
 * "NAME: what is wrong"; LFSC_EARG in a build without libelf. */
int lfsc_esp32elf_read(lfsc_ctx *ctx, const char *name, const unsigned char *buf, size_t len,
                       lfsc_esp32elf *elf);

/* The file bytes at mapped address addr, size bytes, when one section
 * holds them all; else NULL. */
const unsigned char *lfsc_esp32elf_at(const lfsc_esp32elf *elf, uint32_t addr, uint32_t size);

#endif
