/* Lua 5.3 numbers under a model: numerals as luaO_str2num reads them and
 * constant folding as luaO_arith computes it, with lua_Integer wrapping
 * at 32 or 64 bits and lua_Number computed in float or double. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "num53.h"

n53_model lfsc_num53_model(lfsc_nummodel m)
{
  n53_model r = {64, 0};
  if (m == LFSC_NUM_I32_F32 || m == LFSC_NUM_I32_F64)
    r.int_bits = 32;
  if (m == LFSC_NUM_I32_F32 || m == LFSC_NUM_I64_F32)
    r.float32 = 1;
  return r;
}

/* Wrap an unsigned result to lua_Integer's width (two's complement). */
static int64_t wrap(const n53_model *m, uint64_t v)
{
  if (m->int_bits == 32)
    return (int64_t)(int32_t)(uint32_t)v;
  return (int64_t)v;
}

static int is_space(int c)
{
  return c == ' ' || (c >= '\t' && c <= '\r');
}

/* l_str2int: decimal (NULL on overflow, so that it becomes a float) or
 * hexadecimal (wrapping) integers. */
static int str2int(const n53_model *m, const char *s, int64_t *out)
{
  uint64_t a = 0;
  int empty = 1, neg = 0;
  while (is_space((unsigned char)*s))
    s++;
  if (*s == '-') {
    s++;
    neg = 1;
  } else if (*s == '+') {
    s++;
  }
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    for (s += 2; ; s++) {
      int c = (unsigned char)*s, d;
      if (c >= '0' && c <= '9')
        d = c - '0';
      else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        d = (c | 0x20) - 'a' + 10;
      else
        break;
      a = a * 16 + (uint64_t)d;
      empty = 0;
    }
  } else {
    uint64_t max = m->int_bits == 32 ? INT32_MAX : INT64_MAX;
    uint64_t maxby10 = max / 10, maxlastd = max % 10;
    for (; *s >= '0' && *s <= '9'; s++) {
      uint64_t d = (uint64_t)(*s - '0');
      if (a >= maxby10 && (a > maxby10 || d > maxlastd + (uint64_t)neg))
        return -1;              /* overflow: not accepted as an integer */
      a = a * 10 + d;
      empty = 0;
    }
  }
  while (is_space((unsigned char)*s))
    s++;
  if (empty || *s != '\0')
    return -1;
  *out = wrap(m, neg ? 0 - a : a);
  return 0;
}

int lfsc_num53_str2num(const n53_model *m, const char *s, n53_value *out)
{
  if (str2int(m, s, &out->i) == 0) {
    out->isint = 1;
    out->n = 0;
    return 0;
  }
  /* l_str2d: no 'inf' or 'nan'; strtod/strtof read hex floats too */
  const char *mode = strpbrk(s, ".xXnN");
  if (mode && (*mode == 'n' || *mode == 'N'))
    return -1;
  char *end;
  double d = m->float32 ? (double)strtof(s, &end) : strtod(s, &end);
  if (end == s)
    return -1;
  while (is_space((unsigned char)*end))
    end++;
  if (*end != '\0')
    return -1;
  out->isint = 0;
  out->i = 0;
  out->n = d;
  return 0;
}

/* luaV_tointeger in its exact mode: a float with an integral value in
 * range converts. */
static int tointeger(const n53_model *m, const n53_value *v, int64_t *out)
{
  if (v->isint) {
    *out = v->i;
    return 1;
  }
  double f = v->n;
  if (floor(f) != f)
    return 0;
  double lim = m->int_bits == 32 ? 2147483648.0 : 9223372036854775808.0;
  if (!(f >= -lim && f < lim))
    return 0;
  *out = (int64_t)f;
  return 1;
}

/* cast_num: an integer converted straight to lua_Number (through a double
 * first, a large int64 could round twice). */
static double tonumber(const n53_model *m, const n53_value *v)
{
  if (!v->isint)
    return v->n;
  return m->float32 ? (double)(float)v->i : (double)v->i;
}

static int64_t shiftl(const n53_model *m, int64_t x, int64_t y)
{
  int bits = m->int_bits;
  uint64_t ux = m->int_bits == 32 ? (uint64_t)(uint32_t)x : (uint64_t)x;
  if (y < 0) {
    if (y <= -bits)
      return 0;
    return wrap(m, ux >> (unsigned)(-y));
  }
  if (y >= bits)
    return 0;
  return wrap(m, ux << (unsigned)y);
}

static int64_t intarith(const n53_model *m, n53_op op, int64_t a, int64_t b)
{
  uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
  switch (op) {
  case N53_ADD: return wrap(m, ua + ub);
  case N53_SUB: return wrap(m, ua - ub);
  case N53_MUL: return wrap(m, ua * ub);
  case N53_MOD:
    if (b == -1)
      return 0;                 /* also avoids min % -1 */
    {
      int64_t r = a % b;
      if (r != 0 && (r ^ b) < 0)
        r += b;
      return r;
    }
  case N53_IDIV:
    if (b == -1)
      return wrap(m, 0 - ua);
    {
      int64_t q = a / b;
      if ((a ^ b) < 0 && a % b != 0)
        q -= 1;
      return q;
    }
  case N53_BAND: return wrap(m, ua & ub);
  case N53_BOR: return wrap(m, ua | ub);
  case N53_BXOR: return wrap(m, ua ^ ub);
  case N53_SHL: return shiftl(m, a, b);
  case N53_SHR: return shiftl(m, a, b == INT64_MIN ? INT64_MAX : -b);
  case N53_UNM: return wrap(m, 0 - ua);
  case N53_BNOT: return wrap(m, ~ua);
  default: return 0;
  }
}

static double numarith(const n53_model *m, n53_op op, double a, double b)
{
  if (m->float32) {
    float x = (float)a, y = (float)b, r;
    switch (op) {
    case N53_ADD: r = x + y; break;
    case N53_SUB: r = x - y; break;
    case N53_MUL: r = x * y; break;
    case N53_DIV: r = x / y; break;
    case N53_POW: r = y == 2 ? x * x : powf(x, y); break;
    case N53_IDIV: r = floorf(x / y); break;
    case N53_UNM: r = -x; break;
    case N53_MOD:
      r = fmodf(x, y);
      if (r * y < 0)
        r += y;
      break;
    default: r = 0; break;
    }
    return (double)r;
  }
  double r;
  switch (op) {
  case N53_ADD: r = a + b; break;
  case N53_SUB: r = a - b; break;
  case N53_MUL: r = a * b; break;
  case N53_DIV: r = a / b; break;
  case N53_POW: r = b == 2 ? a * a : pow(a, b); break;
  case N53_IDIV: r = floor(a / b); break;
  case N53_UNM: r = -a; break;
  case N53_MOD:
    r = fmod(a, b);
    if (r * b < 0)
      r += b;
    break;
  default: r = 0; break;
  }
  return r;
}

int lfsc_num53_fold(const n53_model *m, n53_op op, const n53_value *a, const n53_value *b,
                    n53_value *res)
{
  int64_t i1, i2;
  switch (op) {                 /* validop: what would raise an error */
  case N53_BAND: case N53_BOR: case N53_BXOR:
  case N53_SHL: case N53_SHR: case N53_BNOT:
    if (!tointeger(m, a, &i1) || !tointeger(m, b, &i2))
      return 0;
    res->isint = 1;
    res->i = intarith(m, op, i1, i2);
    res->n = 0;
    return 1;
  case N53_DIV: case N53_IDIV: case N53_MOD:
    if (b->isint ? b->i == 0 : b->n == 0)
      return 0;
    break;
  default:
    break;
  }
  if (op != N53_DIV && op != N53_POW && a->isint && b->isint) {
    res->isint = 1;
    res->i = intarith(m, op, a->i, b->i);
    res->n = 0;
    return 1;
  }
  double n = numarith(m, op, tonumber(m, a), tonumber(m, b));
  if (isnan(n) || n == 0)
    return 0;                   /* NaN and -0 would not survive as constants */
  res->isint = 0;
  res->i = 0;
  res->n = n;
  return 1;
}
