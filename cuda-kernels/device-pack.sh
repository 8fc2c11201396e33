#!/usr/bin/env bash
# Packs what the device check needs on a GPU host that may have no Java or Maven, in .device/ (git-ignored):
#   jre/              a jlink runtime
#   encore.jar        the CLI jar;  encore-bench.jar: the benchmark jar;  device-check.sh
#   suite/            the default build's unit tests of core, cpu-fallback, cuda-kernels and cli, runnable without
#                     Maven: MODULE/test-classes, lib/ (the test-only jars: JUnit, jqwik), launcher/ (DeviceSuite);
#                     the code under test is encore.jar (every module and its runtime dependencies)
# Then, on the host, from the repository root of the working-tree copy: bash .device/device-check.sh "$OUT"
# (carry .device). Needs Maven here; offline once the build's dependencies are in ~/.m2.
set -euo pipefail
cd "$(dirname "$0")/.."
modules=(core cpu-fallback cuda-kernels cli)
# one reactor invocation, so each module's test classpath resolves its sibling modules to the jars just packaged
mvn -B -ntp -q -DskipTests package dependency:copy-dependencies -DincludeScope=test -DexcludeTransitive=false
launcher_version=$(ls "${modules[0]}"/target/dependency | sed -n 's/^junit-platform-engine-\(.*\)\.jar$/\1/p')
rm -rf .device
mkdir -p .device/suite/launcher
mvn -B -ntp -q dependency:copy -Dartifact="org.junit.platform:junit-platform-launcher:$launcher_version" \
  -DoutputDirectory=.device/suite/launcher
javac -d .device/suite/launcher \
  -cp ".device/suite/launcher/*:${modules[0]}/target/dependency/*" cuda-kernels/device-suite/DeviceSuite.java
mkdir -p .device/suite/lib
for m in "${modules[@]}"; do
  mkdir -p ".device/suite/$m"
  cp -r "$m/target/classes" "$m/target/test-classes" ".device/suite/$m/"
  cp=("$m/test-classes" "$m/classes") # the module's test classpath, as Surefire has it, relative to suite/
  for j in "$m"/target/dependency/*.jar; do
    name=$(basename "$j")
    case "$name" in
      encore-core-*) cp+=(core/classes) ;;
      encore-cpu-*) cp+=(cpu-fallback/classes) ;;
      encore-cuda-*) cp+=(cuda-kernels/classes) ;;
      jcuda-natives-*) # only the driver API's library is loaded (as in encore.jar): 1 of the jar's 9 MB
        [[ -f ".device/suite/lib/$name" ]] || (rm -rf .device/natives && mkdir .device/natives && cd .device/natives \
          && unzip -q "$OLDPWD/$j" 'lib/libJCudaDriver-*' && zip -qr "../suite/lib/$name" lib) && rm -rf .device/natives
        cp+=("lib/$name") ;;
      *) cp -n "$j" .device/suite/lib/; cp+=("lib/$name") ;;
    esac
  done
  (IFS=:; echo "${cp[*]}") > ".device/suite/$m/classpath"
done
jlink --add-modules java.base,jdk.unsupported,java.logging,java.management,jdk.management,java.xml,jdk.incubator.vector \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output .device/jre 2>/dev/null
cp cli/target/encore.jar cuda-kernels/device-check.sh .device/
cp bench/target/encore-bench-all.jar .device/encore-bench.jar
du -sh .device
