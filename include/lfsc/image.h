/*
 * The NodeMCU Lua 5.1 Lua Flash Store (LFS) image format.
 *
 * Shared by the host toolchain (layout, writers, reader, verifier) and the
 * freestanding target loader, so it needs nothing but <stdint.h>. All
 * fields are little-endian 32-bit words; every structure starts on a word
 * boundary and is padded with zeros to a whole number of words.
 *
 *   +---------------------------+ 0
 *   | header (8 words)          |  sig, size, mainProto, pROhash, nROuse, nROsize, 0, 0
 *   +---------------------------+ 32
 *   | ROstrt buckets            |  nROsize address words
 *   | strings (FlashTS + chars) |  nROuse entries
 *   +---------------------------+
 *   | Protos, post-order        |  each: p[], k[], code[], locvars[], upvalues[], Proto
 *   +---------------------------+ flash_size   (the index Proto is the last 72 bytes)
 *   | relocation bitmap         |  PI only: one bit per image word, 1 = address field
 *   +---------------------------+
 *
 * Address fields hold, in a position-independent (PI, gzip-compressed)
 * image, the word offset of their target from the image start (0 = NULL);
 * in an absolute (ABS) image, base + 4 * word offset.
 *
 * The signature word:
 *   bits 31..12 = 0xFAFAA, bits 11..8 = format version (1), bits 7..4 = 5,
 *   bit 3 IN_PROGRESS (set only by a loader while writing flash),
 *   bit 2 packed 12-byte TValues, bit 1 integer numbers, bit 0 ABSOLUTE.
 */
#ifndef LFSC_IMAGE_H
#define LFSC_IMAGE_H

#include <stdint.h>

#define LFSIMG_SIG_MASK        0xFFFFF0F0u   /* fixed bits ... */
#define LFSIMG_SIG_FIXED       0xFAFAA050u   /* ... and their value */
#define LFSIMG_SIG_VERSION_MASK 0x00000F00u
#define LFSIMG_SIG_VERSION     0x00000100u   /* format version 1 */
#define LFSIMG_SIG_INPROGRESS  0x00000008u
#define LFSIMG_SIG_PACKED      0x00000004u   /* float, 12-byte TValues */
#define LFSIMG_SIG_INTEGER     0x00000002u   /* int32 numbers, 8-byte TValues */
#define LFSIMG_SIG_ABSOLUTE    0x00000001u
#define LFSIMG_SIG_BASE        (LFSIMG_SIG_FIXED | LFSIMG_SIG_VERSION)  /* 0xFAFAA150 */

/* Firmware variants as signature bits (PI form, bit 0 clear). */
#define LFSIMG_SIG_FLOAT       (LFSIMG_SIG_BASE | LFSIMG_SIG_PACKED)    /* 0xFAFAA154 */
#define LFSIMG_SIG_FLOAT16     (LFSIMG_SIG_BASE)                        /* 0xFAFAA150 */
#define LFSIMG_SIG_INT         (LFSIMG_SIG_BASE | LFSIMG_SIG_INTEGER)   /* 0xFAFAA152 */

/* Header: word indexes */
#define LFSIMG_H_SIG        0
#define LFSIMG_H_SIZE       1       /* flash_size in bytes, bitmap excluded */
#define LFSIMG_H_MAINPROTO  2       /* address of the index Proto */
#define LFSIMG_H_PROHASH    3       /* address of the bucket vector */
#define LFSIMG_H_NROUSE     4       /* number of strings */
#define LFSIMG_H_NROSIZE    5       /* number of buckets, a power of two */
#define LFSIMG_H_FILL1      6
#define LFSIMG_H_FILL2      7
#define LFSIMG_HEADER_WORDS 8
#define LFSIMG_HEADER_BYTES 32

/* FlashTS string entry: 4 words, then len+1 bytes padded to a word. */
#define LFSIMG_TS_NEXT      0       /* word: address of next in bucket, or 0 */
#define LFSIMG_TS_TTMARKED  1       /* word: tt=4 | marked=0x40 << 8 */
#define LFSIMG_TS_HASH      2
#define LFSIMG_TS_LEN       3
#define LFSIMG_TS_WORDS     4
#define LFSIMG_TS_TTMARKED_VALUE 0x00004004u
#define LFSIMG_TS_BYTES(len) (16u + (((uint32_t)(len) + 4u) & ~3u))

/* Proto struct: 18 words (72 bytes) */
#define LFSIMG_P_NEXT        0
#define LFSIMG_P_TTMARKED    1      /* 0 in images written by the reference */
#define LFSIMG_P_K           2      /* address of TValue vector */
#define LFSIMG_P_CODE        3
#define LFSIMG_P_P           4      /* address of vector of Proto addresses */
#define LFSIMG_P_LINEINFO    5      /* address of the line-info FlashTS's chars (TS + 16) */
#define LFSIMG_P_LOCVARS     6
#define LFSIMG_P_UPVALUES    7
#define LFSIMG_P_SOURCE      8      /* address of a FlashTS */
#define LFSIMG_P_SIZEUPVALUES 9
#define LFSIMG_P_SIZEK       10
#define LFSIMG_P_SIZECODE    11
#define LFSIMG_P_SIZEP       12
#define LFSIMG_P_SIZELOCVARS 13
#define LFSIMG_P_LINEDEFINED 14
#define LFSIMG_P_LASTLINEDEFINED 15
#define LFSIMG_P_GCLIST      16
#define LFSIMG_P_BYTES4      17     /* nups | numparams<<8 | is_vararg<<16 | maxstacksize<<24 */
#define LFSIMG_PROTO_WORDS   18
#define LFSIMG_PROTO_BYTES   72

/* LocVar: varname address, startpc, endpc */
#define LFSIMG_LOCVAR_WORDS  3

/* TValue: value bytes first, then the type tag as a word.
 * float: 8 value + 4 tag; float16: 8 value + 4 tag + 4 zero; int: 4 + 4. */
#define LFSIMG_TV_FLOAT      12
#define LFSIMG_TV_FLOAT16    16
#define LFSIMG_TV_INT        8
#define LFSIMG_TT_NIL        0
#define LFSIMG_TT_BOOLEAN    1
#define LFSIMG_TT_NUMBER     3
#define LFSIMG_TT_STRING     4

/* Bytes of relocation bitmap for an image of flash_size bytes. */
#define LFSIMG_BITMAP_BYTES(flash_size) (4u * (((uint32_t)(flash_size) / 4u + 31u) / 32u))

/* Where an absolute image may be linked is the chip's business, not the
 * format's: see lfsc/platform.h. */

/* The stock loader's gzip constraints (PI images). */
#define LFSIMG_GZ_MIN_FILE   201u          /* file must be > 200 bytes */
#define LFSIMG_GZ_WINDOW     16384u        /* max back-reference distance */

#endif
