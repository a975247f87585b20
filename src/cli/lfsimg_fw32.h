/* lfsimg's firmware commands for the ESP32 family (lfsimg_fw32.c),
 * reached from lfsimg_fw.c when the firmware files are ESP32 forms. */
#ifndef LFSC_CLI_LFSIMG_FW32_H
#define LFSC_CLI_LFSIMG_FW32_H

/* 1 when a firmware file named in argv (an operand, or a --firmware
 * value) is an ESP32 app image, ELF or flash dump: then the ESP32 command
 * ran and *status is its exit status. 0: not ours, nothing printed. */
int lfsimg_fw32_dispatch(int argc, char **argv, int *status);

/* verify --firmware FW...: when FW is ESP32 firmware with an embedded LFS
 * region, 1 with o's variant, base and region size set from it (the
 * ESP8266's window does not apply: o->platform is cleared) and *status 0,
 * or a usage error's status when o contradicts it. 0: not ours. */
struct verify_opts;
int lfsimg_fw32_verify_opts(int nfw, const char *const *fws, struct verify_opts *o,
                            int *status);

#endif
