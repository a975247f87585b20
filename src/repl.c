/* Line input for the REPL (see repl.h): readline on a terminal, getline
 * elsewhere so that piped input scripts cleanly without prompts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "repl.h"

/* Entries kept in the history file, like a shell's HISTFILESIZE. */
#define REPL_HISTORY_MAX 1000

struct repl_input {
  int interactive;
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

repl_input *repl_open(int interactive)
{
  repl_input *in = calloc(1, sizeof *in);
  if (!in)
    return NULL;
  in->interactive = interactive;
  if (interactive) {
    /* No filename completion: a Lua prompt has nothing to complete from
     * the current directory, and TAB should just indent. */
    rl_bind_key('\t', rl_insert);
    using_history();
    stifle_history(REPL_HISTORY_MAX);
    in->histfile = history_path();
    if (in->histfile)
      read_history(in->histfile);   /* a missing file is a fresh history */
  }
  return in;
}

char *repl_read(repl_input *in, const char *prompt)
{
  if (in->interactive)
    return readline(prompt ? prompt : "");
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

void repl_remember(repl_input *in, const char *entry)
{
  if (in->interactive && *entry)
    add_history(entry);
}

void repl_close(repl_input *in)
{
  if (!in)
    return;
  if (in->histfile && write_history(in->histfile) == 0)
    history_truncate_file(in->histfile, REPL_HISTORY_MAX);
  free(in->histfile);
  free(in);
}
