// CKernels: the small C shim under the Kernels and Bundle targets.
//   ck_kernels.h  SIMD kernels (quantized dot products etc.) with runtime ISA dispatch
//   ck_sha256.h   SHA-256 (SHA-NI where the CPU has it, portable otherwise)
#pragma once
#include "ck_kernels.h"
#include "ck_sha256.h"
