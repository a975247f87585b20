/* A user's program built only with `pkg-config --cflags --libs lfsc`: it
 * compiles a chunk through the installed liblfsc and prints what it got. */
#include <stdio.h>
#include <string.h>
#include <lfsc/lfsc.h>

int main(void)
{
  static const char src[] = "local t = {}\nfor i = 1, 3 do t[i] = i * 2 end\nreturn t\n";
  lfsc_ctx *ctx = lfsc_new();
  lfsc_compile_opts opts = {.nummodel = LFSC_NUM_DOUBLE};
  lfsc_proto *p = NULL;
  if (!ctx || lfsc_compile(ctx, &opts, "@hello.lua", src, strlen(src), &p) != LFSC_OK) {
    fprintf(stderr, "hello_lfsc: %s\n", ctx ? lfsc_errmsg(ctx) : "out of memory");
    return 1;
  }
  printf("lfsc %s: %d instructions, %d constants\n", LFSC_VERSION, p->sizecode, p->sizek);
  /* a syntax error comes back as the library's message, not an exit */
  if (lfsc_compile(ctx, &opts, "@bad.lua", "x = = 1", 7, &p) == LFSC_OK)
    return 1;
  printf("%s\n", lfsc_errmsg(ctx));
  lfsc_free(ctx);
  return 0;
}
