#!/bin/sh
# Rough single-thread GMAC/s of the matrix-product kernels per ISA (not a test).
#   scripts/bench-kernels.sh        the default model's four weight types
#   scripts/bench-kernels.sh all    every type
#   scripts/bench-kernels.sh prompt [all]   128 tokens only (row dots vs packed panels)
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
# One binary per checkout (worktrees share /tmp); a failed compile stops here instead of running
# an older binary.
out=${TMPDIR:-/tmp}/llmpack-bench-kernels-$(printf %s "$root" | cksum | cut -d' ' -f1)
cc=${CC:-clang}
rm -f "$out"
$cc -O3 -fno-math-errno -I "$root/Sources/CKernels/include" \
    "$root/Sources/CKernels/cpu.c" "$root/Sources/CKernels/ck_generic.c" \
    "$root/Sources/CKernels/ck_avx2.c" "$root/Sources/CKernels/ck_avx512.c" \
    "$root/scripts/bench-kernels.c" -o "$out" -lm 2>&1 | grep -v Wpsabi || true
[ -x "$out" ] || { echo "bench-kernels: compile failed" >&2; exit 1; }
"$out" "$@"
