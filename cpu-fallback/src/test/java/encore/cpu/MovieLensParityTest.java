package encore.cpu;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.data.TriplesReader;
import encore.eval.RegressionMetrics;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Explicit ALS on the fixed MovieLens 100K 80/20 split on which Spark MLlib 4.2.0 scores RMSE 0.919675 (rank 10,
 * regParam 0.1, 10 iterations, coldStartStrategy drop, 46 cold test pairs): Encore must land within 0.005. Skipped,
 * with a message, when {@code shared/datasets} is not beside the checkout (its licence forbids copying it here).
 */
class MovieLensParityTest {
    static final double SPARK_RMSE = 0.919675;

    @Test
    void rmseWithinHalfAPercentPointOfSpark() throws Exception {
        Path datasets = SharedData.datasets();
        Path dir = datasets == null ? null : datasets.resolve("movielens-100k").resolve("split-80-20");
        assumeTrue(
                dir != null && Files.exists(dir.resolve("train.tsv")),
                "MovieLens 100K split not found (expected ../shared/datasets/movielens-100k/split-80-20 or $ENCORE_SHARED)");
        TriplesReader.TriplesSplit split = TriplesReader.read(dir.resolve("train.tsv"), dir.resolve("test.tsv"));
        assertEquals(79_901, split.trainLines());
        assertEquals(20_099, split.testLines());
        AlsParams p =
                AlsParams.builder().rank(10).regParam(0.1).maxIter(10).seed(42).build();
        AlsModel m = SparkStyleData.fit(split.train(), p, 2);
        float[] pred = m.transform(split.test());
        RegressionMetrics rm = new RegressionMetrics();
        int cold = 0;
        float[] label = split.test().values();
        for (int q = 0; q < pred.length; q++) {
            if (Float.isNaN(pred[q])) {
                cold++;
            } else {
                rm.add(label[q], pred[q]);
            }
        }
        assertEquals(46, cold, "cold test pairs (Spark drops 46)");
        System.out.printf(
                "MovieLens 100K split-80-20: Encore RMSE %.6f (Spark %.6f), MAE %.6f%n",
                rm.rmse(), SPARK_RMSE, rm.mae());
        assertEquals(SPARK_RMSE, rm.rmse(), 0.005);
    }
}
