// SHA-256 (FIPS 180-4) for the bundle checksums.
//
// Two block functions sit behind one streaming API: one using the x86 SHA extensions (SHA-NI),
// chosen at run time when the CPU has them, and a portable one that runs everywhere. A context
// remembers which one it uses, so tests can run both side by side without global state.
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Which block function a context uses.
typedef enum {
    CK_SHA256_AUTO = 0,      ///< SHA-NI when the CPU has it, portable otherwise
    CK_SHA256_PORTABLE = 1,  ///< plain C, every CPU
    CK_SHA256_SHANI = 2      ///< x86 SHA extensions; falls back to portable where missing
} ck_sha256_backend;

/// A streaming SHA-256 computation. Treat the fields as private.
typedef struct {
    uint32_t state[8];
    uint64_t total_bytes;
    uint8_t buffer[64];
    uint32_t buffered;
    int32_t use_shani;
} ck_sha256_ctx;

/// 1 when this CPU has the SHA extensions (and SSSE3/SSE4.1 they are used with), else 0.
int ck_sha256_cpu_has_shani(void);

/// Starts a computation with the given block function.
void ck_sha256_init(ck_sha256_ctx *ctx, ck_sha256_backend backend);

/// 1 when this context runs on SHA-NI.
int ck_sha256_uses_shani(const ck_sha256_ctx *ctx);

/// Feeds `length` bytes.
void ck_sha256_update(ck_sha256_ctx *ctx, const void *data, size_t length);

/// Writes the 32-byte digest; the context must be initialised again before reuse.
void ck_sha256_final(ck_sha256_ctx *ctx, uint8_t digest[32]);

/// One-shot digest of `length` bytes with the automatic backend.
void ck_sha256(const void *data, size_t length, uint8_t digest[32]);

#ifdef __cplusplus
}
#endif
