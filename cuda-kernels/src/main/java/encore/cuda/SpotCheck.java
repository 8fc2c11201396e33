package encore.cuda;

import encore.als.AlsParams;
import encore.data.Csr;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Checks an engine's half-iteration on the CPU in double, independently of how either engine builds or solves the
 * normal equations: for a sample of rows it evaluates the residual of the row's normal equations at the returned
 * factor, without forming the matrix,
 * <pre>
 *   A x − b = [G x] + Σ_i w_i (y_i·x) y_i + λ n x − Σ_i t_i y_i       (w, t, n: explicit 1, r, n; implicit α|r|,
 *                                                                       (1 + αr)[r &gt; 0], n⁺; G only if implicit)
 *   relative residual = ‖A x − b‖ / (‖G‖_F ‖x‖ + Σ_i w_i ‖y_i‖² ‖x‖ + λ n ‖x‖ + ‖b‖)
 * </pre>
 * and fails it above {@link #TOLERANCE}. A correct solve rounded to float scores 1e-9 … 1e-8; a wrong row scores
 * orders of magnitude more. G (implicit) is the engine's own YᵀY, itself checked first with a random probe vector
 * (Freivalds): ‖G v − Yᵀ(Y v)‖ against ‖Y‖²_F ‖v‖, which costs two passes over Y instead of |Y|·k². The sample is the
 * longest row plus {@link #SAMPLE} − 1 random non-empty rows (seeded, so a run is reproducible); every row with
 * entries is also scanned for non-finite values.
 */
final class SpotCheck {
    /** Rows re-checked per half-iteration. */
    static final int SAMPLE = 64;
    /** Largest relative residual accepted (float rounding of a correct solve gives 1e-9 … 1e-8). */
    static final double TOLERANCE = 1e-6;
    /** Largest relative Gram error accepted (the Gram is double: ~1e-15 expected). */
    static final double GRAM_TOLERANCE = 1e-9;

    private SpotCheck() {
    }

    /** Null when the half-iteration passes, else what failed. */
    static String check(Csr ratings, float[] src, float[] dst, AlsParams p, double[] gram, long seed) {
        int k = p.rank();
        for (int r = 0; r < ratings.rows(); r++) {
            if (ratings.rowLength(r) > 0) {
                for (int d = r * k, e = d + k; d < e; d++) {
                    if (!Float.isFinite(dst[d])) {
                        return "row " + r + " has a non-finite factor";
                    }
                }
            }
        }
        if (p.implicitPrefs()) {
            if (gram == null || gram.length != k * k) {
                return "the engine returned no Gram matrix";
            }
            String g = checkGram(src, ratings.cols(), k, gram, new SplittableRandom(seed));
            if (g != null) {
                return g;
            }
        }
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
            return null;
        }
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        double[] ax = new double[k];
        int checks = Math.min(SAMPLE, nonEmpty);
        for (int s = 0; s < checks; s++) {
            int row = s == 0 ? longest : randomNonEmpty(ratings, rng);
            double rel = relativeResidual(ratings, row, src, dst, p, gram, ax);
            if (!(rel <= TOLERANCE)) {
                return String.format(Locale.ROOT, "row %d (%d entries) fails the CPU check: relative residual %.3g "
                    + "> %.0e", row, ratings.rowLength(row), rel, TOLERANCE);
            }
        }
        return null;
    }

    private static int randomNonEmpty(Csr m, SplittableRandom rng) {
        while (true) {
            int r = rng.nextInt(m.rows());
            if (m.rowLength(r) > 0) {
                return r;
            }
        }
    }

    /** The relative residual of row {@code row}'s normal equations at the factor in {@code dst}. */
    static double relativeResidual(Csr m, int row, float[] src, float[] dst, AlsParams p, double[] gram,
                                   double[] ax) {
        int k = p.rank();
        int xo = row * k;
        boolean implicit = p.implicitPrefs();
        double xNorm = 0;
        for (int d = 0; d < k; d++) {
            xNorm += (double) dst[xo + d] * dst[xo + d];
        }
        xNorm = Math.sqrt(xNorm);
        java.util.Arrays.fill(ax, 0);
        double scale = 0;
        if (implicit) {
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
        int[] col = m.colIdx();
        float[] val = m.values();
        int n = 0;
        double[] b = new double[k];
        for (int q = m.rowStart(row); q < m.rowEnd(row); q++) {
            int yo = col[q] * k;
            double r = val[q];
            double w;
            double t;
            if (implicit) {
                w = p.alpha() * Math.abs(r);
                t = r > 0 ? 1 + p.alpha() * r : 0;
                if (r > 0) {
                    n++;
                }
            } else {
                w = 1;
                t = r;
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
            scale += w * yy * xNorm;
        }
        double lambdaN = p.regParam() * n;
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
        return rel <= GRAM_TOLERANCE ? null
            : String.format(Locale.ROOT, "the Gram matrix YᵀY fails the CPU check: relative error %.3g", rel);
    }
}
