package encore.pipeline;

import encore.als.Als;
import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.Backends;
import encore.als.Recommendations;
import encore.data.Interactions;
import encore.eval.RankingMetrics;
import encore.eval.RegressionMetrics;
import encore.matrix.Csr;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Spark's {@code TrainValidationSplit} with a {@code ParamGridBuilder}: fit every combination of the grid on the
 * training part, score it on the validation part, rank the combinations by the metric, and refit the best one on all
 * the data (as Spark does).
 *
 * <p>Metrics: {@code rmse} and {@code mae} (lower is better; cold validation pairs skipped, Spark's {@code drop}),
 * and {@code precision_at_K}, {@code recall_at_K}, {@code map_at_K}, {@code ndcg_at_K} (higher is better; top-K lists
 * exclude each user's training items, as in {@link RunPipeline}).
 */
public final class Tuning {
    private Tuning() {}

    /** A metric by name. */
    public record Metric(String name, int k, boolean largerIsBetter) {
        /** Parses {@code rmse}, {@code mae} or a ranking metric such as {@code ndcg_at_10}, case-insensitively. */
        public static Metric parse(String s) {
            String n = s.trim().toLowerCase(Locale.ROOT);
            if (n.equals("rmse") || n.equals("mae")) {
                return new Metric(n, 0, false);
            }
            for (String p : new String[] {"precision_at_", "recall_at_", "map_at_", "ndcg_at_"}) {
                if (n.startsWith(p)) {
                    int k;
                    try {
                        k = Integer.parseInt(n.substring(p.length()));
                    } catch (NumberFormatException e) {
                        k = -1;
                    }
                    if (k < 1) {
                        throw new IllegalArgumentException(
                                "bad cut-off in metric '" + s + "': expected e.g. " + p + "10");
                    }
                    return new Metric(n, k, true);
                }
            }
            throw new IllegalArgumentException("unknown metric '" + s + "': expected rmse, mae, precision_at_K, "
                    + "recall_at_K, map_at_K or ndcg_at_K");
        }
    }

    /** One grid point's outcome. */
    public record Trial(AlsParams params, double score, double fitSeconds) {}

    /** Called after each trial. */
    @FunctionalInterface
    public interface Listener {
        /** Trial {@code index} (1-based) of {@code total} finished with {@code trial}. */
        void trial(int index, int total, Trial trial);
    }

    /** The grid as a list of parameter sets: ranks × regParams × alphas (alphas only matter for implicit). */
    public static List<AlsParams> grid(AlsParams base, int[] ranks, double[] regs, double[] alphas) {
        List<AlsParams> out = new ArrayList<>();
        double[] as = base.implicitPrefs() ? alphas : new double[] {base.alpha()};
        for (int r : ranks) {
            for (double reg : regs) {
                for (double a : as) {
                    out.add(base.toBuilder().rank(r).regParam(reg).alpha(a).build());
                }
            }
        }
        return out;
    }

    /** Scores one model on the validation matrix. */
    public static double score(AlsModel model, Csr trainUserItems, Csr validation, Metric metric) {
        if (!metric.largerIsBetter()) {
            RegressionMetrics rm = RunPipeline.scorePairs(model, validation).metrics();
            return metric.name().equals("rmse") ? rm.rmse() : rm.mae();
        }
        Recommendations recs = model.recommendForAllUsers(metric.k(), trainUserItems);
        RankingMetrics rk = RankingMetrics.evaluate(metric.k(), recs.idLists(), validation);
        return switch (metric.name().substring(0, metric.name().indexOf("_at_"))) {
            case "precision" -> rk.precisionAtK();
            case "recall" -> rk.recallAtK();
            case "map" -> rk.mapAtK();
            default -> rk.ndcgAtK();
        };
    }

    /**
     * Fits and scores every grid point; returns the trials sorted best first (ties: the earlier grid point).
     *
     * @param estimator the backend and threads to fit with (its parameters are replaced by each grid point); the
     *                  backend is chosen once for the whole grid
     */
    public static List<Trial> run(
            Interactions train, Csr validation, List<AlsParams> grid, Metric metric, Als estimator, Listener listener) {
        encore.internal.Memory.requireFit(
                train.users().size(),
                train.items().size(),
                grid.stream().mapToInt(AlsParams::rank).max().orElse(1));
        try (Backends.Choice choice = Backends.choose(estimator.backendName())) {
            return fitAll(train, validation, grid, metric, estimator.backend(choice), listener);
        }
    }

    private static List<Trial> fitAll(
            Interactions train, Csr validation, List<AlsParams> grid, Metric metric, Als als, Listener listener) {
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < grid.size(); i++) {
            AlsParams p = grid.get(i);
            long t0 = System.nanoTime();
            AlsModel m = als.withParams(p).fit(train).model();
            double fit = (System.nanoTime() - t0) / 1e9;
            Trial t = new Trial(p, score(m, train.userItems(), validation, metric), fit);
            trials.add(t);
            listener.trial(i + 1, grid.size(), t);
        }
        Comparator<Trial> byScore = Comparator.comparingDouble(t -> Double.isNaN(t.score())
                ? Double.POSITIVE_INFINITY
                : (metric.largerIsBetter() ? -t.score() : t.score()));
        List<Trial> sorted = new ArrayList<>(trials);
        sorted.sort(byScore); // stable: equal scores keep grid order
        return sorted;
    }
}
