#!/usr/bin/env bash
# Encore device check: the GPU self-test, compute-sanitizer, the training and recommend-all benchmarks and an
# end-to-end `encore run`, on any Linux GPU host with a JRE. Prints a short table last; logs go to OUT_DIR.
#
#   device-check.sh [OUT_DIR]        (default: $OUT, else ./device-check-out)
#
# Finds java as $JAVA, ./jre/bin/java beside this script (cuda-kernels/device-pack.sh puts a jlink runtime there),
# $JAVA_HOME/bin/java, then PATH; encore.jar beside this script, else cli/target/encore.jar; and the benchmark jar
# (the training/top-k benchmark, encore.bench.gpu.DeviceCheck) as encore-bench.jar beside this script, else
# bench/target/encore-bench-all.jar.
# Every step has a time limit (DC_* variables below, seconds) so the whole check fits a short GPU lease.
# With suite/ beside this script (device-pack.sh), it first runs the default build's unit tests there (DC_SUITE=0
# skips them), from the repository root of the working-tree copy, so the GPU-aware tests run against the real device.
#
# Exit status: 0 only when every step passed; else 1, and the last line names the steps that failed (a step that
# ran out of its time limit failed). A compute-sanitizer that refuses this host's device is reported as not run, not
# as a failure, unless DC_REQUIRE_SANITIZER=1.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-${OUT:-device-check-out}}
mkdir -p "$out"
work=${DC_WORK:-/tmp/encore-device-check}
mkdir -p "$work"
# ReadmeExampleTest compiles the README's example: the jlink runtime has no compiler (and it runs no GPU code).
: "${DC_SUITE_EXCLUDE:=encore.cpu.ReadmeExampleTest}"
: "${DC_SUITE_TIME:=420}" "${DC_SELFTEST:=300}" "${DC_SANITIZER:=150}" "${DC_GENERATE:=120}" "${DC_BENCH:=330}" "${DC_RUN:=150}"
: "${DC_ROWS:=13758905}" "${DC_RANKS:=10,64,128}" "${DC_CPU_RANKS:=64}" "${DC_MODES:=explicit,implicit}"

java=${JAVA:-}
for c in "$here/jre/bin/java" "${JAVA_HOME:-/nonexistent}/bin/java" "$(command -v java 2>/dev/null || true)"; do
  if [[ -z "$java" && -n "$c" && -x "$c" ]]; then java=$c; fi
done
jar=""
for c in "$here/encore.jar" "$here/../cli/target/encore.jar" "cli/target/encore.jar"; do
  if [[ -z "$jar" && -f "$c" ]]; then jar=$c; fi
done
bjar=""
for c in "$here/encore-bench.jar" "$here/../bench/target/encore-bench-all.jar" "bench/target/encore-bench-all.jar"; do
  if [[ -z "$bjar" && -f "$c" ]]; then bjar=$c; fi
done
summary=()
failed=()
note() { summary+=("$1"); echo "== $1"; }
# check STEP RC: records STEP as failed unless RC is 0 (124: its time limit)
check() { if [[ $2 != 0 ]]; then failed+=("$1$([[ $2 == 124 ]] && echo ' (time limit)')"); fi; }
finish() {
  if ((${#failed[@]})); then echo "device check FAILED: ${failed[*]}"; exit 1; fi
  echo "device check passed"; exit 0
}

{
  echo "date: $(date -u +%FT%TZ)"; echo "host: $(uname -srm), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB"
  echo "java: ${java:-MISSING} $([[ -n "$java" ]] && "$java" -version 2>&1 | head -1)"
  echo "jar: ${jar:-MISSING}"
  echo "bench jar: ${bjar:-MISSING}"
  echo "nvidia-smi: $(nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>&1 | head -2 | tr '\n' ';')"
  echo "compute-sanitizer: $(compute-sanitizer --version 2>/dev/null | grep -i version | head -1 || true)"
  echo "cuda libraries: $(ldconfig -p 2>/dev/null | grep -E 'cublas|cusolver' | awk '{print $1}' | sort -u | tr '\n' ' ')"
} > "$out/facts.txt" 2>&1
cat "$out/facts.txt"
note "gpu: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1 || echo none)"
if [[ -z "$java" || -z "$jar" ]]; then
  note "java or encore.jar missing: nothing else can run"; printf '%s\n' "${summary[@]}"; failed+=(setup); finish
fi
# the CPU engine's vector kernels (encore.cpu.SimdKernels), as every launcher starts them
simd=--add-modules=jdk.incubator.vector
J=("$java" -Xmx${DC_HEAP:-48g} -XX:+UseParallelGC "$simd" -Djava.io.tmpdir="$work")

# 0. the default build's unit tests, per module, on this host (GPU tests run here instead of skipping)
repo=$(cd "$here/.." && pwd)
if [[ -d "$here/suite" && "${DC_SUITE:-1}" != 0 ]]; then
  for m in core cpu-fallback cuda-kernels cli; do
    cp=$(sed "s#\([^:]*\)#$here/suite/\1#g" "$here/suite/$m/classpath")
    (cd "$repo/$m" && ENCORE_HOME="$work/encore-home" ENCORE_NO_TTY=1 timeout "$DC_SUITE_TIME" "$java" -Xmx8g \
      "$simd" -Djava.io.tmpdir="$work" -cp "$here/suite/launcher:$here/suite/launcher/*:$cp" \
      DeviceSuite "$here/suite/$m/test-classes" "$m" $DC_SUITE_EXCLUDE) > "$out/suite-$m.txt" 2>&1
    rc=$?
    check "suite $m" $rc
    note "suite $m (rc $rc): $(grep '^suite ' "$out/suite-$m.txt" | tail -1) $(grep -c '^skipped ' "$out/suite-$m.txt") skipped"
  done
else
  note "suite: not packed (cuda-kernels/device-pack.sh) or DC_SUITE=0"
fi

# 1. doctor and the self-test (every kernel vs a CPU double reference)
timeout 60 "${J[@]}" -jar "$jar" doctor > "$out/doctor.txt" 2>&1
check doctor $?
note "doctor: $(grep -E '^gpu|^  gpu' "$out/doctor.txt" | head -2 | tr '\n' ' ')"
timeout "$DC_SELFTEST" "${J[@]}" -jar "$jar" doctor --selftest > "$out/selftest.txt" 2>&1
rc=$?
check selftest $rc
note "selftest (rc $rc): $(grep -E 'cases failed|no usable GPU' "$out/selftest.txt" | tail -1)"

# 2. compute-sanitizer memcheck and racecheck on the quick self-test
if command -v compute-sanitizer > /dev/null; then
  for tool in memcheck racecheck; do
    timeout "$DC_SANITIZER" compute-sanitizer --tool "$tool" --target-processes all --error-exitcode 97 \
      --log-file "$out/sanitizer-$tool.log" \
      "${J[@]}" -jar "$jar" doctor --selftest --quick > "$out/sanitizer-$tool.out" 2>&1
    rc=$?
    if grep -qi 'device not supported' "$out/sanitizer-$tool.log" "$out/sanitizer-$tool.out" 2>/dev/null \
        && [[ "${DC_REQUIRE_SANITIZER:-0}" != 1 ]]; then
      note "compute-sanitizer $tool: not run (it does not support this host's device; DC_REQUIRE_SANITIZER=1 fails)"
      continue
    fi
    if grep -Eq '(ERROR|RACECHECK) SUMMARY: [1-9]' "$out/sanitizer-$tool.log" 2>/dev/null && [[ $rc == 0 ]]; then rc=97; fi
    check "compute-sanitizer $tool" $rc
    note "compute-sanitizer $tool (rc $rc): $(grep -h 'ERROR SUMMARY\|RACECHECK SUMMARY' "$out/sanitizer-$tool.log" 2>/dev/null | sort | uniq -c | tr '\n' ' ')$([[ $rc == 124 ]] && echo ' (time limit)')"
  done
else
  note "compute-sanitizer: not installed"
fi

# 3. benchmarks: (a) generated listenings, (b) the Last.fm-360K-shaped matrix
data="$work/listenings-$DC_ROWS.csv"
if [[ ! -s "$data" ]]; then
  timeout "$DC_GENERATE" "${J[@]}" -jar "$jar" generate --rows "$DC_ROWS" --seed 1 --out "$data" --quiet > "$out/generate.txt" 2>&1
  check generate $?
fi
if [[ -n "$bjar" ]]; then
  timeout "$DC_BENCH" "${J[@]}" -jar "$bjar" device-check --listenings "$data" --ranks "$DC_RANKS" \
    --cpu-ranks "$DC_CPU_RANKS" --modes "$DC_MODES" --out "$out/bench-table.md" > "$out/bench.txt" 2>&1
  rc=$?
  check benchmark $rc
  note "benchmark (rc $rc): $(grep -c "^|" "$out/bench-table.md" 2>/dev/null || echo 0) rows"
else
  note "benchmark: encore-bench.jar missing (build with: mvn -pl bench -am package -DskipTests)"
  failed+=("benchmark (jar missing)")
fi

# 4. end to end: encore run on (a) with the GPU
timeout "$DC_RUN" "${J[@]}" -jar "$jar" run --data "$data" --backend gpu --out "$work/run" > "$out/run.txt" 2>&1
rc=$?
check "encore run" $rc
cp "$work/run/metrics.json" "$out/run-metrics.json" 2>/dev/null
if [[ $rc == 0 ]] && ! grep -q '"backend": "gpu"' "$out/run-metrics.json" 2>/dev/null; then
  failed+=("encore run (did not train on the GPU: $(grep -o '"fallback_reason": [^,]*' "$out/run-metrics.json"))")
fi
note "encore run --backend gpu (rc $rc): $(grep -o '"timings_s":{[^}]*}' "$out/run-metrics.json" 2>/dev/null)"

echo
echo "### device check: $(head -1 "$out/facts.txt" | cut -d' ' -f2)"
printf -- '- %s\n' "${summary[@]}"
echo
echo "| data | mode | f | engine | ms/iteration | kernel ms/iteration | CPU/GPU | top-10 all users s |"
echo "|---|---|---|---|---|---|---|---|"
cat "$out/bench-table.md" 2>/dev/null
finish
