package encore.als.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs {@code python3} scripts for the numpy interop tests; skips them where python3 or numpy is missing. */
final class Python3 {
    private static Boolean numpy;

    private Python3() {}

    /** Skips the calling test unless {@code python3 -c 'import numpy'} succeeds. */
    static synchronized void assumeNumpy() {
        if (numpy == null) {
            try {
                Process p = new ProcessBuilder("python3", "-c", "import numpy")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                numpy = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                numpy = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                numpy = false;
            }
        }
        assumeTrue(numpy, "python3 with numpy is not installed here: the numpy interop test is skipped");
    }

    /** Runs {@code script} with {@code args} in {@code cwd}; returns its standard output (UTF-8), failing on exit != 0. */
    static String run(Path cwd, String script, String... args) throws Exception {
        Path file = Files.createTempFile(cwd, "script-", ".py");
        Files.writeString(file, script, StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>(List.of("python3", file.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().put("PYTHONIOENCODING", "utf-8");
        Path err = Files.createTempFile(cwd, "stderr-", ".txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python3 did not finish");
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "python3 failed: " + stderr);
        Files.delete(file);
        Files.delete(err);
        return new String(out, StandardCharsets.UTF_8);
    }
}
