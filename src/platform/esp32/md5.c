/*
 * MD5 after RFC 1321 section 3: 512-bit blocks of sixteen little-endian
 * words, four rounds of sixteen steps on the state A B C D, padding with
 * 0x80, zeros and the bit length as a little-endian 64-bit number.
 */
#include <string.h>

#include "platform/esp32/md5.h"

/* T[i] = floor(2^32 * |sin(i + 1)|), the RFC's sine table */
static const uint32_t T[64] = {
  0xd76aa478u, 0xe8c7b756u, 0x242070dbu, 0xc1bdceeeu,
  0xf57c0fafu, 0x4787c62au, 0xa8304613u, 0xfd469501u,
  0x698098d8u, 0x8b44f7afu, 0xffff5bb1u, 0x895cd7beu,
  0x6b901122u, 0xfd987193u, 0xa679438eu, 0x49b40821u,
  0xf61e2562u, 0xc040b340u, 0x265e5a51u, 0xe9b6c7aau,
  0xd62f105du, 0x02441453u, 0xd8a1e681u, 0xe7d3fbc8u,
  0x21e1cde6u, 0xc33707d6u, 0xf4d50d87u, 0x455a14edu,
  0xa9e3e905u, 0xfcefa3f8u, 0x676f02d9u, 0x8d2a4c8au,
  0xfffa3942u, 0x8771f681u, 0x6d9d6122u, 0xfde5380cu,
  0xa4beea44u, 0x4bdecfa9u, 0xf6bb4b60u, 0xbebfbc70u,
  0x289b7ec6u, 0xeaa127fau, 0xd4ef3085u, 0x04881d05u,
  0xd9d4d039u, 0xe6db99e5u, 0x1fa27cf8u, 0xc4ac5665u,
  0xf4292244u, 0x432aff97u, 0xab9423a7u, 0xfc93a039u,
  0x655b59c3u, 0x8f0ccc92u, 0xffeff47du, 0x85845dd1u,
  0x6fa87e4fu, 0xfe2ce6e0u, 0xa3014314u, 0x4e0811a1u,
  0xf7537e82u, 0xbd3af235u, 0x2ad7d2bbu, 0xeb86d391u,
};

/* the left rotations of each round's four steps */
static const unsigned char S[4][4] = {
  {7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21},
};

static uint32_t rotl(uint32_t x, unsigned n)
{
  return (x << n) | (x >> (32 - n));
}

static void block(uint32_t s[4], const unsigned char *p)
{
  uint32_t x[16];
  for (int i = 0; i < 16; i++)
    x[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
           (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
  uint32_t a = s[0], b = s[1], c = s[2], d = s[3];
  for (int i = 0; i < 64; i++) {
    uint32_t f;
    int k, r = i / 16;
    switch (r) {
    case 0: f = (b & c) | (~b & d); k = i; break;                     /* F */
    case 1: f = (b & d) | (c & ~d); k = (5 * i + 1) % 16; break;     /* G */
    case 2: f = b ^ c ^ d; k = (3 * i + 5) % 16; break;              /* H */
    default: f = c ^ (b | ~d); k = (7 * i) % 16; break;              /* I */
    }
    uint32_t t = d;
    d = c;
    c = b;
    b = b + rotl(a + f + x[k] + T[i], S[r][i % 4]);
    a = t;
  }
  s[0] += a;
  s[1] += b;
  s[2] += c;
  s[3] += d;
}

void lfsc_md5_init(md5_ctx *m)
{
  m->s[0] = 0x67452301u;
  m->s[1] = 0xefcdab89u;
  m->s[2] = 0x98badcfeu;
  m->s[3] = 0x10325476u;
  m->bytes = 0;
}

void lfsc_md5_update(md5_ctx *m, const void *p, size_t n)
{
  const unsigned char *q = p;
  size_t used = (size_t)(m->bytes % 64);
  m->bytes += n;
  if (used) {
    size_t k = 64 - used < n ? 64 - used : n;
    memcpy(m->buf + used, q, k);
    q += k;
    n -= k;
    if (used + k < 64)
      return;
    block(m->s, m->buf);
  }
  for (; n >= 64; q += 64, n -= 64)
    block(m->s, q);
  if (n)
    memcpy(m->buf, q, n);
}

void lfsc_md5_final(md5_ctx *m, unsigned char out[16])
{
  uint64_t bits = m->bytes * 8;
  unsigned char pad[72] = {0x80};
  size_t used = (size_t)(m->bytes % 64);
  size_t npad = (used < 56 ? 56 : 120) - used;
  for (int i = 0; i < 8; i++)
    pad[npad + i] = (unsigned char)(bits >> (8 * i));
  lfsc_md5_update(m, pad, npad + 8);
  for (int i = 0; i < 16; i++)
    out[i] = (unsigned char)(m->s[i / 4] >> (8 * (i % 4)));
}

void lfsc_md5(const void *p, size_t n, unsigned char out[16])
{
  md5_ctx m;
  lfsc_md5_init(&m);
  lfsc_md5_update(&m, p, n);
  lfsc_md5_final(&m, out);
}
