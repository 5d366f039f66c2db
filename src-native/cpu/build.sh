#!/usr/bin/env bash
# Builds the native CPU kernel library libtandem_cpu.so.
#   build.sh [--force] [OUTPUT_ROOT]
# puts it in OUTPUT_ROOT/<os>-<arch>/ (default: engine/target/classes/native, where the engine finds it on its
# class path and its jar carries it). Without a C compiler, or when compiling fails, it says so and exits 0:
# the engine then runs its Java kernels.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
force=0
if [[ "${1:-}" == "--force" ]]; then force=1; shift; fi
os="$(uname -s | tr '[:upper:]' '[:lower:]')"
arch="$(uname -m)"
case "$arch" in amd64) arch=x86_64 ;; arm64) arch=aarch64 ;; esac
out="${1:-$here/../../engine/target/classes/native}/$os-$arch"
lib="$out/libtandem_cpu.so"
cc="${CC:-}"
if [[ -z "$cc" ]]; then
  for c in gcc cc clang; do
    if command -v "$c" >/dev/null 2>&1; then cc="$c"; break; fi
  done
fi
if [[ -z "$cc" ]]; then
  echo "[tandem-cpu] no C compiler (gcc, cc, clang): native CPU kernels not built; the engine will use its Java kernels"
  exit 0
fi
if [[ -f "$lib" && $force == 0 ]]; then
  newer=$(find "$here" -newer "$lib" -type f \( -name '*.c' -o -name '*.h' -o -name '*.inc' -o -name build.sh \) | head -1)
  if [[ -z "$newer" ]]; then
    echo "[tandem-cpu] $lib is up to date"
    exit 0
  fi
fi
mkdir -p "$out"
# -ffp-contract=off: no fused multiply-adds but the explicit ones, so the arithmetic is the Java kernels'.
flags=(-O3 -fPIC -std=c11 -D_GNU_SOURCE -ffp-contract=off -fno-math-errno -fvisibility=hidden
       -Wall -Wextra -Wno-unused-parameter)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "[tandem-cpu] $1: native CPU kernels not built; the engine will use its Java kernels"
  exit 0
}
objs=()
compile() { # source object extra-flags...
  local src="$1" obj="$2"; shift 2
  "$cc" "${flags[@]}" "$@" -c "$here/$src" -o "$tmp/$obj" || fail "compiling $src with $cc failed"
  objs+=("$tmp/$obj")
}
case "$arch" in
  x86_64)
    compile dispatch.c dispatch.o
    compile generic.c generic.o
    compile kernels_avx2.c avx2.o -mavx2 -mfma -mf16c
    compile kernels_avx512.c avx512.o -mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512vl -mavx512vnni
    ;;
  aarch64)
    # NEON is part of armv8-a: the generic kernels, vectorised by the compiler.
    compile dispatch.c dispatch.o
    compile generic.c generic.o -march=armv8-a+simd
    ;;
  *)
    compile dispatch.c dispatch.o
    compile generic.c generic.o
    ;;
esac
"$cc" -shared -o "$lib.tmp" "${objs[@]}" -lm || fail "linking with $cc failed"
mv "$lib.tmp" "$lib"
echo "[tandem-cpu] built $lib with $cc ($arch)"
