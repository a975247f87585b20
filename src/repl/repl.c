/* Line input for the REPL (see repl.h): readline on a terminal, getline
 * elsewhere so that piped input scripts cleanly without prompts.
 *
 * readline is loaded (dlopen) when an interactive REPL starts, not linked:
 * linked, its and libtinfo's ~565 symbol bindings cost every luac.cross
 * and lfsimg process 0.4 M instructions at start-up, REPL or not (0.86 M
 * in all for `luac.cross -v`; luac5.1's whole start-up is 0.16 M). Where
 * the library is missing, the REPL prompts and reads plain lines. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repl.h"

/* Entries kept in the history file, like a shell's HISTFILESIZE. */
#define REPL_HISTORY_MAX 1000

struct repl_input {
  int interactive;
  int editing;                  /* interactive, and readline is there */
  char *histfile;               /* NULL: history is not saved */
};

static char *history_path(void)
{
  const char *v = getenv("LFSIMG_HISTORY");
  if (v)
    return *v ? strdup(v) : NULL;
  const char *home = getenv("HOME");
  if (!home || !*home)
    return NULL;
  size_t n = strlen(home) + sizeof "/.lfsimg_history";
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/.lfsimg_history", home);
  return p;
}

/* The readline calls the REPL makes (GNU readline's documented API). */
typedef int rl_command(int, int);
static struct {
  char *(*readline)(const char *);
  int (*bind_key)(int, rl_command *);
  rl_command *insert;
  void (*using_history)(void);
  void (*stifle_history)(int);
  int (*read_history)(const char *);
  int (*write_history)(const char *);
  int (*history_truncate_file)(const char *, int);
  void (*add_history)(const char *);
} rl;

/* 1 when readline is there (loaded once, kept for the process). */
static int rl_load(void)
{
  static const char *const names[] = {"libreadline.so.8", "libreadline.so.7", "libreadline.so"};
  static int state;             /* 0 not tried, 1 loaded, -1 missing */
  if (state)
    return state > 0;
  state = -1;
  void *h = NULL;
  for (size_t i = 0; !h && i < sizeof names / sizeof names[0]; i++)
    h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return 0;
  /* POSIX allows the cast from dlsym's void * to a function pointer */
#define SYM(field, name) (*(void **)&rl.field = dlsym(h, name)) != NULL
  if (SYM(readline, "readline") && SYM(bind_key, "rl_bind_key") && SYM(insert, "rl_insert") &&
      SYM(using_history, "using_history") && SYM(stifle_history, "stifle_history") &&
      SYM(read_history, "read_history") && SYM(write_history, "write_history") &&
      SYM(history_truncate_file, "history_truncate_file") && SYM(add_history, "add_history"))
    state = 1;
#undef SYM
  return state > 0;
}

repl_input *lfsc_repl_open(int interactive)
{
  repl_input *in = calloc(1, sizeof *in);
  if (!in)
    return NULL;
  in->interactive = interactive;
  in->editing = interactive && rl_load();
  if (in->editing) {
    /* No filename completion: a Lua prompt has nothing to complete from
     * the current directory, and TAB should just indent. */
    rl.bind_key('\t', rl.insert);
    rl.using_history();
    rl.stifle_history(REPL_HISTORY_MAX);
    in->histfile = history_path();
    if (in->histfile)
      rl.read_history(in->histfile);   /* a missing file is a fresh history */
  }
  return in;
}

char *lfsc_repl_read(repl_input *in, const char *prompt)
{
  if (in->editing)
    return rl.readline(prompt ? prompt : "");
  if (in->interactive) {
    fputs(prompt ? prompt : "", stdout);
    fflush(stdout);
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getline(&line, &cap, stdin);
  if (n < 0) {
    free(line);
    return NULL;
  }
  if (n > 0 && line[n - 1] == '\n')
    line[n - 1] = 0;
  return line;
}

void lfsc_repl_remember(repl_input *in, const char *entry)
{
  if (in->editing && *entry)
    rl.add_history(entry);
}

void lfsc_repl_close(repl_input *in)
{
  if (!in)
    return;
  if (in->histfile && rl.write_history(in->histfile) == 0)
    rl.history_truncate_file(in->histfile, REPL_HISTORY_MAX);
  free(in->histfile);
  free(in);
}
