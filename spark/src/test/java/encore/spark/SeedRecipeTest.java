package encore.spark;

import encore.synth.GeneratorConfig;
import encore.synth.ListeningsGenerator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recipe as a Spark job on the generator's listenings (local[2]): counts, RMSE, the written top-10 lists. */
class SeedRecipeTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("SeedRecipeTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void theRecipeWritesTopTenListsWithTheOriginalIds(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("listenings.csv");
        new ListeningsGenerator(GeneratorConfig.forRows(20_000, 3)).write(csv);
        Path out = dir.resolve("out");
        SeedRecipe.Options o = SeedRecipe.Options.parse(
                new String[] {"--data", csv.toString(), "--out", out.toString(), "--engine", "cpu", "--blocks", "3"});
        SeedRecipe.Result r = SeedRecipe.run(spark, o);
        long lines = Files.lines(csv).count() - 1;
        assertTrue(r.plays() <= lines && r.plays() > lines * 0.9, r.plays() + " clean plays of " + lines);
        assertEquals(r.pairs(), r.trainPairs() + r.testPairs());
        assertTrue(r.rmse() > 0 && Double.isFinite(r.rmse()), "RMSE " + r.rmse());
        Dataset<Row> recs =
                spark.read().parquet(out.resolve("recommendations.parquet").toString());
        assertEquals(List.of("user_id", "rank", "track", "score"), List.of(recs.columns()));
        long n = recs.count();
        assertEquals(r.users() * 10, n, "ten items for every user with a list");
        Row first = recs.orderBy("user_id", "rank").first();
        assertTrue(first.getString(0).startsWith("user_"), first.toString());
        assertEquals(1, first.getInt(1));
        Dataset<Row> fromCsv = spark.read()
                .option("header", "true")
                .csv(out.resolve("recommendations.csv").toString());
        assertEquals(n, fromCsv.count());
        assertFalse(Files.exists(out.resolve(".recommendations.parquet.tmp")), "no temporary left behind");
        // a second run replaces the outputs in place
        SeedRecipe.run(spark, o);
        spark.catalog().refreshByPath(out.resolve("recommendations.parquet").toString()); // Spark caches listings
        assertEquals(
                n,
                spark.read()
                        .parquet(out.resolve("recommendations.parquet").toString())
                        .count());
    }

    @Test
    void implicitFeedbackAndTheListLengthAreOptions(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("listenings.csv");
        new ListeningsGenerator(GeneratorConfig.forRows(20_000, 5)).write(csv);
        Path out = dir.resolve("out");
        SeedRecipe.Options o = SeedRecipe.Options.parse(new String[] {
            "--data",
            csv.toString(),
            "--out",
            out.toString(),
            "--implicit",
            "--alpha",
            "10",
            "--top",
            "3",
            "--engine",
            "cpu",
            "--blocks",
            "2"
        });
        assertTrue(o.implicit());
        EncoreALS est = SeedRecipe.estimator(o);
        assertTrue(est.getImplicitPrefs());
        assertEquals(10.0, est.getAlpha());
        SeedRecipe.Result r = SeedRecipe.run(spark, o);
        Dataset<Row> recs =
                spark.read().parquet(out.resolve("recommendations.parquet").toString());
        assertEquals(r.users() * 3, recs.count(), "three items for every user with a list");
        assertEquals(
                3, recs.agg(org.apache.spark.sql.functions.max("rank")).first().getInt(0));
        assertTrue(r.summary(o).contains("top-3 for"), r.summary(o));
        r.prepared().unpersist();
    }

    @Test
    void badOptionsNameTheFlag() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> SeedRecipe.Options.parse(new String[] {"--rows"}));
        assertTrue(e.getMessage().contains("--rows"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> SeedRecipe.Options.parse(new String[] {"--data", "x", "--out", "y", "--split", "1.5"}));
        assertTrue(e.getMessage().contains("--split"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SeedRecipe.Options.parse(new String[] {"--data", "x"}));
        assertTrue(e.getMessage().contains("--out"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> SeedRecipe.Options.parse(new String[] {"--data", "x", "--out", "y", "--top", "0"}));
        assertTrue(e.getMessage().contains("--top"), e.getMessage());
    }
}
