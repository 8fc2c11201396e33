package encore.eval;

import encore.matrix.Csr;

import java.util.Arrays;

/**
 * Spark mllib {@code RankingMetrics} with binary relevance, as a streaming accumulator of queries. For one query let
 * P be the predicted item ids in rank order, duplicates <b>kept</b>, n_p = |P|; G the distinct ground-truth ids,
 * g = |G|; and hits(m) = #{ i &lt; m : P[i] ∈ G }. Per query:
 * <pre>
 *   precision@k = hits(min(n_p, k)) / k                         (always divides by k)
 *   recall@k    = hits(min(n_p, k)) / g
 *   AP@K        = Σ_{i &lt; min(K, n_p), P[i] ∈ G} hits(i+1)/(i+1)  /  min(g, K)
 *   MAP@k       = AP@k
 *   MAP         = AP@max(n_p, g)  = Σ_{i &lt; n_p, P[i] ∈ G} hits(i+1)/(i+1) / g
 *   NDCG@k      = DCG / IDCG, n = min(max(n_p, g), k),
 *                 DCG  = Σ_{i &lt; n, i &lt; n_p, P[i] ∈ G} 1/ln(i+2),   IDCG = Σ_{i &lt; min(n, g)} 1/ln(i+2)
 * </pre>
 * Each reported metric is the arithmetic mean of the per-query values over all queries. A query with an empty G
 * contributes 0 to every metric and still counts in the denominator; with no queries every metric is NaN.
 *
 * <p>Predictions are used as given: a duplicated hit counts each time it occurs, so recall and AP can exceed 1
 * (P=[1,1], G={1}: recall@2 = 2), exactly as in Spark. Call {@link #dedupe(int[])} first to avoid that.
 *
 * <p>{@link #add} allocates nothing beyond a reusable scratch copy of the ground truth (skipped when the ground truth
 * is already strictly ascending, as CSR rows are); membership is a binary search in the sorted ground truth, so a
 * query costs O(g log g + n_p log g). Not thread-safe; use one accumulator per thread and {@link #merge} them.
 */
public final class RankingMetrics {
    private final int k;
    /** discount[i] = 1 / ln(i + 2), i &lt; k. */
    private final double[] discount;
    /** idcg[m] = Σ_{i &lt; m} 1/ln(i+2), m ≤ k, summed in index order as Spark does. */
    private final double[] idcg;

    private long queries;
    private double sumPrecision;
    private double sumRecall;
    private double sumApAtK;
    private double sumNdcg;
    private double sumAp;

    private int[] scratch = new int[16];

    /**
     * An empty accumulator for the @k metrics.
     *
     * @throws IllegalArgumentException {@code "ranking position k should be positive"} if k ≤ 0 (Spark's message)
     */
    public RankingMetrics(int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("ranking position k should be positive");
        }
        this.k = k;
        this.discount = new double[k];
        this.idcg = new double[k + 1];
        for (int i = 0; i < k; i++) {
            discount[i] = 1.0 / Math.log(i + 2);
            idcg[i + 1] = idcg[i] + discount[i];
        }
    }

    /** The ranking position k of the @k metrics. */
    public int k() {
        return k;
    }

    /**
     * Adds one query.
     *
     * @param predicted        item ids in rank order, {@code predicted[0, predictedLength)}; may be longer or shorter
     *                         than k, and may be null when predictedLength is 0
     * @param predictedLength  number of predictions used
     * @param relevant         the query's ground-truth ids, {@code relevant[0, relevantLength)}, any order, duplicates
     *                         ignored; may be null when relevantLength is 0. Not modified.
     * @param relevantLength   number of ground-truth ids used
     */
    public void add(int[] predicted, int predictedLength, int[] relevant, int relevantLength) {
        checkRange("predicted", predicted, predictedLength);
        checkRange("relevant", relevant, relevantLength);
        addQuery(predicted, predictedLength, relevant, 0, relevantLength);
    }

    private static void checkRange(String what, int[] a, int length) {
        if (length < 0 || length > (a == null ? 0 : a.length)) {
            throw new IllegalArgumentException(
                    what + "Length " + length + " outside [0, " + (a == null ? 0 : a.length) + "]");
        }
    }

    /** One query with ground truth rel[from, from+len). */
    private void addQuery(int[] pred, int np, int[] rel, int from, int len) {
        queries++;
        if (len == 0) {
            return; // Spark: empty ground truth contributes 0 and counts in the mean
        }
        int[] set = rel;
        int lo = from;
        int g = len;
        if (!strictlyAscending(rel, from, from + len)) {
            if (scratch.length < len) {
                scratch = new int[Math.max(len, scratch.length + (scratch.length >> 1))];
            }
            System.arraycopy(rel, from, scratch, 0, len);
            heapSort(scratch, len);
            g = uniqueSorted(scratch, len);
            set = scratch;
            lo = 0;
        }
        int hi = lo + g;

        int cutoff = Math.min(np, k);
        int hits = 0;
        int hitsAtK = 0;
        double apSum = 0.0;
        double apSumAtK = 0.0;
        double dcg = 0.0;
        for (int i = 0; i < np; i++) {
            if (i == cutoff) {
                hitsAtK = hits;
                apSumAtK = apSum;
            }
            if (Arrays.binarySearch(set, lo, hi, pred[i]) >= 0) {
                hits++;
                apSum += (double) hits / (i + 1);
                if (i < k) {
                    dcg += discount[i];
                }
            }
        }
        if (np == cutoff) {
            hitsAtK = hits;
            apSumAtK = apSum;
        }
        sumPrecision += (double) hitsAtK / k;
        sumRecall += (double) hitsAtK / g;
        sumApAtK += apSumAtK / Math.min(g, k);
        // n = min(max(n_p, g), k) ≥ 1 and min(n, g) = min(g, k), so IDCG > 0
        sumNdcg += dcg / idcg[Math.min(g, k)];
        sumAp += apSum / g;
    }

    private static boolean strictlyAscending(int[] a, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            if (a[i - 1] >= a[i]) {
                return false;
            }
        }
        return true;
    }

    /** In-place heap sort of a[0, n): O(n log n), no allocation. */
    private static void heapSort(int[] a, int n) {
        for (int i = (n >>> 1) - 1; i >= 0; i--) {
            siftDown(a, i, n);
        }
        for (int end = n - 1; end > 0; end--) {
            int t = a[0];
            a[0] = a[end];
            a[end] = t;
            siftDown(a, 0, end);
        }
    }

    private static void siftDown(int[] a, int i, int n) {
        int v = a[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) {
                break;
            }
            if (c + 1 < n && a[c + 1] > a[c]) {
                c++;
            }
            if (a[c] <= v) {
                break;
            }
            a[i] = a[c];
            i = c;
        }
        a[i] = v;
    }

    /** Removes adjacent duplicates from sorted a[0, n) in place; returns the distinct count. */
    private static int uniqueSorted(int[] a, int n) {
        int w = 1;
        for (int i = 1; i < n; i++) {
            if (a[i] != a[w - 1]) {
                a[w++] = a[i];
            }
        }
        return w;
    }

    /**
     * Adds another accumulator's queries to this one (sums and counts add); {@code other} is unchanged.
     *
     * @throws IllegalArgumentException if the two were built for different k
     */
    public void merge(RankingMetrics other) {
        if (other.k != k) {
            throw new IllegalArgumentException("cannot merge metrics at k=" + other.k + " into k=" + k);
        }
        queries += other.queries;
        sumPrecision += other.sumPrecision;
        sumRecall += other.sumRecall;
        sumApAtK += other.sumApAtK;
        sumNdcg += other.sumNdcg;
        sumAp += other.sumAp;
    }

    /** Number of queries added, including those with empty ground truth. */
    public long queries() {
        return queries;
    }

    /** mean over queries of hits(min(n_p, k)) / k. NaN with no queries. */
    public double precisionAtK() {
        return sumPrecision / queries;
    }

    /** mean over queries of hits(min(n_p, k)) / g (0 when g = 0). NaN with no queries. */
    public double recallAtK() {
        return sumRecall / queries;
    }

    /**
     * mean over queries of Σ_{i &lt; min(k, n_p), P[i] ∈ G} hits(i+1)/(i+1) / min(g, k) (0 when g = 0).
     * NaN with no queries.
     */
    public double mapAtK() {
        return sumApAtK / queries;
    }

    /**
     * mean over queries of DCG/IDCG with n = min(max(n_p, g), k), DCG = Σ_{i &lt; min(n, n_p), P[i] ∈ G} 1/ln(i+2),
     * IDCG = Σ_{i &lt; min(n, g)} 1/ln(i+2) (0 when g = 0). NaN with no queries.
     */
    public double ndcgAtK() {
        return sumNdcg / queries;
    }

    /**
     * Spark's {@code meanAveragePrecision} (no cutoff): AP@K with K = max(n_p, g), i.e. mean over queries of
     * Σ_{i &lt; n_p, P[i] ∈ G} hits(i+1)/(i+1) / g (0 when g = 0), using every prediction. NaN with no queries.
     */
    public double meanAveragePrecision() {
        return sumAp / queries;
    }

    /**
     * The ids with later duplicates removed, first occurrences kept in order: [3,1,3,2,1] → [3,1,2]. Always a new
     * array. O(n log n).
     */
    public static int[] dedupe(int[] predicted) {
        int n = predicted.length;
        int[] out = new int[n];
        int w = 0;
        if (n <= 32) {
            outer:
            for (int i = 0; i < n; i++) {
                int v = predicted[i];
                for (int j = 0; j < w; j++) {
                    if (out[j] == v) {
                        continue outer;
                    }
                }
                out[w++] = v;
            }
        } else {
            int[] sorted = predicted.clone();
            Arrays.sort(sorted);
            int distinct = uniqueSorted(sorted, n);
            boolean[] seen = new boolean[distinct];
            for (int i = 0; i < n; i++) {
                int v = predicted[i];
                int at = Arrays.binarySearch(sorted, 0, distinct, v);
                if (!seen[at]) {
                    seen[at] = true;
                    out[w++] = v;
                }
            }
        }
        return w == n ? out : Arrays.copyOf(out, w);
    }

    /**
     * Evaluates top-k lists against held-out items. The queries are the users with at least one test item: row u
     * of {@code test} with {@code rowLength(u) ≥ 1} is one query with G = the row's column ids (every stored entry is
     * relevant, whatever its value) and P = {@code recs[u]} as given (null means no predictions; the whole list is
     * used, so {@link #meanAveragePrecision()} sees predictions beyond k). Users without test items are not queries:
     * this is how Encore reports ranking metrics "for every test user". A test user with no recommendations counts
     * as 0.
     *
     * @param recs one ranked list per user row, {@code recs.length == test.rows()}
     * @param test users × items, the held-out interactions
     * @throws IllegalArgumentException if k ≤ 0 or recs.length ≠ test.rows()
     */
    public static RankingMetrics evaluate(int k, int[][] recs, Csr test) {
        RankingMetrics m = new RankingMetrics(k);
        if (recs.length != test.rows()) {
            throw new IllegalArgumentException(
                    "recs has " + recs.length + " users but the test matrix has " + test.rows() + " rows");
        }
        int[] cols = test.colIdx();
        for (int u = 0, rows = test.rows(); u < rows; u++) {
            int start = test.rowStart(u);
            int len = test.rowEnd(u) - start;
            if (len == 0) {
                continue;
            }
            int[] p = recs[u];
            m.addQuery(p, p == null ? 0 : p.length, cols, start, len);
        }
        return m;
    }

    @Override
    public String toString() {
        return "RankingMetrics{k=" + k + ", queries=" + queries + ", precision@k=" + precisionAtK()
                + ", recall@k=" + recallAtK() + ", map@k=" + mapAtK() + ", ndcg@k=" + ndcgAtK()
                + ", map=" + meanAveragePrecision() + "}";
    }
}
