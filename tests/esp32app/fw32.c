/* A stand-in NodeMCU ESP32 app for lfsc's tests: the app description,
 * the banner strings lua.c prints at boot, and the embedded-LFS region as
 * NodeMCU's embedded_lfs component defines it (symbols of an embedded
 * file, 4096-byte aligned). Built with gcc-riscv64-unknown-elf
 * -march=rv32imc -mabi=ilp32 and fw32.ld; never run. */
#ifndef LFS_SIZE
#define LFS_SIZE 0x10000
#endif
#ifndef BANNER
#define BANNER "5.1-doublefp"
#endif
#define STR_(x) #x
#define STR(x) STR_(x)

struct desc {
  unsigned magic, secure_version, reserv1[2];
  char version[32], project_name[32], time[16], date[16], idf_ver[32];
  unsigned char app_elf_sha256[32];
  unsigned reserv2[20];
};
__attribute__((section(".rodata_desc"), used))
const struct desc esp_app_desc = {0xABCD5432u, 0, {0, 0}, "v-test", "nodemcu", "12:00:00",
                                  "Dec  6 2026", "v5.1.2", {0}, {0}};

const char *const banner[] = {"NodeMCU ESP32", "Lua 5.1.4", BANNER};

__asm__(".section .rodata.embedded,\"a\"\n"
        ".balign 4096\n"
        ".global _binary_lua_flash_store_reserved_start\n"
        ".global lua_flash_store_reserved\n"
        ".global _binary_lua_flash_store_reserved_end\n"
        "_binary_lua_flash_store_reserved_start:\n"
        "lua_flash_store_reserved:\n"
        ".space " STR(LFS_SIZE) "\n"
        "_binary_lua_flash_store_reserved_end:\n"
        ".text\n");

int app_main(void)
{
  return (int)(long)banner[2][0];
}
