package encore.spark;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code encore run --spark}'s command line: {@code encore run}'s flags become the recipe's options, Spark
 * properties come from {@code --conf}, flags without meaning on a cluster are refused by name. (The run itself, on a
 * real standalone cluster, is in {@link StandaloneClusterIT}.)
 */
class SparkRunTest {
    @Test
    void encoreRunFlagsBecomeTheRecipesOptions() {
        SparkRun.Command c = SparkRun.parse(new String[] {
            "--spark",
            "spark://10.0.0.5:7077",
            "--data",
            "in/listenings.csv",
            "--out=out",
            "--rank",
            "32",
            "--max-iter",
            "7",
            "--reg",
            "0.05",
            "--implicit",
            "--alpha",
            "40",
            "--split",
            "0.8",
            "--seed",
            "9",
            "--num-blocks",
            "6",
            "--top",
            "20",
            "--backend",
            "CPU",
            "--conf",
            "spark.executor.memory=4g",
            "--conf=spark.executor.cores = 2"
        });
        assertEquals("spark://10.0.0.5:7077", c.master());
        SeedRecipe.Options o = c.recipe();
        assertEquals(Path.of("in/listenings.csv").toAbsolutePath().toString(), o.data());
        assertEquals(Path.of("out").toAbsolutePath().toString(), o.out());
        assertEquals(32, o.rank());
        assertEquals(7, o.iters());
        assertEquals(0.05, o.reg());
        assertTrue(o.implicit());
        assertEquals(40.0, o.alpha());
        assertEquals(0.8, o.split());
        assertEquals(9, o.seed());
        assertEquals(6, o.blocks());
        assertEquals(20, o.top());
        assertEquals("cpu", o.engine());
        assertEquals(Map.of("spark.executor.memory", "4g", "spark.executor.cores", "2"), c.conf());
    }

    @Test
    void theDefaultsAreEncoreRunsAndTheRecipes() {
        SparkRun.Command c = SparkRun.parse(new String[] {"--data", "a.csv", "--out", "o", "--spark", "local[2]"});
        SeedRecipe.Options o = c.recipe();
        assertEquals(10, o.rank());
        assertEquals(5, o.iters());
        assertEquals(0.01, o.reg());
        assertFalse(o.implicit());
        assertEquals(0.5, o.split());
        assertEquals(10, o.top());
        assertEquals("auto", o.engine());
        assertTrue(c.conf().isEmpty());
    }

    @Test
    void urisReachTheExecutorsAsGiven() {
        SparkRun.Command c = SparkRun.parse(new String[] {
            "--spark", "yarn", "--data", "hdfs://nn:8020/plays/listenings.csv", "--out", "s3a://bucket/recs"
        });
        assertEquals("hdfs://nn:8020/plays/listenings.csv", c.recipe().data());
        assertEquals("s3a://bucket/recs", c.recipe().out());
    }

    @Test
    void badCommandLinesNameTheFlag() {
        assertMessage("--spark MASTER_URL is required", "--data", "a", "--out", "o");
        assertMessage("--threads does not apply with --spark: each executor uses its task's cores", "--threads", "4");
        assertMessage("--holdout does not apply with --spark", "--holdout=0.2");
        assertMessage("unknown option --rows for encore run --spark", "--spark", "local", "--rows", "9");
        assertMessage("--rank needs a value", "--spark", "local", "--data", "a", "--out", "o", "--rank");
        assertMessage("--conf takes key=value, got spark.executor.memory", "--conf", "spark.executor.memory");
        assertMessage("--implicit takes no value", "--implicit=true");
        assertMessage("--out", "--spark", "local", "--data", "a");
        assertMessage("--split must be in (0, 1)", "--spark", "local", "--data", "a", "--out", "o", "--split", "1");
        assertMessage("not a number", "--spark", "local", "--data", "a", "--out", "o", "--rank", "ten");
        assertMessage("invalid --backend 'tpu'", "--spark", "local", "--data", "a", "--out", "o", "--backend", "tpu");
    }

    @Test
    void aBadCommandLineExitsWithTwoAndTheUsage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = SparkRun.execute(
                new String[] {"--spark", "local", "--data", "a", "--out", "o", "--limit", "9"},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.startsWith("encore run: --limit does not apply with --spark"), e);
        assertTrue(e.contains("usage: encore run --spark MASTER_URL"), e);
        assertEquals(
                0,
                SparkRun.execute(
                        new String[] {"--help"},
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: encore run --spark"));
    }

    @Test
    void aMissingDataFileExitsWithOneNamingIt(@org.junit.jupiter.api.io.TempDir Path dir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path missing = dir.resolve("no-such-listenings.csv");
        int status = SparkRun.execute(
                new String[] {
                    "--spark",
                    "local[1]",
                    "--data",
                    missing.toString(),
                    "--out",
                    dir.resolve("out").toString(),
                    "--conf",
                    "spark.ui.enabled=false"
                },
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, status, err.toString(StandardCharsets.UTF_8));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.startsWith("encore run: ") && e.contains("no-such-listenings.csv"), e);
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("encore run on local[1]: "));
        assertFalse(java.nio.file.Files.exists(dir.resolve("out").resolve("recommendations.csv")));
    }

    @Test
    void executorsGetThisJvmsOpensAndTheVectorModule() {
        String flags = SparkRun.executorJavaOptions();
        assertTrue(flags.endsWith("--add-modules=jdk.incubator.vector"), flags);
        // Maven's test JVM has spark.opens (spark/pom.xml), which the executors need as well
        assertTrue(flags.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), flags);
    }

    private static void assertMessage(String part, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkRun.parse(args));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
