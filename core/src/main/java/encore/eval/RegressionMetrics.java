package encore.eval;

/**
 * Spark mllib {@code RegressionMetrics} with unit weights, as a streaming accumulator. With e = label − prediction
 * over n pairs:
 * <pre>
 *   MSE  = Σ e² / n
 *   RMSE = sqrt(MSE)
 *   MAE  = Σ |e| / n
 * </pre>
 * As in Spark nothing is skipped: any NaN label or prediction makes every metric NaN, so callers drop cold-start
 * pairs (no factors, NaN prediction) before adding them. Sums are kept in {@code double}; {@link #add} allocates
 * nothing. Not thread-safe; use one accumulator per thread and {@link #merge} them.
 */
public final class RegressionMetrics {
    private long count;
    private double sumSq;
    private double sumAbs;

    /** An empty accumulator (every metric NaN until a pair is added). */
    public RegressionMetrics() {}

    /** Adds one pair: n += 1, Σe² += (label − prediction)², Σ|e| += |label − prediction|. NaN propagates. */
    public void add(double label, double prediction) {
        double e = label - prediction;
        sumSq += e * e;
        sumAbs += Math.abs(e);
        count++;
    }

    /** Adds another accumulator's pairs to this one (sums and counts add); {@code other} is unchanged. */
    public void merge(RegressionMetrics other) {
        count += other.count;
        sumSq += other.sumSq;
        sumAbs += other.sumAbs;
    }

    /** n, the number of pairs added. */
    public long count() {
        return count;
    }

    /** MSE = Σ e² / n; NaN when n = 0 or any pair was NaN. */
    public double mse() {
        return count == 0 ? Double.NaN : sumSq / count;
    }

    /** RMSE = sqrt(Σ e² / n); NaN when n = 0 or any pair was NaN. */
    public double rmse() {
        return Math.sqrt(mse());
    }

    /** MAE = Σ |e| / n; NaN when n = 0 or any pair was NaN. */
    public double mae() {
        return count == 0 ? Double.NaN : sumAbs / count;
    }

    /**
     * Metrics of aligned arrays: pair i is (labels[i], predictions[i]), widened to double.
     *
     * @throws IllegalArgumentException if the lengths differ
     */
    public static RegressionMetrics of(float[] labels, float[] predictions) {
        if (labels.length != predictions.length) {
            throw new IllegalArgumentException(
                    "labels and predictions differ in length: " + labels.length + " vs " + predictions.length);
        }
        RegressionMetrics m = new RegressionMetrics();
        for (int i = 0; i < labels.length; i++) {
            m.add(labels[i], predictions[i]);
        }
        return m;
    }

    @Override
    public String toString() {
        return "RegressionMetrics{n=" + count + ", rmse=" + rmse() + ", mae=" + mae() + "}";
    }
}
