package encore.cli;

import encore.als.AlsModel;
import encore.als.io.ModelStore;
import encore.cli.CrashTrials.AfterLine;
import encore.cli.CrashTrials.Moment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Crash safety: {@code encore run}, {@code prepare}, {@code train} and {@code tune} (the shaded jar) are killed with
 * SIGKILL ({@link ProcessHandle#destroyForcibly()}) while they replace a previous result (A) with a new one (B). After each
 * kill every file is byte-identical to A's or B's (reports and models, which hold timings and dates, by content),
 * a report is only beside files of its own run, and the directory is in exactly the state that the steps the process
 * had reached allow (see {@link CrashTrials}); a re-run (after every third trial and the last) succeeds, gives B and
 * removes the killed run's temporary files.
 *
 * <p>The kill moments are chosen, not left to timing: core's test-only commit hook ({@code encore.util.CommitPoints},
 * {@code -Dencore.test.commitHook}) pauses the process at a named step of the write — a data file open, the data files
 * fsynced before the report is written, the old report about to be removed, each rename, the commit done — and the
 * test kills it there; a kill on a progress line hits the work. Random moments come on top: {@code
 * -Dencore.kill.trials=N} per command (default 4), {@code -Dencore.kill.seed=S}. Every
 * command must have been killed at least once during the work, once with its files written but nothing renamed, and
 * once inside the rename sequence.
 */
class KillIT {
    @TempDir
    static Path dir;

    static Path dataA;
    static Path dataB;

    static void complete(String... args) throws Exception {
        KilledRun.start(dir, "announce", args).finish();
    }

    static long timed(String... args) throws Exception {
        long t0 = System.nanoTime();
        complete(args);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static int trials(int dflt) {
        return Integer.getInteger("encore.kill.trials", dflt);
    }

    static long seed(int offset) {
        return Long.getLong("encore.kill.seed", 20261128L) + offset;
    }

    @BeforeAll
    static void data() throws Exception {
        dataA = dir.resolve("a.csv");
        dataB = dir.resolve("b.csv");
        complete("generate", "--rows", "10000", "--seed", "1", "--out", dataA.toString());
        complete("generate", "--rows", "10000", "--seed", "2", "--out", dataB.toString());
    }

    static byte[] bytes(Path p) throws IOException {
        return Files.readAllBytes(p);
    }

    /** A data file: byte-identical to the previous or the new reference. */
    static char exact(Path p, Path refA, Path refB, String what) throws IOException {
        byte[] b = bytes(p);
        if (Arrays.equals(b, bytes(refA))) {
            return 'A';
        }
        assertArrayEquals(bytes(refB), b, what + ": " + p.getFileName() + " is neither the previous nor the new file");
        return 'B';
    }

    /** A JSON report: the previous one byte for byte, or a complete one of the run on {@code dataB}. */
    static char report(Path p, Path refA, String what) throws IOException {
        byte[] b = bytes(p);
        if (Arrays.equals(b, bytes(refA))) {
            return 'A';
        }
        String json = new String(b, StandardCharsets.UTF_8);
        assertTrue(json.strip().endsWith("}"), what + ": " + p.getFileName() + " incomplete");
        assertTrue(json.contains(dataB.toString()), what + ": " + p.getFileName() + " of another run");
        return 'B';
    }

    /** A model file: the previous one byte for byte, or one that loads (checksums verified) with B's factors. */
    static char model(Path p, Path refA, Path refB, String what) throws IOException {
        if (Arrays.equals(bytes(p), bytes(refA))) {
            return 'A';
        }
        AlsModel m = null;
        try {
            m = ModelStore.load(p).model();
        } catch (IOException | RuntimeException e) {
            fail(what + ": " + p.getFileName() + " is neither the previous nor a complete new model: " + e);
        }
        AlsModel b = ModelStore.load(refB).model();
        assertEquals(b.rank(), m.rank(), what + ": rank");
        assertArrayEquals(b.userFactors().data(), m.userFactors().data(), what + ": user factors");
        assertArrayEquals(b.itemFactors().data(), m.itemFactors().data(), what + ": item factors");
        return 'B';
    }

    static String[] runArgs(Path data, Path out) {
        return new String[] {"run", "--data", data.toString(), "--out", out.toString(), "--rank", "8", "--top", "20"};
    }

    @Test
    void killedRunLeavesThePreviousOrTheNewResult() throws Exception {
        Path refA = dir.resolve("run-A");
        Path refB = dir.resolve("run-B");
        complete(runArgs(dataA, refA));
        long ms = timed(runArgs(dataB, refB));
        // the same data and seed give byte-identical files (timings aside, in metrics.json)
        complete(runArgs(dataB, dir.resolve("run-B2")));
        for (String f : List.of("users.csv", "items.csv", "recommendations.csv")) {
            assertArrayEquals(
                    bytes(refB.resolve(f)), bytes(dir.resolve("run-B2").resolve(f)), f);
        }
        List<String> files = List.of("users.csv", "items.csv", "recommendations.csv", "metrics.json");
        KillSubject run =
                KillSubject.reportedSet("run", dir.resolve("run-out"), files, refA, refB, out -> runArgs(dataB, out));
        run.runMillis = ms;
        List<String> points = List.of(
                "open items.csv",
                "data-staged metrics.json",
                "unmark metrics.json",
                "rename users.csv",
                "rename items.csv",
                "rename recommendations.csv",
                "rename metrics.json",
                "committed metrics.json");
        CrashTrials t = new CrashTrials(dir, run);
        t.run(points, List.<Moment>of(new AfterLine("ingest")), trials(4), "data-staged metrics.json", seed(0));
        t.assertCoverage();
    }

    @Test
    void killedPrepareLeavesThePreviousOrTheNewFiles() throws Exception {
        Path refA = dir.resolve("prepare-A");
        Path refB = dir.resolve("prepare-B");
        complete("prepare", "--data", dataA.toString(), "--out", refA.toString(), "--split", "0.2", "--quiet");
        long ms = timed("prepare", "--data", dataB.toString(), "--out", refB.toString(), "--split", "0.2", "--quiet");
        List<String> files = List.of("users.csv", "items.csv", "train.tsv", "test.tsv", "prepare.json");
        KillSubject prepare =
                KillSubject.reportedSet("prepare", dir.resolve("prepare-out"), files, refA, refB, out -> new String[] {
                    "prepare", "--data", dataB.toString(), "--out", out.toString(), "--split", "0.2", "--quiet"
                });
        prepare.runMillis = ms;
        List<String> points = List.of(
                "open train.tsv",
                "data-staged prepare.json",
                "unmark prepare.json",
                "rename items.csv",
                "rename test.tsv",
                "rename prepare.json",
                "committed prepare.json");
        CrashTrials t = new CrashTrials(dir, prepare);
        t.run(points, List.of(), trials(4), "data-staged prepare.json", seed(1));
        t.assertCoverage();
    }

    @Test
    void killedTrainLeavesThePreviousOrTheNewModel() throws Exception {
        Path refA = dir.resolve("train-A");
        Path refB = dir.resolve("train-B");
        complete(
                "train",
                "--data",
                dataA.toString(),
                "--model",
                refA.resolve("m.encore").toString(),
                "--rank",
                "4");
        long ms = timed(
                "train",
                "--data",
                dataB.toString(),
                "--model",
                refB.resolve("m.encore").toString(),
                "--rank",
                "6");
        KillSubject train = new KillSubject("train", dir.resolve("models"), List.of("m.encore"), false) {
            @Override
            void installPrevious() throws IOException {
                replaceWith(refA);
            }

            @Override
            String[] args() {
                return new String[] {
                    "train",
                    "--data",
                    dataB.toString(),
                    "--model",
                    out.resolve("m.encore").toString(),
                    "--rank",
                    "6"
                };
            }

            @Override
            char source(String file, Path p, String what) throws IOException {
                return model(p, refA.resolve(file), refB.resolve(file), what);
            }
        };
        train.runMillis = ms;
        List<String> points = List.of("open m.encore", "staged m.encore", "rename m.encore", "committed m.encore");
        CrashTrials t = new CrashTrials(dir, train);
        t.run(points, List.<Moment>of(new AfterLine("  iteration 1/")), trials(4), "staged m.encore", seed(2));
        t.assertCoverage();
    }

    static String[] tuneArgs(Path data, Path out) {
        return new String[] {
            "tune",
            "--data",
            data.toString(),
            "--out",
            out.toString(),
            "--rank",
            "4,6",
            "--reg",
            "0.1",
            "--max-iter",
            "3"
        };
    }

    /** tuning.csv without its last column, the seconds per fit. */
    static String withoutTimes(byte[] csv) {
        return new String(csv, StandardCharsets.UTF_8)
                .lines()
                .map(l -> l.substring(0, l.lastIndexOf(',')))
                .collect(Collectors.joining("\n"));
    }

    @Test
    void killedTuneLeavesThePreviousOrTheNewGridAndModel() throws Exception {
        Path refA = dir.resolve("tune-A");
        Path refB = dir.resolve("tune-B");
        complete(tuneArgs(dataA, refA));
        long ms = timed(tuneArgs(dataB, refB));
        KillSubject tune =
                new KillSubject("tune", dir.resolve("tune-out"), List.of("tuning.csv", "best.encore"), false) {
                    @Override
                    void installPrevious() throws IOException {
                        replaceWith(refA);
                    }

                    @Override
                    String[] args() {
                        return tuneArgs(dataB, out);
                    }

                    @Override
                    char source(String file, Path p, String what) throws IOException {
                        if (file.equals("best.encore")) {
                            return model(p, refA.resolve(file), refB.resolve(file), what);
                        }
                        byte[] b = bytes(p);
                        if (Arrays.equals(b, bytes(refA.resolve(file)))) {
                            return 'A';
                        }
                        assertEquals(withoutTimes(bytes(refB.resolve(file))), withoutTimes(b), what + ": " + file);
                        return 'B';
                    }
                };
        tune.runMillis = ms;
        List<String> points = List.of(
                "open tuning.csv",
                "staged tuning.csv",
                "open best.encore",
                "rename best.encore",
                "committed best.encore");
        CrashTrials t = new CrashTrials(dir, tune);
        t.run(points, List.<Moment>of(new AfterLine("  [1/")), trials(4), "staged tuning.csv", seed(3));
        t.assertCoverage();
    }
}
