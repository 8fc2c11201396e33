package encore.cli;

import encore.als.AlsModel;
import encore.als.Recommendations;
import encore.als.Recommender;
import encore.als.io.ModelStore;
import encore.data.TriplesReader;
import encore.eval.RankingMetrics;
import encore.eval.RegressionMetrics;
import encore.pipeline.RunPipeline;
import encore.util.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code encore evaluate}: RMSE/MAE and ranking metrics of a saved model on test triples. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {
            "Score a saved model on test triples ('user item value' lines, e.g. the --test-out of 'encore "
                    + "train'): RMSE and MAE over the pairs whose user and item the model knows (cold pairs are counted and "
                    + "skipped), and precision/recall/MAP/NDCG at K over the test users, from top-K lists without their training "
                    + "items."
        })
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by 'encore train'.")
    Path model;

    @Option(names = "--test", required = true, paramLabel = "FILE", description = "Test triples.")
    Path test;

    @Option(names = "--top", defaultValue = "10", description = "K of the ranking metrics. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @CommandLine.Mixin
    BackendOption backend;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (top < 1) {
            throw new CommandLine.ParameterException(cl, "--top must be >= 1");
        }
        ModelStore.Stored stored = ModelStore.load(model);
        AlsModel m = stored.model();
        TriplesReader.Against t = TriplesReader.readAgainst(test, m.users(), m.items());
        RunPipeline.PairScores scored = RunPipeline.scorePairs(m, t.pairs());
        RegressionMetrics reg = scored.metrics();
        long cold = t.coldLines() + scored.coldPairs();
        Recommendations recs;
        try (Recommender scorer = m.recommender(backend.name(cl))) {
            recs = scorer.recommendForAllUsers(top, stored.seen());
        }
        RankingMetrics rank = RankingMetrics.evaluate(top, recs.idLists(), t.pairs());
        Map<String, Object> r = Json.object();
        r.put("test_ratings", t.lines());
        r.put("scored", reg.count());
        r.put("cold_pairs_skipped", cold);
        r.put("rmse", reg.count() == 0 ? null : reg.rmse());
        r.put("mae", reg.count() == 0 ? null : reg.mae());
        r.put("ranking_queries", rank.queries());
        r.put("precision_at_" + top, rank.precisionAtK());
        r.put("recall_at_" + top, rank.recallAtK());
        r.put("map_at_" + top, rank.mapAtK());
        r.put("ndcg_at_" + top, rank.ndcgAtK());
        r.put("seen_items_excluded", stored.seen() != null);
        PrintWriter w = cl.getOut();
        if (json) {
            w.print(Json.write(r));
        } else {
            w.printf(Locale.ROOT, "%-16s %s%n", "test ratings", Format.count(t.lines()));
            w.printf(
                    Locale.ROOT,
                    "%-16s %s scored, %s cold skipped%n",
                    "pairs",
                    Format.count(reg.count()),
                    Format.count(cold));
            w.printf(Locale.ROOT, "%-16s %.6f%n", "RMSE", reg.rmse());
            w.printf(Locale.ROOT, "%-16s %.6f%n", "MAE", reg.mae());
            w.printf(Locale.ROOT, "%-16s %.6f%n", "precision@" + top, rank.precisionAtK());
            w.printf(Locale.ROOT, "%-16s %.6f%n", "recall@" + top, rank.recallAtK());
            w.printf(Locale.ROOT, "%-16s %.6f%n", "MAP@" + top, rank.mapAtK());
            w.printf(
                    Locale.ROOT,
                    "%-16s %.6f   (%s test users)%n",
                    "NDCG@" + top,
                    rank.ndcgAtK(),
                    Format.count(rank.queries()));
        }
        w.flush();
        return 0;
    }
}
