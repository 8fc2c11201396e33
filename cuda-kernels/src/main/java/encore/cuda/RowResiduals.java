package encore.cuda;

import encore.als.AlsParams;
import encore.internal.Parallel;
import encore.matrix.Csr;

/**
 * The relative residual of each row's normal equations at the factors an engine returned for one half-iteration
 * (formula in {@link SpotCheck}), for every non-empty row: the whole-matrix part of the check of an exact solve.
 *
 * <p>Cost: ‖y‖² of every src row and ‖G‖_F are computed once (O(src·k + k²)); then a row costs a dot product and two
 * axpys per entry plus, implicit, G x (k²): O(nnz·k + rows·k²) in all, the work of one evaluation of the training
 * loss, against O(nnz·k² + rows·k³) for solving the half-iteration (forming and factoring every row's k × k system).
 * Rows are independent, so the pass is split into fixed blocks of rows run on the fallback's threads; the answer (the
 * first failing row in row order) does not depend on the thread count.
 */
final class RowResiduals {
    /** Rows per parallel task. */
    private static final int BLOCK = 2048;

    private final SpotCheck.Solution sol;
    private final double[] srcNorm2;
    private final double gramNorm;

    RowResiduals(SpotCheck.Solution sol) {
        this.sol = sol;
        int k = sol.params().rank();
        float[] src = sol.src();
        int n = sol.ratings().cols();
        srcNorm2 = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int d = i * k, e = d + k; d < e; d++) {
                s += (double) src[d] * src[d];
            }
            srcNorm2[i] = s;
        }
        double g = 0;
        if (sol.params().implicitPrefs()) {
            for (double v : sol.gram()) {
                g += v * v;
            }
        }
        gramNorm = Math.sqrt(g);
    }

    /** A failing row and its relative residual. */
    record Failure(int row, double residual) {}

    /**
     * The first non-empty row (in row order) whose relative residual is not ≤ {@code tolerance} (NaN fails), or null.
     */
    Failure firstAbove(double tolerance, int threads) {
        int rows = sol.ratings().rows();
        int blocks = (rows + BLOCK - 1) / BLOCK;
        Failure[] found = new Failure[blocks];
        Parallel.forEachUnchecked(
                threads, blocks, b -> found[b] = firstAbove(b * BLOCK, Math.min(rows, (b + 1) * BLOCK), tolerance));
        for (Failure f : found) {
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    private Failure firstAbove(int from, int to, double tolerance) {
        int k = sol.params().rank();
        double[] ax = new double[k];
        double[] b = new double[k];
        for (int row = from; row < to; row++) {
            if (sol.ratings().rowLength(row) > 0) {
                double rel = of(row, ax, b);
                if (!(rel <= tolerance)) {
                    return new Failure(row, rel);
                }
            }
        }
        return null;
    }

    /** The relative residual of row {@code row}; {@code ax} and {@code b} are scratch space of length k. */
    double of(int row, double[] ax, double[] b) {
        AlsParams p = sol.params();
        int k = p.rank();
        float[] dst = sol.dst();
        int xo = row * k;
        double xNorm = 0;
        for (int d = 0; d < k; d++) {
            xNorm += (double) dst[xo + d] * dst[xo + d];
        }
        xNorm = Math.sqrt(xNorm);
        if (p.implicitPrefs()) {
            double[] gram = sol.gram();
            for (int a = 0; a < k; a++) {
                ax[a] = dot(gram, a * k, dst, xo, k);
            }
        } else {
            java.util.Arrays.fill(ax, 0);
        }
        java.util.Arrays.fill(b, 0);
        double wyy = addEntries(row, ax, b);
        double lambdaN = p.regParam() * counted(row);
        double res = 0;
        double bNorm = 0;
        for (int d = 0; d < k; d++) {
            double e = ax[d] + lambdaN * dst[xo + d] - b[d];
            res += e * e;
            bNorm += b[d] * b[d];
        }
        double scale = (gramNorm + wyy + lambdaN) * xNorm + Math.sqrt(bNorm);
        return scale == 0 ? 0 : Math.sqrt(res) / scale;
    }

    /**
     * Adds the row's entries to A x ({@code ax}: Σ w_i (y_i·x) y_i) and b (Σ t_i y_i); returns Σ w_i ‖y_i‖² (w, t:
     * explicit 1, r; implicit α|r|, (1 + αr)[r &gt; 0]).
     */
    private double addEntries(int row, double[] ax, double[] b) {
        Csr m = sol.ratings();
        AlsParams p = sol.params();
        float[] src = sol.src();
        float[] dst = sol.dst();
        int k = p.rank();
        int xo = row * k;
        boolean implicit = p.implicitPrefs();
        double alpha = p.alpha();
        int[] col = m.colIdx();
        float[] val = m.values();
        double wyy = 0;
        for (int q = m.rowStart(row), end = m.rowEnd(row); q < end; q++) {
            int yo = col[q] * k;
            double r = val[q];
            double w = implicit ? alpha * Math.abs(r) : 1;
            double t = implicit ? (r > 0 ? 1 + alpha * r : 0) : r;
            double wd = w * dot(src, yo, dst, xo, k);
            for (int d = 0; d < k; d++) {
                double y = src[yo + d];
                ax[d] += wd * y;
                b[d] += t * y;
            }
            wyy += w * srcNorm2[col[q]];
        }
        return wyy;
    }

    /** x·y in double, in four interleaved partial sums (a sequential sum would wait on each addition in turn). */
    private static double dot(float[] y, int yo, float[] x, int xo, int k) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int d = 0;
        for (; d + 3 < k; d += 4) {
            s0 += (double) y[yo + d] * x[xo + d];
            s1 += (double) y[yo + d + 1] * x[xo + d + 1];
            s2 += (double) y[yo + d + 2] * x[xo + d + 2];
            s3 += (double) y[yo + d + 3] * x[xo + d + 3];
        }
        for (; d < k; d++) {
            s0 += (double) y[yo + d] * x[xo + d];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {@link #dot(float[], int, float[], int, int)} of a row of the Gram with x. */
    private static double dot(double[] g, int go, float[] x, int xo, int k) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int d = 0;
        for (; d + 3 < k; d += 4) {
            s0 += g[go + d] * x[xo + d];
            s1 += g[go + d + 1] * x[xo + d + 1];
            s2 += g[go + d + 2] * x[xo + d + 2];
            s3 += g[go + d + 3] * x[xo + d + 3];
        }
        for (; d < k; d++) {
            s0 += g[go + d] * x[xo + d];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** n of the row's regularisation: explicit its entries, implicit those with r &gt; 0. */
    private int counted(int row) {
        Csr m = sol.ratings();
        if (!sol.params().implicitPrefs()) {
            return m.rowLength(row);
        }
        int n = 0;
        float[] val = m.values();
        for (int q = m.rowStart(row), end = m.rowEnd(row); q < end; q++) {
            if (val[q] > 0) {
                n++;
            }
        }
        return n;
    }
}
