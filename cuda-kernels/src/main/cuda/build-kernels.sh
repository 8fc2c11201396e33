#!/usr/bin/env bash
# Compiles the CUDA kernels into fatbin resources for the JCuda engine; run by Maven (generate-resources).
#   build-kernels.sh SRC_DIR OUT_DIR LOG_FILE
# nvcc is looked up in $CUDA_HOME/bin, /usr/local/cuda/bin, then PATH. Without nvcc the build goes on and the GPU
# backend reports "kernels not built" at run time. Each fatbin holds SASS for sm_75 … sm_120 plus compute_75 PTX (so
# newer GPUs can JIT it). nvcc 13 emits PTX ISA 9.0: the kernels need a CUDA 13 driver (r580 or newer).
# The ptxas resource report (registers, shared memory, spills per kernel) goes to LOG_FILE and the build log;
# a spill in any kernel fails the build.
set -euo pipefail
src=$1 out=$2 log=$3
mkdir -p "$out" "$(dirname "$log")"
nvcc=""
for c in "${CUDA_HOME:-}/bin/nvcc" /usr/local/cuda/bin/nvcc "$(command -v nvcc 2>/dev/null || true)"; do
  if [[ -n "$c" && -x "$c" && "$c" != /bin/nvcc ]]; then nvcc=$c; break; fi
done
if [[ -z "$nvcc" ]]; then
  echo "[encore-cuda] nvcc not found (CUDA_HOME, /usr/local/cuda/bin, PATH): GPU kernels not built; the gpu backend will report it" | tee "$log"
  rm -f "$out"/*.fatbin
  exit 0
fi
archs=(75 80 86 89 90 100 120)
flags=(-fatbin -O3 -std=c++17 -lineinfo -Xptxas -v)
for a in "${archs[@]}"; do flags+=(-gencode "arch=compute_$a,code=sm_$a"); done
flags+=(-gencode arch=compute_75,code=compute_75)
: > "$log.tmp"
echo "[encore-cuda] $("$nvcc" --version | tail -1)" | tee -a "$log.tmp"
for cu in "$src"/*.cu; do
  name=$(basename "$cu" .cu)
  fat="$out/$name.fatbin"
  if [[ -f "$fat" && "$fat" -nt "$cu" && -f "$log" ]] && grep -q "^== $name " "$log"; then
    sed -n "/^== $name /,/^== end $name/p" "$log" >> "$log.tmp"
    echo "[encore-cuda] $name.fatbin is up to date"
    continue
  fi
  echo "== $name ($(basename "$nvcc") ${archs[*]/#/sm_} + compute_75 PTX)" >> "$log.tmp"
  if ! "$nvcc" "${flags[@]}" -o "$fat.part" "$cu" > "$log.$name" 2>&1; then
    cat "$log.$name"; rm -f "$fat.part" "$log.tmp"; echo "[encore-cuda] nvcc failed on $cu" >&2; exit 1
  fi
  # keep one line per kernel and architecture: registers, shared memory, spills
  grep -E "Compiling entry function|bytes stack frame|Used [0-9]+ registers" "$log.$name" \
    | sed -E "s/ptxas info *: //" >> "$log.tmp"
  echo "== end $name" >> "$log.tmp"
  rm -f "$log.$name"
  mv "$fat.part" "$fat"
  echo "[encore-cuda] built $name.fatbin ($(stat -c %s "$fat") bytes)"
done
mv "$log.tmp" "$log"
spills=$(grep -cE "[1-9][0-9]* bytes spill (stores|loads)" "$log" || true)
grep -E "Compiling entry|Used [0-9]+ registers" "$log" | paste - - | sed -E "s/Compiling entry function '([a-z_]+)' for '(sm_[0-9]+)'\t/\1 \2: /" \
  | grep -E "sm_90" | sed "s/^/[encore-cuda] /"
if [[ "$spills" != "0" ]]; then
  grep -B2 -E "[1-9][0-9]* bytes spill" "$log" >&2
  echo "[encore-cuda] local-memory spills in a kernel (see $log)" >&2
  exit 1
fi
