/* A stand-in NodeMCU ESP32 app for lfsc's ESP32 tests (tests/esp32/espgen.py
 * builds it): an esp_app_desc_t first in flash rodata (esp_app_format.h:
 * magic 0xABCD5432, 256 bytes), the strings NodeMCU's dev-esp32 banner is
 * printed from (lua-5.3/lua.c: "\n%s build %s powered by %s [%s] on IDF %s\n"
 * with NODE_VERSION, BUILD_DATE, LUA_RELEASE, XLUA_OPT_STR, IDF_VER), the
 * embedded-LFS region as NodeMCU's components/embedded_lfs makes it
 * (lua_flash_store_reserved in .rodata.embedded, which the linker script
 * puts 4096-aligned in flash rodata between _binary_..._start/_end), a
 * little flash code, IRAM code and DRAM data. Compiled with -nostdlib for
 * the RISC-V ESP32-C3 or (with the lx106 compiler: same ELF machine) for
 * the Xtensa ESP32; never run. Macros: LFS_SIZE (0: no region), LFS_FILL,
 * LUA_RELEASE_STR, XLUA_OPT, IDF_VER_STR, BUILD_DATE_STR. */
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

/* esp_app_desc_t, field by field (esp_app_desc.h) */
struct app_desc {
  u32 magic_word, secure_version, reserv1[2];
  char version[32], project_name[32], time[16], date[16], idf_ver[32];
  u8 app_elf_sha256[32];
  u16 min_efuse_blk_rev_full, max_efuse_blk_rev_full;
  u8 mmu_page_size, reserv3[3];
  u32 reserv2[18];
};
__attribute__((section(".rodata_desc"), used))
const struct app_desc esp_app_desc = {
  0xABCD5432u, 0, {0, 0}, "dev-esp32-7c5bb151", "nodemcu", "12:00:00",
  "Oct 25 2024", IDF_VER_STR, {0}, 0, 0xFFFF, 16, {0}, {0}
};

__attribute__((used)) const char node_version[] = "NodeMCU ESP32";
__attribute__((used)) const char build_date[] = BUILD_DATE_STR;
__attribute__((used)) const char lua_release[] = LUA_RELEASE_STR;
__attribute__((used)) const char xlua_opt_str[] = XLUA_OPT;
__attribute__((used)) const char idf_ver[] = IDF_VER_STR;
__attribute__((used)) const char banner_fmt[] = "\n%s build %s powered by %s [%s] on IDF %s\n";

#if LFS_SIZE > 0
__attribute__((section(".rodata.embedded"), used, aligned(4)))
const u8 lua_flash_store_reserved[LFS_SIZE] = {[0 ... LFS_SIZE - 1] = LFS_FILL};
#endif

/* RAM: what the bootloader copies; flash: what the cache maps. */
__attribute__((section(".dram0.data"), used)) volatile u32 counter = 0x12345678u;
__attribute__((section(".iram0.text"), used, noinline)) void tick(void) { counter++; }

__attribute__((section(".flash.text"), used, noinline))
u32 use_lfs(u32 i) {
#if LFS_SIZE > 0
  return lua_flash_store_reserved[i % LFS_SIZE] + esp_app_desc.magic_word;
#else
  return i + esp_app_desc.magic_word;
#endif
}

__attribute__((section(".iram0.text"), used, noreturn))
void _start(void) { for (;;) { tick(); use_lfs(counter); } }

#if LFS_SIZE > 0
/* The names ESP-IDF's EMBED_FILES gives the region (what embed_lfs.sh and
 * lfsimg look up): start and end of lua.flash.store.reserved. */
#define STR_(x) #x
#define STR(x) STR_(x)
__asm__(".globl _binary_lua_flash_store_reserved_start\n"
        ".set _binary_lua_flash_store_reserved_start, lua_flash_store_reserved\n"
        ".globl _binary_lua_flash_store_reserved_end\n"
        ".set _binary_lua_flash_store_reserved_end, lua_flash_store_reserved + " STR(LFS_SIZE) "\n");
#endif
