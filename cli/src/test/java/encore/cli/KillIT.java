package encore.cli;

import encore.als.io.ModelStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash safety: {@code encore run} and {@code encore train} (the shaded jar) are killed with SIGKILL
 * ({@link Process#destroyForcibly()}) at random moments while they replace a previous result. After each kill the
 * output holds the complete previous result or the complete new one — every file byte-identical to one of the two
 * reference results, {@code metrics.json} present only beside files of its own run — and a re-run (after every other
 * trial and the last) succeeds, gives the reference result and removes the killed run's temporary files.
 *
 * <p>Defaults: 14 killed runs and 6 killed trains. {@code -Dencore.kill.trials=N} gives N runs and 6N/14 trains,
 * {@code -Dencore.kill.seed=S} other kill moments.
 */
class KillIT {
    static final List<String> RESULT = List.of("users.csv", "items.csv", "recommendations.csv", "metrics.json");

    @TempDir
    static Path dir;

    static Path dataA;
    static Path dataB;
    static Map<String, byte[]> refA;
    static Map<String, byte[]> refB;
    /** Wall time of a complete run, to spread the kill moments over it. */
    static long runMillis;

    static Process start(String... args) throws IOException {
        return start(false, args);
    }

    static Process start(boolean pipe, String... args) throws IOException {
        ProcessBuilder pb = Jar.builder(dir, "512m-quick", args);
        pb.redirectOutput(pipe ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(dir.resolve("err.txt").toFile());
        return pb.start();
    }

    static void complete(String... args) throws Exception {
        Process p = start(args);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "timed out: " + String.join(" ", args));
        assertEquals(0, p.exitValue(), () -> read(dir.resolve("err.txt")));
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    static String[] runArgs(Path data, Path out) {
        return new String[] {"run", "--data", data.toString(), "--out", out.toString(), "--rank", "8", "--top", "20"};
    }

    static Map<String, byte[]> snapshot(Path out) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        for (String f : RESULT) {
            if (Files.exists(out.resolve(f))) {
                m.put(f, Files.readAllBytes(out.resolve(f)));
            }
        }
        return m;
    }

    @BeforeAll
    static void references() throws Exception {
        dataA = dir.resolve("a.csv");
        dataB = dir.resolve("b.csv");
        complete("generate", "--rows", "10000", "--seed", "1", "--out", dataA.toString());
        complete("generate", "--rows", "10000", "--seed", "2", "--out", dataB.toString());
        complete(runArgs(dataA, dir.resolve("refA")));
        long t0 = System.nanoTime();
        complete(runArgs(dataB, dir.resolve("refB")));
        runMillis = (System.nanoTime() - t0) / 1_000_000;
        refA = snapshot(dir.resolve("refA"));
        refB = snapshot(dir.resolve("refB"));
        assertEquals(RESULT.size(), refA.size());
        // the same data and seed give byte-identical files (timings aside, in metrics.json)
        complete(runArgs(dataB, dir.resolve("refB2")));
        Map<String, byte[]> again = snapshot(dir.resolve("refB2"));
        for (String f : List.of("users.csv", "items.csv", "recommendations.csv")) {
            assertArrayEquals(refB.get(f), again.get(f), f);
        }
    }

    static int trials(int dflt) {
        return Integer.getInteger("encore.kill.trials", dflt);
    }

    /**
     * Kills {@code p} at a random moment: half the time anywhere in a run's duration, half the time within
     * {@code window} ms after it prints a line starting with {@code marker} (the last stage before the files are
     * written), so that the writing and the commit are hit often. Returns a description, or null when the process
     * had finished by then.
     */
    static String kill(Process p, SplittableRandom rnd, String marker, long window) throws Exception {
        String what;
        if (rnd.nextBoolean()) {
            long ms = rnd.nextLong(runMillis + 1);
            what = "killed " + ms + " ms after the start";
            p.waitFor(ms, TimeUnit.MILLISECONDS);
        } else {
            try (var r = new java.io.BufferedReader(
                    new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null && !line.stripLeading().startsWith(marker)) {
                    // wait for the marker
                }
                long ms = rnd.nextLong(window + 1);
                what = "killed " + ms + " ms after '" + marker + "'";
                p.waitFor(ms, TimeUnit.MILLISECONDS);
            }
        }
        if (!p.isAlive()) {
            assertEquals(0, p.exitValue(), () -> read(dir.resolve("err.txt")));
            return null;
        }
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return what;
    }

    @Test
    void killedRunLeavesThePreviousOrTheNewResult() throws Exception {
        SplittableRandom rnd = new SplittableRandom(Long.getLong("encore.kill.seed", 20261128L));
        Path out = dir.resolve("out");
        int[] outcomes = new int[3]; // previous, new, in the commit window (no metrics.json)
        int n = trials(14);
        for (int t = 0; t < n; t++) {
            // the previous result: A, complete
            copy(dir.resolve("refA"), out);
            Process p = start(true, runArgs(dataB, out));
            String what = kill(p, rnd, "evaluate", 300);
            if (what == null) {
                outcomes[1]++; // finished before the kill
                check(out, "trial " + t + " not killed");
            } else {
                outcomes[check(out, "trial " + t + " " + what)]++;
            }
            if (t % 2 == 0 && t < n - 1) {
                continue; // every other trial (and the last) checks the re-run: the time of a whole run each
            }
            // a re-run over whatever is left succeeds, gives B, and removes the killed run's temp files
            complete(runArgs(dataB, out));
            Map<String, byte[]> now = snapshot(out);
            for (String f : List.of("users.csv", "items.csv", "recommendations.csv")) {
                assertArrayEquals(refB.get(f), now.get(f), f);
            }
            assertEquals(List.of(), temps(out), "temp files left after a complete re-run");
        }
        System.out.println("KillIT run: " + n + " trials, " + runMillis + " ms per run; previous result " + outcomes[0]
                + ", new result " + outcomes[1] + ", inside the commit " + outcomes[2]);
        assertEquals(n, outcomes[0] + outcomes[1] + outcomes[2]);
    }

    /** 0: the complete previous result, 1: the complete new one, 2: killed between the renames (no metrics.json). */
    static int check(Path out, String what) throws IOException {
        List<String> visible = new ArrayList<>();
        try (Stream<Path> s = Files.list(out)) {
            s.map(p -> p.getFileName().toString())
                    .filter(f -> !f.startsWith("."))
                    .forEach(visible::add);
        }
        for (String f : visible) {
            assertTrue(RESULT.contains(f), what + ": unexpected file " + f);
        }
        for (String f : temps(out)) {
            assertTrue(
                    f.matches("\\.(users|items|recommendations|metrics)\\.(csv|json)\\.\\d+\\.\\d+\\.tmp"),
                    what + ": temp file " + f);
        }
        Map<String, byte[]> now = snapshot(out);
        byte[] metrics = now.get("metrics.json");
        if (metrics == null) {
            for (String f : List.of("users.csv", "items.csv", "recommendations.csv")) {
                assertTrue(
                        Arrays.equals(refA.get(f), now.get(f)) || Arrays.equals(refB.get(f), now.get(f)),
                        what + ": " + f + " is neither the previous nor the new file");
            }
            return 2;
        }
        String json = new String(metrics, StandardCharsets.UTF_8);
        assertTrue(json.strip().endsWith("}"), what + ": metrics.json incomplete");
        boolean isNew = json.contains(dataB.toString());
        assertTrue(isNew || json.contains(dataA.toString()), what + ": metrics.json of another run");
        Map<String, byte[]> ref = isNew ? refB : refA;
        for (String f : List.of("users.csv", "items.csv", "recommendations.csv")) {
            assertArrayEquals(ref.get(f), now.get(f), what + ": " + f + " does not belong with metrics.json");
        }
        return isNew ? 1 : 0;
    }

    @Test
    void killedTrainLeavesThePreviousOrTheNewModel() throws Exception {
        SplittableRandom rnd = new SplittableRandom(Long.getLong("encore.kill.seed", 20261128L) + 1);
        Path model = dir.resolve("models").resolve("m.encore");
        Files.createDirectories(model.getParent());
        complete("train", "--data", dataA.toString(), "--model", model.toString(), "--rank", "4", "--quiet");
        int n = Math.max(1, trials(14) * 6 / 14);
        int[] ranks = new int[9];
        for (int t = 0; t < n; t++) {
            Process p = start(true, "train", "--data", dataB.toString(), "--model", model.toString(), "--rank", "6");
            kill(p, rnd, "iteration 5/5", 800);
            // whatever happened, the model file is a complete one (checksums verified) of rank 4 or 6
            int rank = ModelStore.load(model).model().params().rank();
            assertTrue(rank == 4 || rank == 6, "rank " + rank);
            ranks[rank]++;
            try (Stream<Path> s = Files.list(model.getParent())) {
                s.map(q -> q.getFileName().toString())
                        .filter(f -> !f.startsWith("."))
                        .forEach(f -> assertEquals("m.encore", f));
            }
            if (t % 2 == 0 && t < n - 1) {
                continue; // the next kill replaces this model (4 or 6) with a rank-6 one: either is fine
            }
            complete("train", "--data", dataA.toString(), "--model", model.toString(), "--rank", "4", "--quiet");
            assertEquals(4, ModelStore.load(model).model().params().rank());
            assertEquals(List.of(), temps(model.getParent()));
        }
        System.out.println("KillIT train: " + n + " trials; previous model " + ranks[4] + ", new model " + ranks[6]);
    }

    static List<String> temps(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(f -> f.startsWith(".") && f.endsWith(".tmp"))
                    .sorted()
                    .toList();
        }
    }

    static void copy(Path from, Path to) throws IOException {
        if (Files.exists(to)) {
            try (Stream<Path> s = Files.list(to)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }
}
