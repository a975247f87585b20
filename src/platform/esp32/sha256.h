/*
 * SHA-256 (FIPS 180-4): the digest an ESP app image carries after its
 * checksum when hash_appended is set (appimage.c). Streamed: init, any
 * number of updates, final.
 */
#ifndef LFSC_ESP32_SHA256_H
#define LFSC_ESP32_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

typedef struct lfsc_sha256_state {
  uint32_t h[8];                /* the hash value H(i) */
  uint64_t bits;                /* message length so far, in bits */
  unsigned char block[64];      /* the message block being filled */
  size_t fill;                  /* bytes of it */
} lfsc_sha256_state;

void lfsc_sha256_init(lfsc_sha256_state *s);
void lfsc_sha256_update(lfsc_sha256_state *s, const void *data, size_t len);
void lfsc_sha256_final(lfsc_sha256_state *s, unsigned char out[SHA256_LEN]);
/* The digest of one buffer. */
void lfsc_sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);

#endif
