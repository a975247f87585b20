/*
 * The differential fuzzer of the run-safe level (#22 finding 1): a
 * mutated 5.1 image that verify lets lfsimg run load is run -- every
 * module, and every function a module returns -- on a liblua5.1 built
 * from Debian's source with ASan and UBSan (run_vm.sh builds it). Any
 * report is a hole in lua51/flowcheck.c or in the reader. The Lua code
 * runs under an instruction budget, without io, os, package or the
 * loaders, and prints nowhere.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lfsc/platform.h"
#include "runtime/runtime.h"

static const char driver[] =
    "local hook, get, list = debug.sethook, node.LFS.get, node.LFS.list\n"
    "io, os, package, require, dofile, loadfile, load, loadstring, debug = nil\n"
    "print = function() end\n"
    "local n\n"
    "local function budget() n = n + 1; if n > 200 then error('budget') end end\n"
    "local function try(f, ...) n = 0; hook(budget, '', 1000); "
    "local r = {pcall(f, ...)}; hook(); return r end\n"
    "for _, m in ipairs(list() or {}) do\n"
    "  local f = get(m)\n"
    "  if type(f) == 'function' then\n"
    "    local r = try(f, m)\n"
    "    local v = r[2]\n"
    "    if type(v) == 'function' then try(v, 1, 'x') end\n"
    "    if type(v) == 'table' then\n"
    "      for _, g in next, v do if type(g) == 'function' then try(g, v, 1) end end\n"
    "    end\n"
    "  end\n"
    "end\n";

static char path[64];
static unsigned long inputs, ran;   /* how many inputs, how many passed and ran */

/* FUZZ_RUN_STATS=FILE: the counts, for the figures of a long run */
static void stats(void)
{
  const char *f = getenv("FUZZ_RUN_STATS");
  FILE *o = f ? fopen(f, "w") : NULL;
  if (o) {
    fprintf(o, "%lu inputs, %lu verified run-safe and ran\n", inputs, ran);
    fclose(o);
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  /* run_vm.sh passes -close_fd_mask=3: the runtime's messages go nowhere,
   * libFuzzer's and the sanitizers' reports to a copy of stderr */
  snprintf(path, sizeof path, "/tmp/fuzz_run.%ld.img", (long)getpid());
  atexit(stats);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f))
    abort();
  runtime *rt = lfsc_runtime_new("fuzz_run", lfsc_platform_find(LFSC_PLATFORM_DEFAULT));
  if (!rt)
    abort();
  inputs++;
  if (lfsc_runtime_load_image(rt, path) == 0) {
    ran++;
    static char prog[] = "fuzz_run";
    static char *argv[] = {prog, NULL};
    runtime_action act = {'e', driver};
    runtime_args a = {.argc = 1, .argv = argv, .actions = &act, .nactions = 1};
    lfsc_runtime_main(rt, &a);
  }
  lfsc_runtime_free(rt);
  return 0;
}
