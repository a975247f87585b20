/*
 * The one option parser of lfsimg and luac.cross. Every lfsimg subcommand
 * declares its options in a table and reads them through cliopt_next, so
 * that all of them accept the same forms and say the same things about
 * mistakes:
 *   -x, -x VALUE, -xVALUE, --name, --name VALUE, --name=VALUE;
 *   -h and --help in every subcommand (cliopt_next returns CLIOPT_HELP);
 *   options before or after the operands; "--" ends the options; "-"
 *   is an operand (stdin);
 *   usage errors on stderr as "lfsimg: CMD: what\nTry 'lfsimg CMD --help'."
 *   (the caller then exits with CLIOPT_EXIT_USAGE).
 * Long options are matched whole (no abbreviations), so that adding an
 * option never changes what an existing command line means.
 *
 * luac.cross and the lua5.1-style command line of lfsimg run read their
 * options with the same parser in stricter forms (cliopt_parser.forms):
 * each option is one whole argument (CLIOPT_WHOLE: "-lp" and
 * "--name=value" are unknown options), a value is the next argument or,
 * with CLIOPT_ATTACHED, attached ("-eSTAT", as lua5.1; luac refuses
 * "-ofile"), -h and --help may be ordinary unknown options (CLIOPT_NO_HELP),
 * options end at the first operand, "-" or after "--" (stop_at_operand),
 * and mistakes may be left unprinted (CLIOPT_QUIET) in p->error and p->word
 * for the tool's own messages.
 */
#ifndef LFSC_CLI_OPTS_H
#define LFSC_CLI_OPTS_H

#define CLIOPT_EXIT_USAGE 2
#define CLIOPT_MAX_OPERANDS 8

typedef struct cliopt {
  int id;                       /* what cliopt_next returns: > 0 (a letter, or >= 256) */
  char shortname;               /* 'o' for -o, or 0 */
  const char *longname;         /* "json" for --json, or NULL */
  const char *argname;          /* NULL: a flag; else the value's name for messages */
} cliopt;                       /* tables end with an entry whose id is 0 */

enum {
  CLIOPT_END = 0,               /* no more options: operands are in p->operand */
  CLIOPT_HELP = -1,             /* -h or --help: print the usage, exit 0 */
  CLIOPT_ERROR = -2             /* usage error printed: exit CLIOPT_EXIT_USAGE */
};

/* cliopt_parser.forms: 0 is lfsimg's forms. */
enum {
  CLIOPT_WHOLE = 1,             /* one option an argument */
  CLIOPT_ATTACHED = 2,          /* with WHOLE: "-xVALUE" too */
  CLIOPT_NO_HELP = 4,           /* -h, --help are not special */
  CLIOPT_QUIET = 8,             /* errors are not printed */
  CLIOPT_LUAC = CLIOPT_WHOLE | CLIOPT_QUIET,
  CLIOPT_LUA51 = CLIOPT_WHOLE | CLIOPT_ATTACHED | CLIOPT_NO_HELP | CLIOPT_QUIET
};

/* What a CLIOPT_ERROR was (p->error). */
enum {
  CLIOPT_E_UNKNOWN = 1,         /* no such option */
  CLIOPT_E_NEEDS_VALUE,         /* its value is missing */
  CLIOPT_E_TAKES_NO_VALUE,      /* "--flag=value" */
  CLIOPT_E_OPERANDS             /* more operands than CLIOPT_MAX_OPERANDS */
};

typedef struct cliopt_parser {
  const char *cmd;
  const cliopt *opts;
  int argc;
  char **argv;
  int i;                        /* next argv element */
  const char *cluster;          /* rest of a "-abc" group of short options */
  int no_more_options;          /* after "--" */
  int stop_at_operand;          /* options end at the first operand (lfsimg run, luac) */
  int forms;                    /* CLIOPT_WHOLE ...; 0 for lfsimg's */
  int error;                    /* after CLIOPT_ERROR: CLIOPT_E_... */
  const char *word;             /* the argument holding the option just read or refused */
  const char *value;            /* the value of the option just returned */
  char opt[64];                 /* that option as typed, for messages: "-o", "--base" */
  const char *operand[CLIOPT_MAX_OPERANDS];
  int noperands;
} cliopt_parser;

/* argv[0] is the subcommand's name (cmd); parsing starts at argv[1]. */
void cliopt_init(cliopt_parser *p, const char *cmd, const cliopt *opts, int argc, char **argv);
/* The next option's id (its value in p->value), or CLIOPT_END, CLIOPT_HELP
 * or CLIOPT_ERROR. With stop_at_operand set, CLIOPT_END comes at the first
 * operand, and p->i is its index. */
int cliopt_next(cliopt_parser *p);
/* After CLIOPT_END: between min and max operands, else a usage error
 * naming the first missing one (names[k] is the k-th operand's name,
 * "missing image file") or the first extra one. 0 or CLIOPT_EXIT_USAGE. */
int cliopt_operands(const cliopt_parser *p, int min, int max, const char *const *names);

/* Print "lfsimg: CMD: " fmt (with one %s) and the --help hint; cmd may
 * be NULL for lfsimg itself. Returns CLIOPT_EXIT_USAGE. */
int cliopt_usage_error(const char *cmd, const char *fmt, const char *arg);

#endif
