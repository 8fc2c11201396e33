package encore.cuda;

import encore.als.AlsException;
import encore.als.Recommendations;
import encore.als.spi.TopKScorer;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.BitSet;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The checked GPU scorer: each call runs on the GPU, then {@link #check} recomputes the lists of a sample of query
 * rows on the CPU in double and compares. Any device error or failed check ⇒ the call is recomputed by the CPU scorer
 * and every later call runs there ({@link #name()} "cpu", {@link #fallbackReason()} why); without
 * {@code fallbackAllowed} the reason is thrown instead.
 */
final class CheckedTopKScorer implements TopKScorer {
    /** Query rows re-checked per call. */
    static final int SAMPLE = 32;
    /** Tie tolerance: scores within TIE · ‖x‖ · max‖y‖ of each other may be ordered differently. */
    static final double TIE = 1e-5;

    private final TopKScorer cpu;
    private final FallbackPolicy policy;
    private final long seed;
    private TopKScorer engine;
    private long calls;

    CheckedTopKScorer(TopKScorer engine, String reason, TopKScorer cpu, boolean fallbackAllowed, long seed) {
        this.engine = engine;
        this.cpu = cpu;
        this.policy = new FallbackPolicy(fallbackAllowed);
        this.seed = seed;
        if (engine == null) {
            fallBack(reason);
        }
    }

    @Override
    public String name() {
        return policy.reason() == null ? "gpu" : "cpu";
    }

    @Override
    public String fallbackReason() {
        return policy.reason();
    }

    @Override
    public Recommendations topK(Factors queries, Factors candidates, int k, Csr exclude, int[] rows) {
        long call = calls++;
        if (engine != null) {
            String failure;
            try {
                Recommendations r = engine.topK(queries, candidates, k, exclude, rows);
                failure = check(r, queries.data(), queries.present(), queries.rows(), candidates.data(),
                    candidates.present(), candidates.rows(), queries.rank(), k, exclude, rows, seed * 31 + call);
                if (failure == null) {
                    return r;
                }
            } catch (GpuException | IllegalArgumentException | IllegalStateException e) {
                failure = "GPU error: " + e.getMessage();
            }
            fallBack("GPU top-k call " + (call + 1) + ": " + failure);
        }
        return cpu.topK(queries, candidates, k, exclude, rows);
    }

    private void fallBack(String why) {
        try {
            policy.fallBack(why);
        } catch (AlsException e) {
            close();
            throw e;
        }
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }

    /**
     * Null when the sampled rows (the first row with factors plus random ones) agree with a double-precision
     * recomputation: the right number of entries, each a candidate with factors and not excluded, no duplicates, the
     * reported score equal to the exact one within the tie tolerance, Spark's order on the reported scores, and the
     * j-th score no lower than the exact j-th best minus twice the tolerance (nothing better was missed).
     */
    static String check(Recommendations r, float[] q, BitSet qHas, int nq, float[] c, BitSet cHas, int nc, int rank,
                        int k, Csr exclude, int[] rows, long seed) {
        int nRows = rows == null ? nq : rows.length;
        if (r.rows() != nRows) {
            return "returned " + r.rows() + " lists for " + nRows + " rows";
        }
        double maxNorm = 0;
        for (int j = cHas.nextSetBit(0); j >= 0 && j < nc; j = cHas.nextSetBit(j + 1)) {
            maxNorm = Math.max(maxNorm, norm(c, j, rank));
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int first = -1;
        for (int i = 0; i < nRows && first < 0; i++) {
            if (qHas.get(rows == null ? i : rows[i])) {
                first = i;
            }
        }
        if (first < 0) {
            for (int i = 0; i < nRows; i++) {
                if (r.count(i) != 0) {
                    return "a list for query row " + i + ", which has no factors";
                }
            }
            return null;
        }
        int samples = Math.min(SAMPLE, nRows);
        double[] exact = new double[nc];
        for (int s = 0; s < samples; s++) {
            int row = s == 0 ? first : rng.nextInt(nRows);
            int query = rows == null ? row : rows[row];
            if (!qHas.get(query)) {
                if (r.count(row) != 0) {
                    return "a list for query " + query + ", which has no factors";
                }
                continue;
            }
            String f = checkRow(r, row, query, q, c, cHas, nc, rank, exclude, TIE * norm(q, query, rank) * maxNorm,
                exact);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    private static String checkRow(Recommendations r, int row, int query, float[] q, float[] c, BitSet cHas, int nc,
                                   int rank, Csr exclude, double tol, double[] exact) {
        BitSet excluded = new BitSet(nc);
        if (exclude != null) {
            for (int e = exclude.rowStart(query); e < exclude.rowEnd(query); e++) {
                excluded.set(exclude.colIdx()[e]);
            }
        }
        int eligible = 0;
        for (int j = cHas.nextSetBit(0); j >= 0 && j < nc; j = cHas.nextSetBit(j + 1)) {
            if (!excluded.get(j)) {
                double s = 0;
                for (int d = 0; d < rank; d++) {
                    s += (double) q[query * rank + d] * c[j * rank + d];
                }
                exact[eligible++] = s;
            }
        }
        java.util.Arrays.sort(exact, 0, eligible);
        int want = Math.min(r.k(), eligible);
        int n = r.count(row);
        if (n != want) {
            return String.format(Locale.ROOT, "query %d got %d items, expected %d", query, n, want);
        }
        BitSet seen = new BitSet(nc);
        float prevScore = Float.POSITIVE_INFINITY;
        int prevId = Integer.MAX_VALUE;
        for (int j = 0; j < n; j++) {
            int id = r.id(row, j);
            float score = r.score(row, j);
            if (id < 0 || id >= nc || !cHas.get(id) || excluded.get(id) || seen.get(id)) {
                return "query " + query + " got item " + id + ", which is cold, excluded or repeated";
            }
            seen.set(id);
            if (score > prevScore || (score == prevScore && id > prevId)) {
                return "query " + query + "'s list breaks the order (score desc, id desc) at position " + j;
            }
            prevScore = score;
            prevId = id;
            double s = 0;
            for (int d = 0; d < rank; d++) {
                s += (double) q[query * rank + d] * c[id * rank + d];
            }
            if (Math.abs(s - score) > tol) {
                return String.format(Locale.ROOT, "query %d item %d: score %.7g, exact %.7g", query, id, score, s);
            }
            double best = exact[eligible - 1 - j];
            if (s < best - 2 * tol) {
                return String.format(Locale.ROOT, "query %d position %d: item %d scores %.7g, but the exact %d-th "
                    + "best is %.7g", query, j, id, s, j + 1, best);
            }
        }
        return null;
    }

    private static double norm(float[] f, int row, int rank) {
        double s = 0;
        for (int d = 0; d < rank; d++) {
            s += (double) f[row * rank + d] * f[row * rank + d];
        }
        return Math.sqrt(s);
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
            engine = null;
        }
        cpu.close();
    }
}
