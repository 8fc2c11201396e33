package encore.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One {@code encore} process of a crash test: the shaded jar started with core's test-only commit hook
 * ({@code -Dencore.test.commitHook}, see {@code encore.util.CommitPoints}), its stdout and stderr merged and read line
 * by line as they come, then SIGKILLed ({@link ProcessHandle#destroyForcibly()}) at the moment the test picks.
 *
 * <p>The hook prints {@code encore-commit: POINT FILE} before each step of an atomic write, so after the process has
 * died its output says exactly how far the writing got: every step before the last announced point was done, the
 * last announced step may or may not have been. With a point as the hook's value the process also pauses there, so a
 * kill lands exactly at that point.
 */
final class KilledRun {
    static final String HOOK = "encore.test.commitHook";
    static final String PREFIX = "encore-commit: ";
    static final String PAUSED = PREFIX + "paused at ";
    /** Exit status of a process ended by SIGKILL (128 + 9), as {@link Process#exitValue()} gives it. */
    static final int SIGKILLED = 137;

    private static final String EOF = "\u0000end of output";

    private final Process process;
    private final BlockingQueue<String> fresh = new LinkedBlockingQueue<>();
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private KilledRun(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "encore output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code encore args} (heap {@code 512m}, C1 only) with the hook set to {@code hook}: {@code "announce"},
     * or a point to pause at such as {@code "rename items.csv"}.
     */
    static KilledRun start(Path dir, String hook, String... args) throws IOException {
        ProcessBuilder pb = Jar.builder(dir, "512m-quick", args);
        pb.command().add(1, "-D" + HOOK + "=" + hook);
        pb.redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        return new KilledRun(p);
    }

    private void read() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                }
                fresh.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            fresh.add(EOF);
        }
    }

    /** Waits for an output line that {@code match} accepts; false when the output ended (the process exited) first. */
    boolean await(Predicate<String> match) throws InterruptedException {
        while (true) {
            String line = fresh.poll(2, TimeUnit.MINUTES);
            assertNotNull(line, "no output for 2 minutes");
            if (line.equals(EOF)) {
                fresh.add(EOF);
                return false;
            }
            if (match.test(line)) {
                return true;
            }
        }
    }

    /** Waits for the hook's line that the process is paused at {@code point}; false when it exited first. */
    boolean awaitPause(String point) throws InterruptedException {
        return await(l -> l.equals(PAUSED + point));
    }

    /** Waits for the hook's announcement of {@code point}; false when the process exited first. */
    boolean awaitPoint(String point) throws InterruptedException {
        return await(l -> l.equals(PREFIX + point));
    }

    /** Waits at most {@code ms} for the process to exit by itself. */
    void waitFor(long ms) throws InterruptedException {
        process.waitFor(ms, TimeUnit.MILLISECONDS);
    }

    /**
     * SIGKILLs the process unless it has exited, then waits for it and for the end of its output. Returns true when
     * the kill ended it (exit status 137) and false when it had exited by itself before — which must be a success.
     */
    boolean kill() throws InterruptedException {
        // through the handle: Process.destroyForcibly() would also close the pipe, losing output not yet read
        process.toHandle().destroyForcibly();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "not dead 30 s after SIGKILL");
        reader.join(30_000);
        int rc = process.exitValue();
        if (rc == SIGKILLED) {
            return true;
        }
        assertEquals(0, rc, this::output);
        return false;
    }

    /** Waits (at most 3 minutes) for the process to finish by itself, which must be a success. */
    void finish() throws InterruptedException {
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), "timed out");
        reader.join(30_000);
        assertEquals(0, process.exitValue(), this::output);
    }

    /** The points the hook announced, in order ({@code "rename users.csv"}, …), the pause line aside. */
    List<String> points() {
        List<String> p = new ArrayList<>();
        synchronized (lines) {
            for (String l : lines) {
                if (l.startsWith(PREFIX) && !l.startsWith(PAUSED)) {
                    p.add(l.substring(PREFIX.length()));
                }
            }
        }
        return p;
    }

    /** Everything the process printed so far. */
    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }
}
