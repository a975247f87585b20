/* The option parser of lfsimg and luac.cross (see opts.h for the forms it accepts). */
#include <stdio.h>
#include <string.h>

#include "opts.h"

int cliopt_usage_error(const char *cmd, const char *fmt, const char *arg)
{
  fprintf(stderr, "lfsimg: ");
  if (cmd)
    fprintf(stderr, "%s: ", cmd);
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'lfsimg %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
  return CLIOPT_EXIT_USAGE;
}

void cliopt_init(cliopt_parser *p, const char *cmd, const cliopt *opts, int argc, char **argv)
{
  memset(p, 0, sizeof *p);
  p->cmd = cmd;
  p->opts = opts;
  p->argc = argc;
  p->argv = argv;
  p->i = 1;
}

static int error(cliopt_parser *p, int kind, const char *fmt, const char *arg)
{
  p->error = kind;
  if (!(p->forms & CLIOPT_QUIET))
    cliopt_usage_error(p->cmd, fmt, arg);
  return CLIOPT_ERROR;
}

/* The option's value: what follows it in its argv element (attached), or
 * the next element, whatever it looks like ("-o -" is stdout). */
static int take_value(cliopt_parser *p, const cliopt *o, const char *attached)
{
  if (attached && *attached) {
    p->value = attached;
    return o->id;
  }
  if (p->i >= p->argc) {
    char msg[160];
    snprintf(msg, sizeof msg, "'%s' needs an argument (%s)", p->opt, o->argname);
    return error(p, CLIOPT_E_NEEDS_VALUE, "%s", msg);
  }
  p->value = p->argv[p->i++];
  return o->id;
}

static int short_option(cliopt_parser *p)
{
  char c = *p->cluster++;
  snprintf(p->opt, sizeof p->opt, "-%c", c);
  if (c == 'h') {
    p->cluster = NULL;
    return CLIOPT_HELP;
  }
  for (const cliopt *o = p->opts; o && o->id; o++)
    if (o->shortname == c) {
      if (!o->argname) {
        if (!*p->cluster)
          p->cluster = NULL;
        return o->id;
      }
      const char *rest = p->cluster;
      p->cluster = NULL;
      return take_value(p, o, rest);
    }
  p->cluster = NULL;
  return error(p, CLIOPT_E_UNKNOWN, "unknown option '%s'", p->opt);
}

static int long_option(cliopt_parser *p, const char *a)
{
  const char *eq = strchr(a, '=');
  size_t n = eq ? (size_t)(eq - a) : strlen(a);
  snprintf(p->opt, sizeof p->opt, "--%.*s", (int)(n < 60 ? n : 60), a);
  if (n == 4 && strncmp(a, "help", 4) == 0 && !eq)
    return CLIOPT_HELP;
  for (const cliopt *o = p->opts; o && o->id; o++)
    if (o->longname && strlen(o->longname) == n && strncmp(o->longname, a, n) == 0) {
      if (!o->argname) {
        if (eq)
          return error(p, CLIOPT_E_TAKES_NO_VALUE, "'%s' takes no argument", p->opt);
        return o->id;
      }
      return take_value(p, o, eq ? eq + 1 : NULL);
    }
  return error(p, CLIOPT_E_UNKNOWN, "unknown option '%s'", p->opt);
}

/* CLIOPT_WHOLE: the argument is one option, "-x" or "--name"; a value
 * is the next argument, or with CLIOPT_ATTACHED the rest of "-xVALUE". */
static int whole_option(cliopt_parser *p, const char *a)
{
  snprintf(p->opt, sizeof p->opt, "%s", a);
  if (!(p->forms & CLIOPT_NO_HELP) && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0))
    return CLIOPT_HELP;
  int attached = (p->forms & CLIOPT_ATTACHED) != 0;
  for (const cliopt *o = p->opts; o && o->id; o++) {
    if (a[1] == '-') {
      if (o->longname && strcmp(o->longname, a + 2) == 0)
        return o->argname ? take_value(p, o, NULL) : o->id;
    } else if (o->shortname && a[1] == o->shortname) {
      if (a[2] == 0)
        return o->argname ? take_value(p, o, NULL) : o->id;
      if (o->argname && attached) {
        snprintf(p->opt, sizeof p->opt, "-%c", o->shortname);
        return take_value(p, o, a + 2);
      }
    }
  }
  return error(p, CLIOPT_E_UNKNOWN, "unknown option '%s'", a);
}

int cliopt_next(cliopt_parser *p)
{
  p->value = NULL;
  if (p->cluster)
    return short_option(p);
  while (p->i < p->argc) {
    const char *a = p->argv[p->i];
    if (p->no_more_options || a[0] != '-' || a[1] == 0) {
      if (p->stop_at_operand)
        return CLIOPT_END;
      p->i++;
      if (p->noperands == CLIOPT_MAX_OPERANDS)
        return error(p, CLIOPT_E_OPERANDS, "unexpected argument '%s'", a);
      p->operand[p->noperands++] = a;
      continue;
    }
    p->i++;
    p->word = a;
    if (a[1] == '-' && a[2] == 0) {
      p->no_more_options = 1;
      continue;
    }
    if (p->forms & CLIOPT_WHOLE)
      return whole_option(p, a);
    if (a[1] == '-')
      return long_option(p, a + 2);
    p->cluster = a + 1;
    return short_option(p);
  }
  return CLIOPT_END;
}

int cliopt_operands(const cliopt_parser *p, int min, int max, const char *const *names)
{
  if (p->noperands < min) {
    char msg[96];
    snprintf(msg, sizeof msg, "missing %s", names[p->noperands]);
    return cliopt_usage_error(p->cmd, "%s", msg);
  }
  if (p->noperands > max)
    return cliopt_usage_error(p->cmd, "unexpected argument '%s'", p->operand[max]);
  return 0;
}
