/* lfsimg's partitions command (lfsimg_pt.c), dispatched by lfsimg.c. */
#ifndef LFSC_CLI_LFSIMG_PT_H
#define LFSC_CLI_LFSIMG_PT_H

int lfsimg_cmd_partitions(int argc, char **argv);

#endif
