#!/usr/bin/env bash
# Packs what the device check needs on a GPU host that may have no Java: a jlink runtime, the CLI jar and
# device-check.sh, in .device/ (git-ignored; about 45 MB). Then, on the host: bash .device/device-check.sh "$OUT"
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f cli/target/encore.jar ]] || mvn -B -ntp -q package -DskipTests
rm -rf .device
mkdir -p .device
jlink --add-modules java.base,jdk.unsupported,java.logging,java.management --strip-debug --no-header-files \
  --no-man-pages --compress=2 --output .device/jre 2>/dev/null
cp cli/target/encore.jar cuda-kernels/device-check.sh .device/
du -sh .device
