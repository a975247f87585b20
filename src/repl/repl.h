/*
 * What the host runtimes (runtime/ on liblua5.1, runtime53/ on liblua5.3)
 * share, knowing nothing about Lua: the lua-style command line they run
 * and the REPL's line input -- GNU readline with a history file on a
 * terminal, plain reads without prompts otherwise. repl.c is the only file
 * that uses readline (it loads it when a REPL starts).
 */
#ifndef LFSC_REPL_H
#define LFSC_REPL_H

/* lfsimg run: the lua-style command line that follows the image,
 * [-e stat] [-l mod] [-i] [--] [script [args]], as the front end parsed
 * it (the runtimes print no usage errors). */
typedef struct runtime_action {
  char what;                    /* 'e': run the statement; 'l': require the module */
  const char *value;
} runtime_action;

typedef struct runtime_args {
  int argc;
  char **argv;                  /* argv[0] names the program for the arg table */
  int script;                   /* argv[script] is the script ("-": stdin); 0: none */
  int interactive;              /* -i: the prompt after the script */
  const runtime_action *actions;  /* -e and -l in command-line order */
  int nactions;
} runtime_args;

typedef struct repl_input repl_input;

/* interactive: read through readline with prompts and history. The
 * history file is $LFSIMG_HISTORY when set (an empty value keeps no file),
 * else $HOME/.lfsimg_history. NULL when out of memory. */
repl_input *lfsc_repl_open(int interactive);

/* The next line without its newline (malloc'd; the caller frees), or
 * NULL at end of input. The prompt is shown only when interactive. */
char *lfsc_repl_read(repl_input *in, const char *prompt);

/* Add one entry (a whole, possibly multi-line statement) to the history. */
void lfsc_repl_remember(repl_input *in, const char *entry);

/* Save the history file and release in. */
void lfsc_repl_close(repl_input *in);

#endif
