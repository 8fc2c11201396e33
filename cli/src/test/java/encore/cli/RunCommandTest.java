package encore.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static encore.cli.EncoreCliTest.concat;
import static encore.cli.EncoreCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunCommandTest {
    @TempDir
    static Path dir;

    static Path csv;

    @BeforeAll
    static void generate() {
        csv = dir.resolve("l.csv");
        assertEquals(
                0,
                run("generate", "--rows", "30000", "--seed", "2", "--out", csv.toString())
                        .code());
    }

    @Test
    void runWritesRecommendationsAndMetrics() throws Exception {
        Path out = dir.resolve("run");
        EncoreCliTest.Result r = run(
                "run",
                "--data",
                csv.toString(),
                "--out",
                out.toString(),
                "--implicit",
                "--alpha",
                "5",
                "--rank",
                "8",
                "--max-iter",
                "3",
                "--holdout",
                "0.2",
                "--exclude-seen");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("iteration 3/3"), r.out());
        assertTrue(r.out().contains("most-popular precision@10"), r.out());
        String m = Files.readString(out.resolve("metrics.json"));
        for (String key : List.of(
                "\"rows_read\": 30000",
                "\"rmse\"",
                "\"mae\"",
                "\"precision_at_10\"",
                "\"recall_at_10\"",
                "\"map_at_10\"",
                "\"ndcg_at_10\"",
                "\"popularity_precision_at_10\"",
                "\"cold_pairs_skipped\"",
                "\"backend\": \"" + ThisHost.autoBackend() + "\"",
                "\"fallback_reason\"",
                "\"ingest\"",
                "\"aggregate\"",
                "\"index\"",
                "\"split\"",
                "\"fit\"",
                "\"predict\"",
                "\"recommend\"",
                "\"write\"",
                "\"total\"",
                "\"iterations_s\"")) {
            assertTrue(m.contains(key), key + " in " + m);
        }
        List<String> recs = Files.readAllLines(out.resolve("recommendations.csv"));
        assertEquals("user_id,rank,item,score", recs.get(0));
        String first = recs.get(1).substring(0, recs.get(1).indexOf(','));
        for (int i = 1; i <= 10; i++) {
            assertTrue(recs.get(i).startsWith(first + "," + i + ","), recs.get(i));
        }
        assertTrue(Files.exists(out.resolve("users.csv")) && Files.exists(out.resolve("items.csv")));
    }

    @Test
    void triplesFormatEvaluatesAGivenSplit() throws Exception {
        StringBuilder train = new StringBuilder("user\titem\trating\n");
        StringBuilder test = new StringBuilder();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(4);
        for (int u = 0; u < 40; u++) {
            for (int i = 0; i < 30; i++) {
                double x = rnd.nextDouble();
                int rating = 1 + (u + i) % 5;
                if (x < 0.5) {
                    train.append(u)
                            .append('\t')
                            .append(i)
                            .append('\t')
                            .append(rating)
                            .append("\t881250949\n");
                } else if (x < 0.6) {
                    test.append(u)
                            .append('\t')
                            .append(i)
                            .append('\t')
                            .append(rating)
                            .append('\n');
                }
            }
        }
        Path tr = dir.resolve("train.tsv");
        Path te = dir.resolve("test.tsv");
        Files.writeString(tr, train);
        Files.writeString(te, test);
        Path out = dir.resolve("triples");
        EncoreCliTest.Result r = run(
                "run",
                "--format",
                "triples",
                "--train",
                tr.toString(),
                "--test",
                te.toString(),
                "--out",
                out.toString(),
                "--rank",
                "4",
                "--reg",
                "0.1",
                "--max-iter",
                "8",
                "--json");
        assertEquals(0, r.code(), r.err());
        // ratings 1..5 on planted factors: a fitted model's RMSE is a finite number well inside the ratings' range
        JsonNumbers.inRange(r.out(), "rmse", 1e-6, 4);
        JsonNumbers.inRange(r.out(), "mae", 1e-6, 4);
        JsonNumbers.inRange(r.out(), "precision_at_10", 0, 1);
        assertTrue(
                r.out()
                        .contains("\"train_ratings\": "
                                + (train.toString().lines().count() - 1)),
                r.out());
    }

    /** --init spark changes the starting point (so the factors), is recorded, and is reproducible. */
    @Test
    void sparkInitialisationIsSelectableAndRecorded() throws Exception {
        String[] common = {"--data", csv.toString(), "--rank", "5", "--max-iter", "2", "--quiet", "--backend", "cpu"};
        Path spark = dir.resolve("spark");
        Path spark2 = dir.resolve("spark2");
        Path own = dir.resolve("own");
        assertEquals(
                0,
                run(concat(new String[] {"run", "--out", spark.toString(), "--init", "spark"}, common))
                        .code());
        assertEquals(
                0,
                run(concat(new String[] {"run", "--out", spark2.toString(), "--init", "SPARK"}, common))
                        .code());
        assertEquals(
                0,
                run(concat(new String[] {"run", "--out", own.toString()}, common))
                        .code());
        String m = Files.readString(spark.resolve("metrics.json"));
        assertTrue(m.contains("\"init\": \"spark\"") && m.contains("\"num_blocks\": 10"), m);
        assertTrue(Files.readString(own.resolve("metrics.json")).contains("\"init\": \"encore\""));
        assertEquals(
                Files.readString(spark.resolve("recommendations.csv")),
                Files.readString(spark2.resolve("recommendations.csv")));
        assertTrue(
                !Files.readString(spark.resolve("recommendations.csv"))
                        .equals(Files.readString(own.resolve("recommendations.csv"))),
                "a different starting point");
    }

    @Test
    void unavailableBackendAndBadParametersAreClearErrors() {
        Path out = dir.resolve("never");
        String reason = ThisHost.gpuUnavailableReason();
        if (reason != null) {
            EncoreCliTest.Result gpu =
                    run("run", "--data", csv.toString(), "--out", out.toString(), "--backend", "gpu");
            assertEquals(1, gpu.code());
            assertEquals(
                    "encore: backend gpu is unavailable: " + reason, gpu.err().strip());
            assertTrue(!gpu.out().contains("ingest"), "fails before reading the data: " + gpu.out());
        }
        assertEquals(
                2,
                run("run", "--data", csv.toString(), "--out", out.toString(), "--rank", "0")
                        .code());
        assertEquals(
                2,
                run("run", "--data", csv.toString(), "--out", out.toString(), "--solver", "lu")
                        .code());
        EncoreCliTest.Result init = run("run", "--data", csv.toString(), "--out", out.toString(), "--init", "mllib");
        assertEquals(2, init.code());
        assertTrue(init.err().contains("invalid --init 'mllib': expected encore or spark"), init.err());
        assertEquals(
                2,
                run("run", "--data", csv.toString(), "--out", out.toString(), "--num-blocks", "0")
                        .code());
        assertEquals(2, run("run", "--out", out.toString()).code());
        assertEquals(
                2,
                run("run", "--data", csv.toString(), "--out", out.toString(), "--backend", "tpu")
                        .code());
        assertTrue(!Files.exists(out.resolve("metrics.json")));
    }

    @Test
    void autoWithoutAGpuFallsBackToTheCpuWithTheSameResultAndSaysWhy() throws Exception {
        String reason = ThisHost.gpuUnavailableReason();
        org.junit.jupiter.api.Assumptions.assumeTrue(reason != null, "a usable GPU is present: see withAGpu…");
        Path auto = dir.resolve("auto");
        Path cpu = dir.resolve("cpu");
        String[] common = {"--data", csv.toString(), "--rank", "6", "--max-iter", "2", "--quiet"};
        assertEquals(
                0,
                run(concat(new String[] {"run", "--out", auto.toString()}, common))
                        .code());
        assertEquals(
                0,
                run(concat(new String[] {"run", "--out", cpu.toString(), "--backend", "cpu"}, common))
                        .code());
        assertEquals(
                Files.readString(cpu.resolve("recommendations.csv")),
                Files.readString(auto.resolve("recommendations.csv")));
        String m = Files.readString(auto.resolve("metrics.json"));
        assertTrue(m.contains("\"backend\": \"cpu\""), m);
        assertTrue(m.contains("\"fallback_reason\": \"gpu: " + reason.replace("\\", "\\\\") + "\""), m);
        assertTrue(m.contains("\"recommend_backend\": \"cpu\""), m);
    }

    /**
     * Where a GPU is usable, auto trains and recommends on it, with no fallback, and its held-out RMSE agrees with the
     * CPU engine's within 1e-3 relative (a well-conditioned fit, reg 0.1: float32 factors in a different summation
     * order; docs/gpu.md gives the engines' tolerances). Skipped, with the reason, on machines without one.
     */
    @Test
    void withAGpuAutoTrainsOnItAndAgreesWithTheCpu() throws Exception {
        String reason = ThisHost.gpuUnavailableReason();
        org.junit.jupiter.api.Assumptions.assumeTrue(reason == null, () -> "no usable GPU here: " + reason);
        Path auto = dir.resolve("gpu-auto");
        Path cpu = dir.resolve("gpu-cpu");
        String[] common = {
            "--data", csv.toString(), "--rank", "8", "--reg", "0.1", "--max-iter", "5", "--holdout", "0.2", "--json"
        };
        EncoreCliTest.Result g = run(concat(new String[] {"run", "--out", auto.toString()}, common));
        EncoreCliTest.Result c = run(concat(new String[] {"run", "--out", cpu.toString(), "--backend", "cpu"}, common));
        assertEquals(0, g.code(), g.err());
        assertEquals(0, c.code(), c.err());
        String m = Files.readString(auto.resolve("metrics.json"));
        assertTrue(m.contains("\"backend\": \"gpu\""), m);
        assertTrue(m.contains("\"recommend_backend\": \"gpu\""), m);
        double gpuRmse = JsonNumbers.inRange(g.out(), "rmse", 1e-6, 10);
        double cpuRmse = JsonNumbers.inRange(c.out(), "rmse", 1e-6, 10);
        assertEquals(cpuRmse, gpuRmse, 1e-3 * cpuRmse, "GPU vs CPU held-out RMSE");
    }
}
