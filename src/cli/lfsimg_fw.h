/* lfsimg's firmware commands (lfsimg_fw.c), dispatched by lfsimg.c. */
#ifndef LFSC_CLI_LFSIMG_FW_H
#define LFSC_CLI_LFSIMG_FW_H

#include <stddef.h>

#include "lfsc/platform.h"

/* The chip every command works for: its limits and mapped window. Set by
 * lfsimg.c's main before any command runs. */
extern const lfsc_platform *lfsimg_platform;

int lfsimg_cmd_firmware(int argc, char **argv);
int lfsimg_cmd_provision(int argc, char **argv);

/* verify --firmware FW [--flash-size S]: fill o's variant, base and
 * region size from the firmware's LFS partition; explicit values that
 * contradict it are a usage error naming both. 0, or an exit status. */
struct verify_opts;
int lfsimg_fw_verify_opts(int nfw, const char *const *fws, const char *flash_size,
                          struct verify_opts *o);

/* Defined by lfsimg.c, for every subcommand: after the options
 * (cliopt_next returned c <= 0), -h prints the command's usage (-1: exit
 * 0), a usage error gives its exit status, else the operands are checked
 * (min..max, named by names): 0 to go on. */
struct cliopt_parser;
int lfsimg_args_end(struct cliopt_parser *p, int c, int min, int max, const char *const *names);

/* Defined by lfsimg.c: n bytes to path through base/outfile.h, all of
 * them or nothing there. 0, or 1 after "lfsimg: cannot open|write PATH:
 * why" on stderr. */
int lfsimg_write_file(const char *path, const void *buf, size_t n);

#endif
