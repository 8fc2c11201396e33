package encore.cuda;

import encore.als.Recommendations;
import encore.als.TopKScorer;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The GPU scorer (what {@link GpuBackendProvider#openScorer} opens; always checked): each call runs on the raw
 * {@link Engine}, then {@link #check} recomputes the lists of a sample of query rows on the CPU in double and
 * compares. Any device error or failed check ⇒ the call is recomputed by the CPU scorer and every later call runs
 * there ({@link #name()} "cpu", {@link #fallbackReason()} why); without {@code fallbackAllowed} the reason is thrown
 * instead. Not thread-safe.
 */
final class GpuTopKScorer implements TopKScorer {
    /** Query rows re-checked per call. */
    static final int SAMPLE = 32;
    /** Tie tolerance: scores within TIE · ‖x‖ · max‖y‖ of each other may be ordered differently. */
    static final double TIE = 1e-5;

    /** The raw top-k engine under this scorer ({@link GpuTopKEngine}; a CPU stand-in in tests). */
    interface Engine extends CheckedEngine.Releasable {
        /** As {@link TopKScorer#topK}. */
        Recommendations topK(Factors queries, Factors candidates, int k, Csr exclude, int[] rows);
    }

    /** One top-k call, as {@link TopKScorer#topK} takes it. */
    record Call(Factors queries, Factors candidates, int k, Csr exclude, int[] rows) {
        /** Number of result rows. */
        int resultRows() {
            return rows == null ? queries.rows() : rows.length;
        }

        /** The query row of result row {@code r}. */
        int query(int r) {
            return rows == null ? r : rows[r];
        }
    }

    private final TopKScorer cpu;
    private final CheckedEngine<Engine> engine;
    private final long seed;
    private long calls;

    /**
     * @param engine          the raw engine (null: start on the CPU with {@code reason})
     * @param cpu             the CPU scorer that takes over (closed with this one)
     * @param fallbackAllowed whether to continue on the CPU (auto) or throw (gpu)
     * @param seed            seeds the check's row samples
     */
    GpuTopKScorer(Engine engine, String reason, TopKScorer cpu, boolean fallbackAllowed, long seed) {
        this.cpu = cpu;
        this.seed = seed;
        try {
            this.engine = new CheckedEngine<>(engine, reason, fallbackAllowed);
        } catch (RuntimeException e) {
            cpu.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return engine.reason() == null ? "gpu" : "cpu";
    }

    @Override
    public String fallbackReason() {
        return engine.reason();
    }

    @Override
    public Recommendations topK(Factors queries, Factors candidates, int k, Csr exclude, int[] rows) {
        long call = calls++;
        Engine e = engine.engine();
        if (e != null) {
            String failure;
            try {
                Recommendations r = e.topK(queries, candidates, k, exclude, rows);
                failure = check(r, new Call(queries, candidates, k, exclude, rows), seed * 31 + call);
                if (failure == null) {
                    return r;
                }
            } catch (GpuException | IllegalArgumentException | IllegalStateException ex) {
                failure = "GPU error: " + ex.getMessage();
            }
            engine.fallBack("GPU top-k call " + (call + 1) + ": " + failure);
        }
        return cpu.topK(queries, candidates, k, exclude, rows);
    }

    /**
     * Null when the sampled rows (the first row with factors plus random ones) agree with a double-precision
     * recomputation: the right number of entries, each a candidate with factors and not excluded, no duplicates, the
     * reported score equal to the exact one within the tie tolerance, Spark's order on the reported scores, and the
     * j-th score no lower than the exact j-th best minus twice the tolerance (nothing better was missed).
     */
    static String check(Recommendations r, Call c, long seed) {
        int nRows = c.resultRows();
        if (r.rows() != nRows) {
            return "returned " + r.rows() + " lists for " + nRows + " rows";
        }
        Factors cand = c.candidates();
        double maxNorm = 0;
        for (int j = cand.nextPresent(0); j >= 0; j = cand.nextPresent(j + 1)) {
            maxNorm = Math.max(maxNorm, norm(cand, j));
        }
        int first = -1;
        for (int i = 0; i < nRows && first < 0; i++) {
            if (c.queries().has(c.query(i))) {
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
        SplittableRandom rng = new SplittableRandom(seed);
        double[] exact = new double[cand.rows()];
        for (int s = 0, samples = Math.min(SAMPLE, nRows); s < samples; s++) {
            int row = s == 0 ? first : rng.nextInt(nRows);
            int query = c.query(row);
            if (!c.queries().has(query)) {
                if (r.count(row) != 0) {
                    return "a list for query " + query + ", which has no factors";
                }
                continue;
            }
            String f = checkRow(r, c, row, TIE * norm(c.queries(), query) * maxNorm, exact);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    private static String checkRow(Recommendations r, Call c, int row, double tol, double[] exact) {
        int query = c.query(row);
        Factors cand = c.candidates();
        int nc = cand.rows();
        BitSet excluded = new BitSet(nc);
        if (c.exclude() != null) {
            for (int e = c.exclude().rowStart(query); e < c.exclude().rowEnd(query); e++) {
                excluded.set(c.exclude().colIdx()[e]);
            }
        }
        int eligible = 0;
        for (int j = cand.nextPresent(0); j >= 0; j = cand.nextPresent(j + 1)) {
            if (!excluded.get(j)) {
                exact[eligible++] = dot(c.queries(), query, cand, j);
            }
        }
        Arrays.sort(exact, 0, eligible);
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
            if (!cand.has(id) || excluded.get(id) || seen.get(id)) {
                return "query " + query + " got item " + id + ", which is cold, excluded or repeated";
            }
            seen.set(id);
            if (score > prevScore || (score == prevScore && id > prevId)) {
                return "query " + query + "'s list breaks the order (score desc, id desc) at position " + j;
            }
            prevScore = score;
            prevId = id;
            double s = dot(c.queries(), query, cand, id);
            if (Math.abs(s - score) > tol) {
                return String.format(Locale.ROOT, "query %d item %d: score %.7g, exact %.7g", query, id, score, s);
            }
            double best = exact[eligible - 1 - j];
            if (s < best - 2 * tol) {
                return String.format(
                        Locale.ROOT,
                        "query %d position %d: item %d scores %.7g, but the exact %d-th " + "best is %.7g",
                        query,
                        j,
                        id,
                        s,
                        j + 1,
                        best);
            }
        }
        return null;
    }

    private static double dot(Factors a, int i, Factors b, int j) {
        float[] x = a.data();
        float[] y = b.data();
        int xo = a.offset(i);
        int yo = b.offset(j);
        double s = 0;
        for (int d = 0; d < a.rank(); d++) {
            s += (double) x[xo + d] * y[yo + d];
        }
        return s;
    }

    private static double norm(Factors f, int row) {
        return Math.sqrt(dot(f, row, f, row));
    }

    @Override
    public void close() {
        engine.close();
        cpu.close();
    }
}
