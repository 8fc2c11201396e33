package encore.cuda;

import encore.als.AlsParams;
import encore.cpu.ReferenceRowSolver;
import encore.matrix.Csr;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Checks an engine's half-iteration on the CPU in double, independently of how either engine builds or solves the
 * normal equations (the row math is on {@link encore.als.AlsBackend}). For a sample of rows solved exactly (on the
 * CPU: {@code CholeskyRow}, {@code DualRow} or {@code WoodburyRow}; on the GPU: {@code solve_rows}, a Cholesky for
 * every row) it evaluates the residual of the row's normal equations at the returned factor, without forming the
 * matrix,
 * <pre>
 *   A x − b = [G x] + Σ_i w_i (y_i·x) y_i + λ n x − Σ_i t_i y_i       (w, t, n: explicit 1, r, n; implicit α|r|,
 *                                                                       (1 + αr)[r &gt; 0], n⁺; G only if implicit)
 *   relative residual = ‖A x − b‖ / (‖G‖_F ‖x‖ + Σ_i w_i ‖y_i‖² ‖x‖ + λ n ‖x‖ + ‖b‖)
 * </pre>
 * and fails it above {@link #TOLERANCE}. A correct solve rounded to float scores 1e-9 … 1e-8; a wrong row scores
 * orders of magnitude more. CG (an approximate solve: the CPU's {@code CgRow}, the GPU's {@code cg_rows}) is checked
 * instead by re-solving the sampled rows with the CPU engine's own CG from the same warm starts (through
 * {@code encore.cpu.ReferenceRowSolver}). G (implicit) is the engine's own YᵀY, itself checked first with a random probe
 * vector (Freivalds): ‖G v − Yᵀ(Y v)‖ against ‖Y‖²_F ‖v‖, which costs two passes over Y instead of |Y|·k². The sample
 * is the longest row plus {@link #SAMPLE} − 1 random non-empty rows (seeded, so a run is reproducible); every row with
 * entries is also scanned for non-finite values. (NNLS, the CPU's {@code NnlsRow}, has no GPU kernel: the GPU backend
 * never runs it.)
 */
final class SpotCheck {
    /** Rows re-checked per half-iteration. */
    static final int SAMPLE = 64;
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

    private SpotCheck() {}

    /** The rows to check: the longest non-empty row, then random non-empty rows (seeded), SAMPLE in all. */
    static int[] sample(Csr ratings, long seed) {
        int longest = -1;
        int nonEmpty = 0;
        for (int r = 0; r < ratings.rows(); r++) {
            int len = ratings.rowLength(r);
            if (len > 0) {
                nonEmpty++;
                if (longest < 0 || len > ratings.rowLength(longest)) {
                    longest = r;
                }
            }
        }
        if (longest < 0) {
            return new int[0];
        }
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int[] rows = new int[Math.min(SAMPLE, nonEmpty)];
        rows[0] = longest;
        for (int s = 1; s < rows.length; s++) {
            int r;
            do {
                r = rng.nextInt(ratings.rows());
            } while (ratings.rowLength(r) == 0);
            rows[s] = r;
        }
        return rows;
    }

    /** The warm starts of {@code rows} (their current factors), for checking CG afterwards. */
    static float[] warmStarts(float[] dst, int[] rows, int k) {
        float[] w = new float[rows.length * k];
        for (int s = 0; s < rows.length; s++) {
            System.arraycopy(dst, rows[s] * k, w, s * k, k);
        }
        return w;
    }

    /** Null when the half-iteration passes on a fresh sample, else what failed (exact solves). */
    static String check(Solution s, long seed) {
        return check(s, sample(s.ratings(), seed), null, seed);
    }

    /**
     * Null when the half-iteration passes, else what failed. With {@code warm} (CG: the sampled rows' factors before
     * the solve) the sampled rows are re-solved by the CPU engine's own CG from the same warm starts and compared
     * within {@link #CG_TOLERANCE}; otherwise (exact solves) their normal-equation residual is checked.
     */
    static String check(Solution s, int[] rows, float[] warm, long seed) {
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
            String g = checkGram(s.src(), ratings.cols(), k, s.gram(), new SplittableRandom(seed));
            if (g != null) {
                return g;
            }
        }
        if (warm != null) {
            return checkAgainstCpu(s, rows, warm);
        }
        double[] ax = new double[k];
        for (int row : rows) {
            double rel = relativeResidual(s, row, ax);
            if (!(rel <= TOLERANCE)) {
                return String.format(
                        Locale.ROOT,
                        "row %d (%d entries) fails the CPU check: relative residual %.3g " + "> %.0e",
                        row,
                        ratings.rowLength(row),
                        rel,
                        TOLERANCE);
            }
        }
        return null;
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

    /** The relative residual of row {@code row}'s normal equations at its factor in {@code sol.dst()}. */
    static double relativeResidual(Solution sol, int row, double[] ax) {
        int k = sol.params().rank();
        float[] dst = sol.dst();
        int xo = row * k;
        double xNorm = 0;
        for (int d = 0; d < k; d++) {
            xNorm += (double) dst[xo + d] * dst[xo + d];
        }
        xNorm = Math.sqrt(xNorm);
        java.util.Arrays.fill(ax, 0);
        double scale = 0;
        if (sol.params().implicitPrefs()) {
            double[] gram = sol.gram();
            double gNorm = 0;
            for (int a = 0; a < k; a++) {
                double s = 0;
                for (int c = 0; c < k; c++) {
                    s += gram[a * k + c] * dst[xo + c];
                    gNorm += gram[a * k + c] * gram[a * k + c];
                }
                ax[a] = s;
            }
            scale += Math.sqrt(gNorm) * xNorm;
        }
        double[] b = new double[k];
        double[] entryScale = {scale};
        int n = addEntries(sol, row, xNorm, ax, b, entryScale);
        scale = entryScale[0];
        double lambdaN = sol.params().regParam() * n;
        double res = 0;
        double bNorm = 0;
        for (int d = 0; d < k; d++) {
            double e = ax[d] + lambdaN * dst[xo + d] - b[d];
            res += e * e;
            bNorm += b[d] * b[d];
        }
        scale += lambdaN * xNorm + Math.sqrt(bNorm);
        return scale == 0 ? 0 : Math.sqrt(res) / scale;
    }

    /**
     * Adds the row's entries to A x ({@code ax}) and b, and each w_i ‖y_i‖² ‖x‖ to {@code scale[0]}; returns n
     * (explicit: the entries; implicit: those with r &gt; 0).
     */
    private static int addEntries(Solution sol, int row, double xNorm, double[] ax, double[] b, double[] scale) {
        Csr m = sol.ratings();
        AlsParams p = sol.params();
        float[] src = sol.src();
        float[] dst = sol.dst();
        int k = p.rank();
        int xo = row * k;
        boolean implicit = p.implicitPrefs();
        int[] col = m.colIdx();
        float[] val = m.values();
        int n = 0;
        for (int q = m.rowStart(row); q < m.rowEnd(row); q++) {
            int yo = col[q] * k;
            double r = val[q];
            double w = implicit ? p.alpha() * Math.abs(r) : 1;
            double t = implicit ? (r > 0 ? 1 + p.alpha() * r : 0) : r;
            if (!implicit || r > 0) {
                n++;
            }
            double dot = 0;
            double yy = 0;
            for (int d = 0; d < k; d++) {
                dot += (double) src[yo + d] * dst[xo + d];
                yy += (double) src[yo + d] * src[yo + d];
            }
            for (int d = 0; d < k; d++) {
                ax[d] += w * dot * src[yo + d];
                b[d] += t * src[yo + d];
            }
            scale[0] += w * yy * xNorm;
        }
        return n;
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
