#!/usr/bin/env bash
# Packs what the device check needs on a GPU host that may have no Java: a jlink runtime, the CLI jar, the benchmark
# jar (as encore-bench.jar) and device-check.sh, in .device/ (git-ignored). Then, on the host:
# bash .device/device-check.sh "$OUT"
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f cli/target/encore.jar && -f bench/target/encore-bench-all.jar ]] || mvn -B -ntp -q package -DskipTests
rm -rf .device
mkdir -p .device
jlink --add-modules java.base,jdk.unsupported,java.logging,java.management --strip-debug --no-header-files \
  --no-man-pages --compress=2 --output .device/jre 2>/dev/null
cp cli/target/encore.jar cuda-kernels/device-check.sh .device/
cp bench/target/encore-bench-all.jar .device/encore-bench.jar
du -sh .device
