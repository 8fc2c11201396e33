package encore.cuda;

import encore.als.AlsParams;
import encore.cpu.ReferenceRowSolver;
import encore.matrix.Csr;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Checks an engine's half-iteration on the CPU in double, independently of how either engine builds or solves the
 * normal equations (the row math is on {@link encore.als.AlsBackend}). Every row with entries is scanned for
 * non-finite values. For an exact solve (on the CPU: {@code CholeskyRow}, {@code DualRow} or {@code WoodburyRow}; on
 * the GPU: {@code solve_rows}, a Cholesky for every row) <em>every</em> row with entries then has the residual of its
 * normal equations evaluated at the returned factor, without forming the matrix ({@link RowResiduals}: O(nnz·k +
 * rows·k²), about one evaluation of the training loss),
 * <pre>
 *   A x − b = [G x] + Σ_i w_i (y_i·x) y_i + λ n x − Σ_i t_i y_i       (w, t, n: explicit 1, r, n; implicit α|r|,
 *                                                                       (1 + αr)[r &gt; 0], n⁺; G only if implicit)
 *   relative residual = ‖A x − b‖ / (‖G‖_F ‖x‖ + Σ_i w_i ‖y_i‖² ‖x‖ + λ n ‖x‖ + ‖b‖)
 * </pre>
 * and fails it above {@link #TOLERANCE}. A correct solve rounded to float scores 1e-9 … 1e-8; a wrong row scores
 * orders of magnitude more. So any row whose residual exceeds the tolerance is found, wherever it is (an earlier
 * version checked 64 sampled rows and missed a single wrong row of a large matrix almost always). CG (an approximate
 * solve: the CPU's {@code CgRow}, the GPU's {@code cg_rows}) has no residual to test; it is checked instead by
 * re-solving a sample of rows ({@link #CG_SAMPLE}, drawn without replacement, the longest always among them; every row
 * when there are no more) with the CPU engine's own CG from the same warm starts (through
 * {@code encore.cpu.ReferenceRowSolver}): re-solving every row would be the CPU solve itself. G (implicit) is the
 * engine's own YᵀY, itself checked first with a random probe vector (Freivalds): ‖G v − Yᵀ(Y v)‖ against ‖Y‖²_F ‖v‖,
 * which costs two passes over Y instead of |Y|·k². Samples and probes are seeded, so a run is reproducible. (NNLS, the
 * CPU's {@code NnlsRow}, has no GPU kernel: the GPU backend never runs it.) Measured detection rates:
 * {@code docs/reliability.md}, "Checked GPU fallback: detection power".
 */
final class SpotCheck {
    /** Rows re-solved by the CPU's CG per CG half-iteration (every row when there are no more). */
    static final int CG_SAMPLE = 256;
    /** Largest relative residual accepted (float rounding of a correct solve gives 1e-9 … 1e-8). */
    static final double TOLERANCE = 1e-6;
    /** Largest relative difference from the CPU engine's CG (both double; only the summation order differs). */
    static final double CG_TOLERANCE = 1e-5;
    /** Largest relative Gram error accepted (the Gram is double: ~1e-15 expected). */
    static final double GRAM_TOLERANCE = 1e-9;

    /**
     * An engine's solution of one half-iteration, as the check reads it.
     *
     * @param ratings dst × src ratings
     * @param src     the fixed side's factors (row-major, rank {@code params.rank()})
     * @param dst     the engine's result
     * @param gram    the YᵀY the engine used (implicit), else null
     */
    record Solution(Csr ratings, float[] src, float[] dst, AlsParams params, double[] gram) {}

    /**
     * The rows a CG half-iteration is re-solved on, and their factors before the solve (the warm starts), taken
     * before the engine overwrites them.
     */
    record CgSample(int[] rows, float[] warm) {
        /** The sample of {@code ratings}' rows for {@code seed}, with their current factors in {@code dst}. */
        static CgSample of(Csr ratings, float[] dst, int k, long seed) {
            int[] rows = sample(ratings, seed);
            return new CgSample(rows, warmStarts(dst, rows, k));
        }
    }

    private SpotCheck() {}

    /**
     * The rows to re-solve (CG): the longest non-empty row, then distinct random non-empty rows (seeded),
     * {@link #CG_SAMPLE} in all, or every non-empty row when there are no more.
     */
    static int[] sample(Csr ratings, long seed) {
        int[] rows = new int[ratings.rows()];
        int n = 0;
        int longest = -1;
        for (int r = 0; r < ratings.rows(); r++) {
            int len = ratings.rowLength(r);
            if (len > 0) {
                if (longest < 0 || len > ratings.rowLength(rows[longest])) {
                    longest = n;
                }
                rows[n++] = r;
            }
        }
        if (n == 0) {
            return new int[0];
        }
        swap(rows, 0, longest);
        int size = Math.min(CG_SAMPLE, n);
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int s = 1; s < size; s++) {
            swap(rows, s, s + rng.nextInt(n - s)); // a partial Fisher–Yates shuffle: distinct rows
        }
        return Arrays.copyOf(rows, size);
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    /** The warm starts of {@code rows} (their current factors), for checking CG afterwards. */
    static float[] warmStarts(float[] dst, int[] rows, int k) {
        float[] w = new float[rows.length * k];
        for (int s = 0; s < rows.length; s++) {
            System.arraycopy(dst, rows[s] * k, w, s * k, k);
        }
        return w;
    }

    /** Null when an exact solve's half-iteration passes, else what failed (single-threaded). */
    static String check(Solution s, long seed) {
        return check(s, null, 1, seed);
    }

    /**
     * Null when the half-iteration passes, else what failed. With {@code cg} (a CG solve) the sampled rows are
     * re-solved by the CPU engine's own CG from their warm starts and compared within {@link #CG_TOLERANCE};
     * otherwise (exact solves) every row's normal-equation residual is checked, on {@code threads} threads.
     */
    static String check(Solution s, CgSample cg, int threads, long seed) {
        return check(s, cg, threads, seed, false);
    }

    /**
     * {@link #check(Solution, CgSample, int, long)}; with {@code gramGiven} the caller supplied YᵀY (of a fixed side of
     * which {@code s.src()} is only a part), so it is not probed against {@code s.src()}: the rows are still checked
     * against the Gram the engine reports it used (read back from the device).
     */
    static String check(Solution s, CgSample cg, int threads, long seed, boolean gramGiven) {
        Csr ratings = s.ratings();
        int k = s.params().rank();
        for (int r = 0; r < ratings.rows(); r++) {
            if (ratings.rowLength(r) > 0) {
                for (int d = r * k, e = d + k; d < e; d++) {
                    if (!Float.isFinite(s.dst()[d])) {
                        return "row " + r + " has a non-finite factor";
                    }
                }
            }
        }
        if (s.params().implicitPrefs()) {
            if (s.gram() == null || s.gram().length != k * k) {
                return "the engine returned no Gram matrix";
            }
            String g = gramGiven ? null : checkGram(s.src(), ratings.cols(), k, s.gram(), new SplittableRandom(seed));
            if (g != null) {
                return g;
            }
        }
        if (cg != null) {
            return checkAgainstCpu(s, cg.rows(), cg.warm());
        }
        RowResiduals.Failure f = new RowResiduals(s).firstAbove(TOLERANCE, threads);
        return f == null
                ? null
                : String.format(
                        Locale.ROOT,
                        "row %d (%d entries) fails the CPU check: relative residual %.3g > %.0e",
                        f.row(),
                        ratings.rowLength(f.row()),
                        f.residual(),
                        TOLERANCE);
    }

    /** The sampled rows re-solved by the CPU engine from their warm starts, compared with the engine's result. */
    private static String checkAgainstCpu(Solution sol, int[] rows, float[] warm) {
        Csr ratings = sol.ratings();
        float[] dst = sol.dst();
        int k = sol.params().rank();
        int[] ptr = new int[rows.length + 1];
        for (int s = 0; s < rows.length; s++) {
            ptr[s + 1] = ptr[s] + ratings.rowLength(rows[s]);
        }
        int[] col = new int[ptr[rows.length]];
        float[] val = new float[col.length];
        for (int s = 0; s < rows.length; s++) {
            System.arraycopy(ratings.colIdx(), ratings.rowStart(rows[s]), col, ptr[s], ratings.rowLength(rows[s]));
            System.arraycopy(ratings.values(), ratings.rowStart(rows[s]), val, ptr[s], ratings.rowLength(rows[s]));
        }
        Csr sub = new Csr(rows.length, ratings.cols(), ptr, col, val);
        float[] ref = warm.clone();
        int[] all = new int[rows.length];
        for (int s = 0; s < all.length; s++) {
            all[s] = s;
        }
        ReferenceRowSolver.solveRows(sub, all, sol.src(), ref, sol.gram(), sol.params());
        for (int s = 0; s < rows.length; s++) {
            double diff = 0;
            double norm = 0;
            for (int d = 0; d < k; d++) {
                double e = (double) dst[rows[s] * k + d] - ref[s * k + d];
                diff += e * e;
                norm += (double) ref[s * k + d] * ref[s * k + d];
            }
            double rel = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-30);
            if (!(rel <= CG_TOLERANCE)) {
                return String.format(
                        Locale.ROOT,
                        "row %d (%d entries) differs from the CPU engine's CG by %.3g " + "(relative) > %.0e",
                        rows[s],
                        ratings.rowLength(rows[s]),
                        rel,
                        CG_TOLERANCE);
            }
        }
        return null;
    }

    /** Freivalds' check of G = YᵀY with one random ±1 vector; null when it holds. */
    static String checkGram(float[] y, int rows, int k, double[] gram, SplittableRandom rng) {
        double[] v = new double[k];
        for (int d = 0; d < k; d++) {
            v[d] = rng.nextBoolean() ? 1 : -1;
        }
        double[] gtv = new double[k];
        double yNorm2 = 0;
        for (int r = 0; r < rows; r++) {
            int o = r * k;
            double s = 0;
            for (int d = 0; d < k; d++) {
                s += y[o + d] * v[d];
                yNorm2 += (double) y[o + d] * y[o + d];
            }
            for (int d = 0; d < k; d++) {
                gtv[d] += s * y[o + d];
            }
        }
        double err = 0;
        for (int a = 0; a < k; a++) {
            double s = 0;
            for (int c = 0; c < k; c++) {
                s += gram[a * k + c] * v[c];
            }
            err += (s - gtv[a]) * (s - gtv[a]);
        }
        double rel = Math.sqrt(err) / (yNorm2 * Math.sqrt(k) + Double.MIN_NORMAL);
        return rel <= GRAM_TOLERANCE
                ? null
                : String.format(Locale.ROOT, "the Gram matrix YᵀY fails the CPU check: relative error %.3g", rel);
    }
}
