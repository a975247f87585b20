/*
 * --chip for luac.cross and lfsimg: the platform by name, and which chip
 * an image fits when none was named (lfsimg info), so that both tools say
 * the same things about chips.
 */
#ifndef LFSC_CLI_CHIP_H
#define LFSC_CLI_CHIP_H

#include <stdint.h>
#include <stdio.h>

#include "lfsc/lfsc.h"
#include "lfsc/platform.h"

/* The platform called name; NULL after "PROG: [CMD: ]unknown chip 'x'
 * (esp8266, esp32, ...)" on stderr (the caller exits with status 2). */
const lfsc_platform *cli_chip_find(const char *progname, const char *cmd, const char *name);

/* After pf refused addr: "PROG: note: 0x3f430000 is an address of the
 * ESP32 (--chip esp32)" on err when other chips take it; nothing else. */
void cli_chip_hint(FILE *err, const char *progname, const lfsc_platform *pf, uint32_t addr);

/* Whether pf's firmware has target t; if not, "PROG: '-t float16': the
 * ESP32's NodeMCU firmware has no float16 build (its targets: float,
 * int, ...)" on stderr and 0. */
int cli_chip_has_target(const char *progname, const lfsc_platform *pf, lfsc_target t);

/* Which chip an image fits. */
#define CLI_CHIPS_MAX 16
typedef struct cli_chipfit {
  const lfsc_platform *pf;      /* one chip, or NULL */
  const char *family;           /* "esp8266", "esp32", or NULL: any */
  const lfsc_platform *chips[CLI_CHIPS_MAX];   /* the chips it fits (none: any) */
  int nchips;
  int given;                    /* from --chip */
  char how[224];                /* why: "--chip", or what it was inferred from */
} cli_chipfit;

/* given: --chip, or NULL. absolute, base, size: an absolute image's
 * placement. nstrings, nbuckets: a 5.1 image's ROstrt (0 for none).
 * target: the image's variant. */
void cli_chip_infer(cli_chipfit *f, const lfsc_platform *given, int absolute, uint32_t base,
                    uint64_t size, uint32_t nstrings, uint32_t nbuckets, lfsc_target target);

/* info's "next" line for an absolute image at an ESP32 address: where it
 * can run (the mapping is dynamic). */
void cli_chip_next_esp32(FILE *out, uint32_t base);

/* "chip        ESP32 (esp32; --chip)" for info's text. */
void cli_chip_print(FILE *out, const cli_chipfit *f);

/* The same as a JSON object: {"name", "family", "chips", "given", "how"}. */
struct json_writer;
void cli_chip_json(struct json_writer *w, const cli_chipfit *f);

#endif
