/* MD5 (RFC 1321): the digest an ESP-IDF partition table carries over its
 * entries. Written from the RFC's description, for that one use; not for
 * anything that needs collision resistance. */
#ifndef LFSC_ESP32_MD5_H
#define LFSC_ESP32_MD5_H

#include <stddef.h>
#include <stdint.h>

typedef struct md5_ctx {
  uint32_t s[4];                /* A, B, C, D */
  uint64_t bytes;               /* message length so far */
  unsigned char buf[64];        /* the block being filled */
} md5_ctx;

void lfsc_md5_init(md5_ctx *m);
void lfsc_md5_update(md5_ctx *m, const void *p, size_t n);
void lfsc_md5_final(md5_ctx *m, unsigned char out[16]);
/* The digest of n bytes at p, in one call. */
void lfsc_md5(const void *p, size_t n, unsigned char out[16]);

#endif
