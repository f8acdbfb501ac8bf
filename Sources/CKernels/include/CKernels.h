// CKernels: the small C shim under the Kernels and Bundle targets.
#pragma once
#include <stddef.h>
#include <stdint.h>
