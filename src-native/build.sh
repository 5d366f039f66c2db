#!/usr/bin/env bash
# Builds the GPU backend's kernels and JNI glue into src-native/build/libtandem_cuda.so, with the CUDA
# runtime linked statically (a GPU host then needs only the NVIDIA driver):
#   src-native/build.sh [--force]
# Needs nvcc (CUDA 12.x or 13.x; $NVCC, else nvcc on PATH, else /usr/local/cuda/bin/nvcc) and a JDK's
# jni.h ($JAVA_HOME, else the javac on PATH). Architectures: $TANDEM_CUDA_ARCHS, default "80 90"
# (A100, H100/H200) plus PTX of the last one, which newer GPUs compile at load time. Skips the build when
# the library is newer than its sources and was built for the same architectures. Exit 3: no nvcc.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/build/libtandem_cuda.so"
archs=${TANDEM_CUDA_ARCHS:-"80 90"}

nvcc=${NVCC:-$(command -v nvcc || true)}
[ -n "$nvcc" ] || nvcc=/usr/local/cuda/bin/nvcc
if [ ! -x "$nvcc" ]; then
  echo "build.sh: nvcc not found (set NVCC or put the CUDA toolkit's bin on PATH)" >&2
  exit 3
fi
java_home=${JAVA_HOME:-}
if [ -z "$java_home" ] && command -v javac >/dev/null 2>&1; then
  java_home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
fi
if [ ! -f "$java_home/include/jni.h" ]; then
  echo "build.sh: jni.h not found (set JAVA_HOME to a JDK)" >&2
  exit 1
fi

gencode=() names=()
for a in $archs; do
  gencode+=(-gencode "arch=compute_$a,code=sm_$a")
  names+=("sm_$a")
done
last=${archs##* }
gencode+=(-gencode "arch=compute_$last,code=compute_$last")
names+=("compute_$last")

stamp="$here/build/archs"
if [ "${1:-}" != "--force" ] && [ -f "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "${names[*]}" ] \
   && [ -z "$(find "$here/src" "$here/build.sh" -newer "$out" -print -quit)" ]; then
  echo "build.sh: $out is up to date"
  exit 0
fi

mkdir -p "$here/build"
echo "build.sh: compiling for ${names[*]} with $("$nvcc" --version | tail -1)"
"$nvcc" -std=c++17 -O3 -shared -cudart static --threads "${TANDEM_NVCC_THREADS:-2}" \
  -Xcompiler -fPIC,-fvisibility=hidden -Xlinker --no-undefined \
  "${gencode[@]}" -DTANDEM_ARCHS="\"${names[*]}\"" \
  -I"$java_home/include" -I"$java_home/include/linux" \
  "$here/src/engine.cu" "$here/src/jni.cpp" -o "$out.tmp" \
  -Xcompiler -static-libstdc++,-static-libgcc
mv "$out.tmp" "$out"
echo "${names[*]}" > "$stamp"
echo "build.sh: built $out"
