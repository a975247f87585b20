/* Number models: IEEE double (stock Lua 5.1) and int32 (NodeMCU integer
 * firmware). Both mirror what the respective reference compilers accept
 * and fold, observed on their output. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "numeric.h"

/* After the numeral proper only trailing white space may follow. */
static int only_space(const char *p)
{
  while (isspace((unsigned char)*p))
    p++;
  return *p == '\0';
}

/* Double model: the host strtod (so glibc's hex and hex-float forms are
 * accepted, as by luac5.1), with a retry as an unsigned hex integer when
 * strtod stops at an 'x'. */
static int dbl_parse(const char *text, lfsc_number *out)
{
  char *end;
  double v = strtod(text, &end);
  if (end == text)
    return -1;
  if (*end == 'x' || *end == 'X')
    v = (double)strtoul(text, &end, 16);
  if (!only_space(end))
    return -1;
  *out = v;
  return 0;
}

static int dbl_fold(num_op op, lfsc_number a, lfsc_number b, lfsc_number *out)
{
  double r;
  switch (op) {
  case NUM_ADD: r = a + b; break;
  case NUM_SUB: r = a - b; break;
  case NUM_MUL: r = a * b; break;
  case NUM_DIV:
    if (b == 0)
      return 0;               /* keep the run-time inf/nan out of constants */
    r = a / b;
    break;
  case NUM_MOD:
    if (b == 0)
      return 0;
    r = a - floor(a / b) * b;
    break;
  case NUM_POW: r = pow(a, b); break;
  case NUM_UNM: r = -a; break;
  default: return 0;
  }
  if (isnan(r))
    return 0;                 /* NaN cannot be a table key, hence no constant */
  *out = r;
  return 1;
}

/* Int32 model: decimal numerals through a 64-bit strtol and truncation to
 * int32, hex through strtoul likewise; anything with a fraction or an
 * exponent is rejected. 64-bit conversions keep 32-bit hosts identical to
 * the (64-bit) reference. */
static int int_parse(const char *text, lfsc_number *out)
{
  char *end;
  long long v = strtoll(text, &end, 10);
  if (end == text)
    return -1;
  if (*end == 'x' || *end == 'X')
    v = (long long)strtoull(text, &end, 16);
  if (!only_space(end))
    return -1;
  *out = (lfsc_number)(int32_t)(uint32_t)(unsigned long long)v;
  return 0;
}

static int32_t ipow(int32_t a, int32_t b)
{
  uint32_t r = 1, base = (uint32_t)a;
  if (b < 0)
    return 0;
  while (b > 0) {
    if (b & 1)
      r *= base;
    b >>= 1;
    base *= base;
  }
  return (int32_t)r;
}

static int int_fold(num_op op, lfsc_number a, lfsc_number b, lfsc_number *out)
{
  int32_t x = (int32_t)a, y = (int32_t)b, r;
  uint32_t ux = (uint32_t)x, uy = (uint32_t)y;
  switch (op) {
  case NUM_ADD: r = (int32_t)(ux + uy); break;
  case NUM_SUB: r = (int32_t)(ux - uy); break;
  case NUM_MUL: r = (int32_t)(ux * uy); break;
  case NUM_DIV:
  case NUM_MOD:
    if (y == 0)
      return 0;
    if (y == -1) {            /* avoid the INT32_MIN / -1 trap; it wraps */
      r = op == NUM_DIV ? (int32_t)(0u - ux) : 0;
      break;
    }
    if (op == NUM_DIV) {
      r = x / y;
      if (x % y != 0 && ((x < 0) != (y < 0)))
        r -= 1;               /* floor, not truncate */
    } else {
      r = x % y;
      if (r != 0 && ((x < 0) != (y < 0)))
        r += y;
    }
    break;
  case NUM_POW: r = ipow(x, y); break;
  case NUM_UNM: r = (int32_t)(0u - ux); break;
  default: return 0;
  }
  *out = (lfsc_number)r;
  return 1;
}

static const num_ops double_ops = {dbl_parse, dbl_fold};
static const num_ops int32_ops = {int_parse, int_fold};

const num_ops *lfsc_num_model(lfsc_nummodel model)
{
  return model == LFSC_NUM_INT32 ? &int32_ops : &double_ops;
}
