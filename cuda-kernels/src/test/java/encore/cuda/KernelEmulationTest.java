package encore.cuda;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the CUDA kernels themselves on the CPU emulator ({@code src/test/emu}: every CUDA thread an OS thread,
 * barriers and warp shuffles emulated) against double-precision references, so the kernels' logic is tested on
 * machines without a GPU. Skipped when g++ with C++20 is missing, except under CI ({@code CI=true}, which
 * {@code .ci/run} sets), where a missing compiler fails the test instead of hiding it. {@code EMU_FULL=1} runs every
 * combination.
 */
class KernelEmulationTest {
    @Test
    void kernelsAgreeWithTheReferencesOnTheEmulator() throws Exception {
        String missing = "g++ not found: the kernel emulation needs g++ with C++20";
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(onPath("g++"), missing + " (under CI the emulator must run: install g++)");
        }
        assumeTrue(onPath("g++"), missing);
        Path build = Path.of("target", "emu");
        Process p = new ProcessBuilder("bash", "src/test/emu/run-emu.sh", build.toString())
                .redirectErrorStream(true)
                .redirectOutput(build.resolveSibling("emu.log").toFile())
                .start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String log = Files.readString(build.resolveSibling("emu.log"), StandardCharsets.UTF_8);
        System.out.println(log);
        assertTrue(done, "kernel emulation timed out");
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("0 failed"), log);
    }

    private static boolean onPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }
}
