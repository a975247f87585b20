/* A stand-in NodeMCU firmware for lfsc's tests: its default partition
 * table as an RCR record (header word: length in words, id 1) in
 * .irom0.ptable, which the linker script puts first in irom0, a banner
 * like NodeMCU's, and IROM_PAD bytes of "code". Built with Debian's
 * gcc-xtensa-lx106 by tests/firmware/firmware.py. */
#define STR_(x) #x
#define STR(x) STR_(x)
typedef struct { unsigned type, addr, size; } part;
extern char _irom0_text_end[];
#ifdef LFS_SIZE
#define LFS {103, LFS_ADDR, LFS_SIZE},
#else
#define LFS
#endif
#ifdef SPIFFS_SIZE
#define SPIFFS {106, SPIFFS_ADDR, SPIFFS_SIZE},
#else
#define SPIFFS
#endif
#define PARTS {101, 0x00000, 0x0B000}, {4, 0x0D000, 0x01000}, {5, 0x0F000, 0x01000}, \
  {102, 0x10000, 0}, LFS SPIFFS {6, 0, 0x03000}, {0, (unsigned)_irom0_text_end, 0}
#define NPARTS (sizeof((part[]){PARTS}) / sizeof(part))
__attribute__((section(".irom0.ptable"), used))
static const struct { unsigned hdr; part p[NPARTS]; } rompt = {3 * NPARTS | 1u << 8, {PARTS}};
__attribute__((section(".irom0.text"), used))
const char banner[] = "\tbuild type: " BUILD_TYPE "\n"
#ifdef LFS_SIZE
  "\tLFS: " STR(LFS_SIZE) " bytes total capacity\n"
#endif
  ;
__attribute__((section(".irom0.text"), used))
const unsigned char code[IROM_PAD] = {1};
void _start(void) { for (;;) ; }
