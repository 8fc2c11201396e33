package encore.cpu;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.Recommendations;
import encore.data.IngestOptions;
import encore.data.Interactions;
import encore.data.Prepare;
import encore.data.PrepareOptions;
import encore.data.Prepared;
import encore.data.SplitSpec;
import encore.eval.PopularityBaseline;
import encore.eval.RankingMetrics;
import encore.synth.GeneratorConfig;
import encore.synth.ListeningsGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On generated listenings with planted genre structure, implicit ALS must beat the most-popular baseline by a wide
 * margin on a per-user holdout: precision@10 at least 3× the baseline's (both exclude each user's training items).
 */
class PlantedStructureTest {
    @TempDir
    Path dir;

    @Test
    void implicitAlsBeatsMostPopularThreefold() throws Exception {
        Path csv = dir.resolve("listenings.csv");
        new ListeningsGenerator(GeneratorConfig.forRows(150_000, 5)).write(csv);
        Prepared p = Prepare.run(csv, new PrepareOptions(IngestOptions.defaults(), -1, SplitSpec.holdout(0.2, 1)));
        Interactions train = p.train();
        Interactions test = p.split().test().toInteractions();
        AlsParams params = AlsParams.builder()
                .rank(16)
                .maxIter(10)
                .regParam(0.1)
                .implicitPrefs(true)
                .alpha(10)
                .seed(3)
                .build();
        AlsModel model = SparkStyleData.fit(train, params, 2);
        Recommendations recs = model.recommendForAllUsers(10, train.userItems());
        double als =
                RankingMetrics.evaluate(10, recs.idLists(), test.userItems()).precisionAtK();
        PopularityBaseline pop = new PopularityBaseline(train.userItems());
        double base = RankingMetrics.evaluate(10, pop.recommendAll(10, true), test.userItems())
                .precisionAtK();
        System.out.printf(
                "planted structure: ALS precision@10 %.4f, most-popular %.4f (%.1fx)%n", als, base, als / base);
        assertTrue(als >= 3 * base, "ALS " + als + " vs most-popular " + base);
    }
}
