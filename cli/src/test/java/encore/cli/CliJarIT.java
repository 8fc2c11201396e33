package encore.cli;

import encore.cli.Jar.Proc;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives the shaded {@code encore.jar} in a separate JVM, as a user does: exit codes, stdout, stderr, files. */
class CliJarIT {
    @TempDir
    static Path dir;

    static Path csv;

    static Proc encore(String... args) throws IOException, InterruptedException {
        return Jar.run(dir, "1g", args);
    }

    @BeforeAll
    static void data() throws Exception {
        csv = dir.resolve("l.csv");
        Proc g = encore("generate", "--rows", "40000", "--seed", "9", "--out", csv.toString());
        assertEquals(0, g.code(), g.err());
    }

    @Test
    void versionHelpAndUsageErrors() throws Exception {
        Proc v = encore("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("encore 0."), v.out());
        assertEquals(0, encore("--help").code());
        Proc bad = encore("train", "--bogus");
        assertEquals(2, bad.code());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertFalse(bad.err().contains("\tat "));
    }

    @Test
    void trainRecommendEvaluate() throws Exception {
        Path model = dir.resolve("m.encore");
        Path test = dir.resolve("test.tsv");
        Proc t = encore(
                "train",
                "--data",
                csv.toString(),
                "--model",
                model.toString(),
                "--holdout",
                "0.2",
                "--test-out",
                test.toString(),
                "--implicit",
                "--alpha",
                "10",
                "--rank",
                "12",
                "--max-iter",
                "4");
        assertEquals(0, t.code(), t.err());
        assertTrue(Files.size(model) > 0 && Files.size(test) > 0);

        Proc r = encore(
                "recommend",
                "--model",
                model.toString(),
                "--users",
                "user_000003,ghost",
                "--top",
                "4",
                "--exclude-seen");
        assertEquals(0, r.code(), r.err());
        assertEquals(5, r.out().lines().count(), r.out()); // header + 4
        assertTrue(r.err().contains("unknown user 'ghost'"), r.err());

        Proc none = encore("recommend", "--model", model.toString(), "--users", "ghost");
        assertEquals(1, none.code());
        assertTrue(none.err().contains("none of the given users is in the model"), none.err());

        Proc sim = encore("recommend", "--model", model.toString(), "--similar-to", "no such track");
        assertEquals(1, sim.code());
        assertTrue(sim.err().contains("unknown item 'no such track'"), sim.err());

        Path recs = dir.resolve("recs.csv");
        Proc all = encore("recommend", "--model", model.toString(), "--all", "--out", recs.toString());
        assertEquals(0, all.code(), all.err());
        assertEquals("user_id,rank,item,score", Files.readAllLines(recs).get(0));

        Proc e = encore("evaluate", "--model", model.toString(), "--test", test.toString(), "--json");
        assertEquals(0, e.code(), e.err());
        JsonNumbers.inRange(e.out(), "precision_at_10", 0, 1);
        JsonNumbers.inRange(e.out(), "ndcg_at_10", 0, 1);
        assertTrue(JsonNumbers.number(e.out(), "rmse") > 0, e.out());

        Path broken = dir.resolve("broken.encore");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(broken, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Proc b = encore("recommend", "--model", broken.toString(), "--all");
        assertEquals(1, b.code());
        assertTrue(b.err().startsWith("encore: " + broken), b.err());
        assertEquals(1, b.err().lines().count(), b.err());
    }

    @Test
    void tuneDemoDoctorRunPrepare() throws Exception {
        Path out = dir.resolve("tune");
        Proc tune = encore(
                "tune",
                "--data",
                csv.toString(),
                "--out",
                out.toString(),
                "--rank",
                "4,8",
                "--reg",
                "0.1",
                "--max-iter",
                "3");
        assertEquals(0, tune.code(), tune.err());
        assertEquals(3, Files.readAllLines(out.resolve("tuning.csv")).size());
        assertTrue(Files.exists(out.resolve("best.encore")));

        Proc demo = encore("demo", "--rows", "40000", "--rank", "12", "--json");
        assertEquals(0, demo.code(), demo.err());
        double pop = JsonNumbers.inRange(demo.out(), "popularity_precision_at_10", 0, 1);
        double als = JsonNumbers.inRange(demo.out(), "precision_at_10", 0, 1);
        // the demo's data has planted taste structure: ALS must beat the most-popular baseline
        assertTrue(als > pop, "ALS precision@10 " + als + " vs most-popular " + pop);

        assertEquals(0, encore("doctor").code());

        Proc run = encore(
                "run", "--data", csv.toString(), "--out", dir.resolve("run").toString(), "--quiet");
        assertEquals(0, run.code(), run.err());
        assertEquals("", run.out());
        assertTrue(Files.exists(dir.resolve("run").resolve("metrics.json")));

        Proc prep = encore(
                "prepare",
                "--data",
                csv.toString(),
                "--out",
                dir.resolve("prep").toString());
        assertEquals(0, prep.code(), prep.err());
        Proc missing = encore("prepare", "--data", dir.resolve("nope.csv").toString(), "--out", dir.toString());
        assertEquals(1, missing.code());
    }
}
