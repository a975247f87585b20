/*
 * Line input for the host runtime's REPL: GNU readline with a history
 * file on a terminal, plain reads without prompts otherwise. repl.c is the
 * only file that uses readline (it loads it when a REPL starts); it knows
 * nothing about Lua.
 */
#ifndef LFSC_REPL_H
#define LFSC_REPL_H

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
