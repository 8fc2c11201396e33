#!/usr/bin/env bash
# Builds and runs the CPU emulation of the CUDA kernels (see cuda_emu.h): rewrites the kernels' shared-memory
# declarations for the emulator, compiles them with emu_check.cpp, runs the checks. Needs g++ with C++20.
#   run-emu.sh BUILD_DIR          (EMU_FULL=1 for every combination of ranks, k and layouts: minutes)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cuda="$here/../../main/cuda"
build=${1:-/tmp/encore-emu}
mkdir -p "$build"
for cu in als topk; do
  sed -E -e 's/extern __shared__ ([a-z]+) ([a-z_]+)\[\];/\1* \2 = reinterpret_cast<\1*>(emu::dyn_smem());/' \
         -e 's/__shared__ ([a-z]+) ([a-z_]+);/\1\& \2 = emu::static_smem<\1>("\2");/' \
         "$cuda/$cu.cu" > "$build/$cu.emu.cpp"
done
g++ -std=c++20 -O2 -pthread -Wall -Wno-unused-function -Wno-unknown-pragmas -include "$here/cuda_emu.h" -I "$build" \
  -o "$build/emu_check" "$here/emu_check.cpp"
"$build/emu_check"
