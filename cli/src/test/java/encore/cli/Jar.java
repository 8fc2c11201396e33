package encore.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the shaded {@code encore.jar} (system property {@code encore.jar}) in its own JVM, as a user does. */
final class Jar {
    private Jar() {}

    /** Exit code, stdout and stderr of a finished run. */
    record Proc(int code, String out, String err) {}

    /**
     * {@code java -Xmx<heap> -jar encore.jar args} with ENCORE_HOME under {@code dir} and no terminal; a heap ending
     * in {@code "-quick"} (e.g. {@code "256m-quick"}) also stops the JIT at C1, which starts faster for small runs.
     */
    static ProcessBuilder builder(Path dir, String heap, String... args) {
        boolean quick = heap.endsWith("-quick");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap.replace("-quick", "")));
        if (quick) {
            cmd.add("-XX:TieredStopAtLevel=1");
        }
        cmd.addAll(List.of("-jar", System.getProperty("encore.jar")));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("ENCORE_HOME", dir.resolve("home").toString());
        pb.environment().put("ENCORE_NO_TTY", "1");
        return pb;
    }

    /** Runs to completion (at most 5 minutes) with stdin closed; stdout and stderr go through files in {@code dir}. */
    static Proc run(Path dir, String heap, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = builder(dir, heap, args);
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "encore " + String.join(" ", args) + " timed out");
        return new Proc(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
