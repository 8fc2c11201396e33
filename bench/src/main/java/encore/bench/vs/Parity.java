package encore.bench.vs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The quality checks the comparison asserts: both engines saw the same data (equal train/test pair counts), Encore's
 * RMSE is at most 0.005 above Spark's on the identical split (better is always fine), and each ranking metric of
 * Encore's is not below Spark's by more than 2 % relative.
 */
public final class Parity {
    /** Largest RMSE excess over Spark's that still passes. */
    public static final double RMSE_TOLERANCE = 0.005;
    /** Largest relative shortfall of a ranking metric that still passes. */
    public static final double RANKING_TOLERANCE = 0.02;

    /** One check. */
    public record Check(String name, double encore, double spark, String rule, boolean pass) {
        /** A one-line description for the report. */
        public String describe() {
            return String.format(
                    Locale.ROOT,
                    "%s: Encore %s, Spark %s (%s) %s",
                    name,
                    fmt(encore),
                    fmt(spark),
                    rule,
                    pass ? "ok" : "FAILED");
        }
    }

    private Parity() {}

    /** The checks that apply to these two result sets (none when a value is missing on either side). */
    public static List<Check> checks(Results encore, Results spark) {
        List<Check> out = new ArrayList<>();
        for (String key : new String[] {"train_pairs", "test_pairs"}) {
            String e = encore.info().get(key);
            String s = spark.info().get(key);
            if (e != null && s != null && Long.parseLong(s) >= 0 && Long.parseLong(e) >= 0) {
                out.add(new Check(
                        "same data: " + key,
                        Long.parseLong(e),
                        Long.parseLong(s),
                        "equal",
                        Long.parseLong(e) == Long.parseLong(s)));
            }
        }
        for (Map.Entry<String, Double> m : encore.metrics().entrySet()) {
            String name = m.getKey();
            Double s = spark.metrics().get(name);
            if (s == null) {
                continue;
            }
            double e = m.getValue();
            if (name.startsWith("rmse")) {
                out.add(new Check(
                        name,
                        e,
                        s,
                        String.format(Locale.ROOT, "Encore ≤ Spark + %.3f", RMSE_TOLERANCE),
                        !Double.isNaN(e) && !Double.isNaN(s) && e <= s + RMSE_TOLERANCE));
            } else if (isRanking(name)) {
                out.add(new Check(
                        name,
                        e,
                        s,
                        String.format(Locale.ROOT, "Encore ≥ Spark × %.2f", 1 - RANKING_TOLERANCE),
                        !Double.isNaN(e) && !Double.isNaN(s) && e >= s * (1 - RANKING_TOLERANCE)));
            }
        }
        return out;
    }

    /**
     * True when every check passed and at least one of them compared quality (an RMSE or a ranking metric): a
     * comparison of nothing, or of the data sizes alone, is a failure, not a vacuous pass.
     */
    public static boolean pass(List<Check> checks) {
        boolean quality = false;
        for (Check c : checks) {
            if (!c.pass()) {
                return false;
            }
            quality |= c.name().startsWith("rmse") || isRanking(c.name());
        }
        return quality;
    }

    static boolean isRanking(String metric) {
        return !metric.startsWith("popularity_")
                && (metric.startsWith("precision_at_")
                        || metric.startsWith("recall_at_")
                        || metric.startsWith("map_at_")
                        || metric.startsWith("ndcg_at_"));
    }

    static String fmt(double v) {
        return Double.isNaN(v)
                ? "NaN"
                : v == Math.rint(v) && Math.abs(v) < 1e15
                        ? String.valueOf((long) v)
                        : String.format(Locale.ROOT, "%.6f", v);
    }
}
