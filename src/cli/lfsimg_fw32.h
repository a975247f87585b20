/* lfsimg's firmware commands for the ESP32 family (lfsimg_fw32.c),
 * reached from lfsimg_fw.c when the firmware files are ESP32 forms. */
#ifndef LFSC_CLI_LFSIMG_FW32_H
#define LFSC_CLI_LFSIMG_FW32_H

/* 1 when a firmware file named in argv (an operand, or a --firmware
 * value) is an ESP32 app image, ELF or flash dump: then the ESP32 command
 * ran and *status is its exit status. 0: not ours, nothing printed. */
int lfsimg_fw32_dispatch(int argc, char **argv, int *status);

#endif
