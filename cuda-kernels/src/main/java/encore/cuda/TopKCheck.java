package encore.cuda;

import encore.als.Recommendations;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The check of one top-k result against a double-precision recomputation on the CPU (what {@link GpuTopKScorer}
 * runs after every call). Every result row is checked: a row without query factors has an empty list; otherwise the
 * list has min(k, eligible) entries, each a candidate with factors, not excluded, not repeated, in Spark's order on the
 * reported scores (score desc, then id desc), and each reported score within the tie tolerance of the exact one
 * (x·y in double); and {@link #PROBES} random eligible candidates outside a full list score no more than its last
 * entry (plus twice the tolerance). That costs O(rows · (k + PROBES) · rank) plus the exclusions, a fraction
 * (k + PROBES) / candidates of scoring every candidate. Whether a better candidate was left out anywhere would need
 * exactly that full scoring, so it is done for a sample of {@link #SAMPLE} rows (the first row with factors and
 * distinct random ones; every row when there are no more): their j-th entry must score no lower than the exact j-th
 * best minus twice the tolerance.
 */
final class TopKCheck {
    /** Result rows ranked in full (every candidate scored) per call; every row when there are no more. */
    static final int SAMPLE = 32;
    /** Random candidates per full list checked against its last entry. */
    static final int PROBES = 32;

    private final Recommendations r;
    private final GpuTopKScorer.Call c;
    private final SplittableRandom rng;
    private final double maxNorm;
    private final int present;
    private final BitSet excluded;
    private final BitSet listed;
    private final double[] exact;

    private TopKCheck(Recommendations r, GpuTopKScorer.Call c, long seed) {
        this.r = r;
        this.c = c;
        this.rng = new SplittableRandom(seed);
        Factors cand = c.candidates();
        double m = 0;
        for (int j = cand.nextPresent(0); j >= 0; j = cand.nextPresent(j + 1)) {
            m = Math.max(m, norm(cand, j));
        }
        this.maxNorm = m;
        this.present = cand.presentCount();
        this.excluded = new BitSet(cand.rows());
        this.listed = new BitSet(cand.rows());
        this.exact = new double[cand.rows()];
    }

    /** Null when {@code r} passes for call {@code c}, else what failed; {@code seed} draws the samples. */
    static String check(Recommendations r, GpuTopKScorer.Call c, long seed) {
        int nRows = c.resultRows();
        if (r.rows() != nRows) {
            return "returned " + r.rows() + " lists for " + nRows + " rows";
        }
        return new TopKCheck(r, c, seed).all();
    }

    private String all() {
        int nRows = c.resultRows();
        BitSet ranked = rankedRows(nRows);
        for (int row = 0; row < nRows; row++) {
            int query = c.query(row);
            if (!c.queries().has(query)) {
                if (r.count(row) != 0) {
                    return "a list for query " + query + ", which has no factors";
                }
                continue;
            }
            String f = checkRow(row, GpuTopKScorer.TIE * norm(c.queries(), query) * maxNorm, ranked.get(row));
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /** The rows ranked in full: the first with query factors, then distinct random rows, SAMPLE in all. */
    private BitSet rankedRows(int nRows) {
        BitSet ranked = new BitSet(nRows);
        if (nRows <= SAMPLE) {
            ranked.set(0, nRows);
            return ranked;
        }
        for (int i = 0; i < nRows; i++) {
            if (c.queries().has(c.query(i))) {
                ranked.set(i);
                break;
            }
        }
        while (ranked.cardinality() < SAMPLE) {
            ranked.set(rng.nextInt(nRows));
        }
        return ranked;
    }

    /** One list, with the exclusion and listed-item sets left cleared for the next. */
    private String checkRow(int row, double tol, boolean rankInFull) {
        int query = c.query(row);
        Csr ex = c.exclude();
        int eligible = present;
        if (ex != null) {
            for (int e = ex.rowStart(query); e < ex.rowEnd(query); e++) {
                int j = ex.colIdx()[e];
                if (c.candidates().has(j) && !excluded.get(j)) {
                    excluded.set(j);
                    eligible--;
                }
            }
        }
        String f = checkList(row, tol, eligible, rankInFull);
        if (ex != null) {
            for (int e = ex.rowStart(query); e < ex.rowEnd(query); e++) {
                excluded.clear(ex.colIdx()[e]);
            }
        }
        for (int j = 0, n = r.count(row); j < n; j++) {
            int id = r.id(row, j);
            if (id >= 0) {
                listed.clear(id);
            }
        }
        return f;
    }

    private String checkList(int row, double tol, int eligible, boolean rankInFull) {
        int query = c.query(row);
        Factors cand = c.candidates();
        int want = Math.min(r.k(), eligible);
        int n = r.count(row);
        if (n != want) {
            return String.format(Locale.ROOT, "query %d got %d items, expected %d", query, n, want);
        }
        int ranked = rankInFull ? rankAll(query) : 0;
        float prevScore = Float.POSITIVE_INFINITY;
        int prevId = Integer.MAX_VALUE;
        double last = Double.POSITIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            int id = r.id(row, j);
            float score = r.score(row, j);
            if (id < 0 || id >= cand.rows() || !cand.has(id) || excluded.get(id) || listed.get(id)) {
                return "query " + query + " got item " + id + ", which is cold, excluded or repeated";
            }
            listed.set(id);
            if (score > prevScore || (score == prevScore && id > prevId)) {
                return "query " + query + "'s list breaks the order (score desc, id desc) at position " + j;
            }
            prevScore = score;
            prevId = id;
            double s = dot(c.queries(), query, cand, id);
            if (Math.abs(s - score) > tol) {
                return String.format(Locale.ROOT, "query %d item %d: score %.7g, exact %.7g", query, id, score, s);
            }
            if (rankInFull && s < exact[ranked - 1 - j] - 2 * tol) {
                return String.format(
                        Locale.ROOT,
                        "query %d position %d: item %d scores %.7g, but the exact %d-th best is %.7g",
                        query,
                        j,
                        id,
                        s,
                        j + 1,
                        exact[ranked - 1 - j]);
            }
            last = s;
        }
        return n == eligible || rankInFull ? null : probe(query, last, tol);
    }

    /** The exact scores of every eligible candidate for {@code query} into {@link #exact}, ascending; their count. */
    private int rankAll(int query) {
        Factors cand = c.candidates();
        int eligible = 0;
        for (int j = cand.nextPresent(0); j >= 0; j = cand.nextPresent(j + 1)) {
            if (!excluded.get(j)) {
                exact[eligible++] = dot(c.queries(), query, cand, j);
            }
        }
        Arrays.sort(exact, 0, eligible);
        return eligible;
    }

    /** PROBES random candidates outside the (full) list, none of which may beat its last entry's exact score. */
    private String probe(int query, double last, double tol) {
        Factors cand = c.candidates();
        for (int p = 0; p < PROBES; p++) {
            int j = rng.nextInt(cand.rows());
            if (cand.has(j) && !excluded.get(j) && !listed.get(j)) {
                double s = dot(c.queries(), query, cand, j);
                if (s > last + 2 * tol) {
                    return String.format(
                            Locale.ROOT,
                            "query %d: item %d scores %.7g, above the list's last entry (%.7g), but is not in it",
                            query,
                            j,
                            s,
                            last);
                }
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
}
