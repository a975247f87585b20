/* Line input for the REPL (see repl.h): readline on a terminal, getline
 * elsewhere so that piped input scripts cleanly without prompts.
 *
 * readline is loaded (dlopen) when an interactive REPL starts, not linked:
 * linked, its and libtinfo's ~565 symbol bindings cost every luac.cross
 * and lfsimg process 0.4 M instructions at start-up, REPL or not (0.86 M
 * in all for `luac.cross -v`; luac5.1's whole start-up is 0.16 M). Where
 * the library is missing, the REPL prompts and reads plain lines. */
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include "repl.h"

/* Entries kept in the history file, like a shell's HISTFILESIZE. */
#define REPL_HISTORY_MAX 1000

struct repl_input {
  int interactive;
  int editing;                  /* interactive, and readline is there */
  char *histfile;               /* NULL: history is not saved */
  int interrupted;              /* the last read ended by Ctrl-C */
};

static void catch_int(void);
static int repl_catching;

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
  /* the callback interface, so that Ctrl-C at a prompt can abandon the
   * line and give a fresh prompt instead of killing the process */
  void (*handler_install)(const char *, void (*)(char *));
  void (*handler_remove)(void);
  void (*read_char)(void);
  void (*sigcleanup)(void);
  void (*free_line_state)(void);
  void (*cleanup_after_signal)(void);
  int *catch_signals;
  /* a multi-line entry is written under a "#time" line and read back
   * whole (bash's lithist history format) */
  int *write_timestamps;
  int *multiline_entries;
  char *comment_char;           /* starts the "#time" lines; none by default */
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
      SYM(history_truncate_file, "history_truncate_file") && SYM(add_history, "add_history") &&
      SYM(handler_install, "rl_callback_handler_install") &&
      SYM(handler_remove, "rl_callback_handler_remove") &&
      SYM(read_char, "rl_callback_read_char") && SYM(sigcleanup, "rl_callback_sigcleanup") &&
      SYM(free_line_state, "rl_free_line_state") &&
      SYM(cleanup_after_signal, "rl_cleanup_after_signal") &&
      SYM(catch_signals, "rl_catch_signals") &&
      SYM(write_timestamps, "history_write_timestamps") &&
      SYM(multiline_entries, "history_multiline_entries") &&
      SYM(comment_char, "history_comment_char"))
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
  if (interactive) {
    repl_catching = 1;
    catch_int();
  }
  in->editing = interactive && rl_load();
  if (in->editing) {
    /* No filename completion: a Lua prompt has nothing to complete from
     * the current directory, and TAB should just indent. */
    rl.bind_key('\t', rl.insert);
    *rl.catch_signals = 0;        /* SIGINT is ours: see read_line */
    *rl.write_timestamps = 1;
    *rl.multiline_entries = 1;
    *rl.comment_char = '#';
    rl.using_history();
    rl.stifle_history(REPL_HISTORY_MAX);
    in->histfile = history_path();
    if (in->histfile)
      rl.read_history(in->histfile);   /* a missing file is a fresh history */
  }
  return in;
}

/* ==== Ctrl-C ============================================================
 * At a prompt Ctrl-C abandons what was typed (the whole statement) and
 * prompts again; while a chunk runs it interrupts the chunk (the runtime's
 * on_int sets a Lua hook that raises "interrupted!"), as lua5.1 does. The
 * handler only sets flags or the hook: never readline calls or I/O. */

static volatile sig_atomic_t got_int;
static void (*volatile int_action)(void);

static void on_sigint(int sig)
{
  got_int = 1;
  void (*act)(void) = int_action;
  if (act) {
    /* a second Ctrl-C before the hook fires ends the process, as it
     * would with no handler: a chunk stuck in C code can still be left */
    signal(sig, SIG_DFL);
    act();
  }
}

/* SIGINT to on_sigint, without SA_RESTART so that a blocked read returns */
static void catch_int(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
}

/* repl_catching is 1 while a terminal REPL is open: SIGINT stays ours
 * between chunks too, so that a Ctrl-C while a statement compiles does not
 * kill the session. */

void lfsc_repl_interrupt_begin(void (*on_int)(void))
{
  int_action = on_int;
  got_int = 0;
  catch_int();
}

int lfsc_repl_interrupt_end(void)
{
  int_action = NULL;
  if (repl_catching)
    catch_int();            /* on_sigint may have reset it to the default */
  else
    signal(SIGINT, SIG_DFL);
  return got_int;
}

static char *cb_line;
static int cb_done;

static void on_line(char *line)
{
  cb_line = line;
  cb_done = 1;
  rl.handler_remove();          /* no second prompt before we ask */
}

/* readline through its callback interface: select() wakes on Ctrl-C */
static char *edit_line(repl_input *in, const char *prompt)
{
  cb_line = NULL;
  cb_done = 0;
  rl.handler_install(prompt, on_line);
  while (!cb_done) {
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(0, &fds);
    int n = select(1, &fds, NULL, NULL, NULL);
    if (n < 0 && errno == EINTR && got_int) {
      rl.free_line_state();
      rl.sigcleanup();
      rl.cleanup_after_signal();
      rl.handler_remove();
      in->interrupted = 1;
      return NULL;
    }
    if (n < 0 && errno != EINTR)
      break;
    if (n > 0)
      rl.read_char();
  }
  if (!cb_done)
    rl.handler_remove();
  return cb_line;
}

char *lfsc_repl_read(repl_input *in, const char *prompt)
{
  in->interrupted = 0;
  got_int = 0;
  char *line = NULL;
  if (in->editing) {
    line = edit_line(in, prompt ? prompt : "");
  } else {
    if (in->interactive) {
      fputs(prompt ? prompt : "", stdout);
      fflush(stdout);
    }
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
      in->interrupted = errno == EINTR && got_int;
      clearerr(stdin);
      free(line);
      line = NULL;
    } else if (n > 0 && line[n - 1] == '\n') {
      line[n - 1] = 0;
    }
  }
  if (in->interrupted) {
    fputc('\n', stdout);
    fflush(stdout);
  }
  return line;
}

int lfsc_repl_interrupted(const repl_input *in)
{
  return in->interrupted;
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
  if (in->interactive) {
    repl_catching = 0;
    signal(SIGINT, SIG_DFL);
  }
  if (in->histfile && rl.write_history(in->histfile) == 0)
    rl.history_truncate_file(in->histfile, REPL_HISTORY_MAX);
  free(in->histfile);
  free(in);
}
