/*
 * What the host runtimes (runtime/ on liblua5.1, runtime53/ on liblua5.3)
 * share, knowing nothing of either Lua's C API: the lua-style command line
 * they run, the Lua they run before it (prelude.c), and the REPL's line input -- GNU readline with a history file on a
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
  int host_path;                /* --host-path: keep the host's package.path/cpath */
  const char *mocks;            /* --mocks FILE: run before the rest, or NULL */
} runtime_args;

/* The Lua chunk a runtime runs first, with (host_path, mocks) as its
 * arguments: image modules first in require, the firmware's file paths,
 * the mocks file (prelude.c says why). */
extern const char lfsc_repl_prelude[];

typedef struct repl_input repl_input;

/* interactive: read through readline with prompts and history. The
 * history file is $LFSIMG_HISTORY when set (an empty value keeps no file),
 * else $HOME/.lfsimg_history. NULL when out of memory. */
repl_input *lfsc_repl_open(int interactive);

/* The next line without its newline (malloc'd; the caller frees), or
 * NULL at end of input or when Ctrl-C abandoned the line (then
 * lfsc_repl_interrupted says so). The prompt is shown only when
 * interactive. */
char *lfsc_repl_read(repl_input *in, const char *prompt);

/* 1 when the last lfsc_repl_read ended by Ctrl-C: the caller drops the
 * statement being typed and prompts again. */
int lfsc_repl_interrupted(const repl_input *in);

/* Ctrl-C while a chunk runs: between begin and end, SIGINT calls on_int
 * (from the signal handler: it may only set a Lua hook) and the next
 * SIGINT kills the process as usual. */
void lfsc_repl_interrupt_begin(void (*on_int)(void));
/* end returns 1 when SIGINT came (the caller clears a hook that has not
 * fired yet). */
int lfsc_repl_interrupt_end(void);

/* Add one entry (a whole, possibly multi-line statement) to the history;
 * it comes back whole in the next session. */
void lfsc_repl_remember(repl_input *in, const char *entry);

/* Save the history file and release in. */
void lfsc_repl_close(repl_input *in);

#endif
