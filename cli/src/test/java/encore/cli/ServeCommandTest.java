package encore.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static encore.cli.EncoreCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code encore serve}'s flags and start-up errors (the running server: ServeJarIT, and the serve module's tests). */
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void helpListsTheFlags() {
        EncoreCliTest.Result r = run("serve", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Usage: encore serve"), r.out());
        for (String flag : new String[] {
            "--model",
            "--host",
            "--port",
            "--threads",
            "--max-concurrent",
            "--max-body",
            "--max-plays",
            "--poll-ms",
            "--request-timeout",
            "--no-sighup"
        }) {
            assertTrue(r.out().contains(flag), flag + " in\n" + r.out());
        }
        assertTrue(run("--help").out().contains("serve"));
    }

    @Test
    void badFlagsAreUsageErrorsNamingTheFlag() throws Exception {
        Path m = Files.writeString(dir.resolve("m.encore"), "x");
        String[][] cases = {
            {"--max-concurrent", "0", "encore: --max-concurrent must be in 1..10000, got 0"},
            {"--port", "70000", "encore: --port must be in 0..65535, got 70000"},
            {"--max-body", "10", "encore: --max-body must be in 1024..268435456, got 10"},
            {"--max-plays", "0", "encore: --max-plays must be in 1..10000000, got 0"},
            {"--poll-ms", "1", "encore: --poll-ms must be between 10 ms and 24 h, got PT0.001S"},
            {"--threads", "-1", "encore: --threads must be in 1..10000 (or 0 for the default), got -1"},
            {"--request-timeout", "0", "encore: --request-timeout must be in 1..86400 seconds, got 0"},
        };
        for (String[] c : cases) {
            EncoreCliTest.Result r = run("serve", "--model", m.toString(), c[0], c[1]);
            assertEquals(2, r.code(), r.err());
            assertEquals(c[2] + " (see 'encore serve --help')", r.err().strip());
        }
        assertEquals(2, run("serve").code());
    }

    @Test
    void aMissingOrBadModelFileStopsItWithOneLine() throws Exception {
        Path missing = dir.resolve("none.encore");
        EncoreCliTest.Result r = run("serve", "--model", missing.toString(), "--port", "0");
        assertEquals(1, r.code());
        assertEquals(
                "encore: " + missing + ": no such file or directory", r.err().strip());
        Path bad = Files.writeString(dir.resolve("bad.encore"), "not a model", StandardCharsets.UTF_8);
        r = run("serve", "--model", bad.toString(), "--port", "0");
        assertEquals(1, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("encore: ") && r.err().contains("bad.encore"), r.err());
    }
}
