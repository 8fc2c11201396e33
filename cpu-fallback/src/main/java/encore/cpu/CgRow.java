package encore.cpu;

import encore.als.SingularSystemException;

import java.util.Arrays;

/**
 * {@link RowStrategy#CG}: implicit-feedback conjugate gradient (as benfred/implicit's CPU solver), warm-started from
 * the row's current factor and never forming A:
 * <pre>
 * A·v = YᵀY v + λ n⁺ v + Σ_i α|r_i| (y_i·v) y_i
 * r = b − A x;  d = r
 * repeat cgSteps: a = rᵀr / dᵀAd;  x += a d;  r −= a Ad;  d = r + (r'ᵀr' / rᵀr) d   (stop when rᵀr &lt; 1e-20)
 * </pre>
 *
 * <p>Memory traffic: each step reads the row's factors y_i again. A row of up to {@link #GATHER_LIMIT} values is
 * gathered once (widened to double, with its weights) into a buffer that stays in cache for the 1 + cgSteps passes,
 * instead of re-reading the y_i scattered over the fixed side's matrix (which does not fit in cache at Last.fm scale);
 * longer rows read them in place. YᵀY is mirrored into a full matrix once per half-iteration so G·v reads rows, not
 * columns. Every product and sum is the one the plain loops compute, in the same order: the results are bit-identical.
 */
final class CgRow implements RowSolver {
    /** What {@link #update} returns when A is not positive definite along the direction (r'ᵀr' is never negative). */
    static final double NOT_POSITIVE_DEFINITE = -1;

    /** The most factor values (entries × k) a row gathers: 512 KB of doubles, within a core's L2. */
    static final int GATHER_LIMIT = 1 << 16;

    private final int k;
    private final int gatherLimit;
    private final double[] x;
    private final double[] r;
    private final double[] dir;
    private final double[] ap;
    private final double[] yv;
    /** YᵀY as a full symmetric matrix, mirrored from {@link #mirroredFrom}'s upper triangle. */
    private final double[] gram;

    private double[] mirroredFrom;
    /** The gathered row: y_i widened to double, entry after entry, and c_i = α|r_i|. */
    private double[] ys = new double[0];

    private double[] cs = new double[0];
    /** The gathered row transposed (value d of entry t at d·n + t), so the n dot products y_t·v run as k axpys. */
    private double[] yt = new double[0];
    /** The n dot products y_t·v of the current pass. */
    private double[] dots = new double[0];

    private final FactorTouch touch = new FactorTouch();

    CgRow(int k) {
        this(k, GATHER_LIMIT);
    }

    /** With another gather limit (0: never gather), for tests of the in-place path. */
    CgRow(int k, int gatherLimit) {
        this.k = k;
        this.gatherLimit = gatherLimit;
        this.x = new double[k];
        this.r = new double[k];
        this.dir = new double[k];
        this.ap = new double[k];
        this.yv = new double[k];
        this.gram = new double[k * k];
    }

    @Override
    public void solve(int row, HalfStep step) {
        int s = step.ratings().rowStart(row);
        int e = step.ratings().rowEnd(row);
        float[] dst = step.dst();
        int o = row * k;
        double lambda = step.lambda(row);
        for (int d = 0; d < k; d++) {
            x[d] = dst[o + d];
        }
        mirror(step.gram());
        boolean gathered = (long) (e - s) * k <= gatherLimit;
        if (gathered) {
            gather(s, e, step);
            residualGathered(s, e, lambda, step);
        } else {
            residual(s, e, lambda, step);
        }
        double rsOld = dot(r, r, k);
        System.arraycopy(r, 0, dir, 0, k);
        for (int it = 0; it < step.params().cgSteps() && rsOld >= 1e-20; it++) {
            if (gathered) {
                timesAGathered(e - s, lambda);
            } else {
                timesA(s, e, lambda, step);
            }
            rsOld = update(x, r, dir, ap, k, rsOld);
            if (rsOld == NOT_POSITIVE_DEFINITE) {
                throw new SingularSystemException(row, e - s);
            }
        }
        for (int d = 0; d < k; d++) {
            dst[o + d] = (float) x[d];
        }
    }

    /** {@link #gram} = the full symmetric YᵀY of {@code upper} (upper triangle read), once per half-iteration. */
    private void mirror(double[] upper) {
        if (upper == mirroredFrom) {
            return;
        }
        DenseSolvers.symmetricCopy(upper, k, gram, k);
        mirroredFrom = upper;
    }

    /** Copies the row's factors (as doubles) and weights α|r| into {@link #ys} and {@link #cs}. */
    private void gather(int s, int e, HalfStep step) {
        int n = e - s;
        if (ys.length < n * k) {
            ys = new double[Math.max(n * k, Math.min(gatherLimit, 2 * ys.length))];
            yt = new double[ys.length];
            cs = new double[ys.length / k];
            dots = new double[ys.length / k];
        }
        int[] col = step.ratings().colIdx();
        float[] val = step.ratings().values();
        float[] src = step.src();
        double alpha = step.params().alpha();
        touch.lines(src, col, s, e, k);
        for (int t = 0; t < n; t++) {
            int so = col[s + t] * k;
            int yo = t * k;
            for (int d = 0; d < k; d++) {
                double y = src[so + d];
                ys[yo + d] = y;
                yt[d * n + t] = y;
            }
            cs[t] = alpha * Math.abs(val[s + t]);
        }
    }

    /**
     * dots[t] = y_t·v for the n gathered entries: {@link #timesColumns} of the transposed row, so each dots[t] still
     * sums y_t[d]·v[d] over d in order (bit-identical to a dot product per entry) while the inner loop vectorises.
     */
    private void dotsWith(double[] v, int n) {
        timesColumns(yt, n, v, dots);
    }

    /** {@link #residual} over the gathered row. */
    private void residualGathered(int s, int e, double lambda, HalfStep step) {
        float[] val = step.ratings().values();
        symmetricTimes(x, r);
        for (int d = 0; d < k; d++) {
            r[d] = -r[d] - lambda * x[d];
        }
        int n = e - s;
        dotsWith(x, n);
        for (int t = 0; t < n; t++) {
            int yo = t * k;
            double v = val[s + t];
            double c1 = cs[t];
            double coef = (v > 0 ? 1 + c1 : 0) - c1 * dots[t];
            for (int d = 0; d < k; d++) {
                r[d] += coef * ys[yo + d];
            }
        }
    }

    /** {@link #timesA} over the n gathered entries. */
    private void timesAGathered(int n, double lambda) {
        symmetricTimes(dir, ap);
        for (int d = 0; d < k; d++) {
            ap[d] += lambda * dir[d];
        }
        dotsWith(dir, n);
        for (int t = 0; t < n; t++) {
            double c1 = cs[t];
            if (c1 == 0) {
                continue;
            }
            int yo = t * k;
            double w = c1 * dots[t];
            for (int d = 0; d < k; d++) {
                ap[d] += w * ys[yo + d];
            }
        }
    }

    /** r = b − A x for the row slice [s, e), reading the factors in place (rows too long to gather). */
    private void residual(int s, int e, double lambda, HalfStep step) {
        int[] col = step.ratings().colIdx();
        float[] val = step.ratings().values();
        float[] src = step.src();
        double alpha = step.params().alpha();
        symmetricTimes(x, r);
        for (int d = 0; d < k; d++) {
            r[d] = -r[d] - lambda * x[d];
        }
        for (int q = s; q < e; q++) {
            int so = col[q] * k;
            double v = val[q];
            double c1 = alpha * Math.abs(v);
            double yx = 0;
            for (int d = 0; d < k; d++) {
                yv[d] = src[so + d];
                yx += yv[d] * x[d];
            }
            double coef = (v > 0 ? 1 + c1 : 0) - c1 * yx;
            for (int d = 0; d < k; d++) {
                r[d] += coef * yv[d];
            }
        }
    }

    /** ap = A · dir for the row slice [s, e). */
    private void timesA(int s, int e, double lambda, HalfStep step) {
        int[] col = step.ratings().colIdx();
        float[] val = step.ratings().values();
        float[] src = step.src();
        double alpha = step.params().alpha();
        symmetricTimes(dir, ap);
        for (int d = 0; d < k; d++) {
            ap[d] += lambda * dir[d];
        }
        for (int q = s; q < e; q++) {
            int so = col[q] * k;
            double c1 = alpha * Math.abs(val[q]);
            if (c1 == 0) {
                continue;
            }
            double yd = 0;
            for (int d = 0; d < k; d++) {
                yd += src[so + d] * dir[d];
            }
            double w = c1 * yd;
            for (int d = 0; d < k; d++) {
                ap[d] += w * src[so + d];
            }
        }
    }

    /**
     * out = G v, G = YᵀY mirrored ({@link #mirror}): {@link #timesColumns} of G, which is symmetric, so each out[i]
     * sums G[i][j]·v[j] over j in order, as the dot product of row i would.
     */
    private void symmetricTimes(double[] v, double[] out) {
        timesColumns(gram, k, v, out);
    }

    /**
     * out[0..n) = Σ_{d<k} m[d·n + ·] · v[d] for the k × n row-major m, as k axpys: out[t] sums m[d][t]·v[d] over d in
     * order, and the inner loop runs over t (contiguous, no reduction), so it vectorises.
     */
    private void timesColumns(double[] m, int n, double[] v, double[] out) {
        Arrays.fill(out, 0, n, 0.0);
        for (int d = 0; d < k; d++) {
            final double vd = v[d];
            final int o = d * n;
            for (int t = 0; t < n; t++) {
                out[t] += m[o + t] * vd;
            }
        }
    }

    /**
     * One CG step after ap = A·dir, over the first k values (shared with {@link VectorCgRow}):
     * <pre>
     *   a = rᵀr / dirᵀap;  x += a·dir;  r −= a·ap;  dir = r + (r'ᵀr' / rᵀr)·dir
     * </pre>
     *
     * @param rsOld rᵀr before the step
     * @return r'ᵀr' after it, or {@link #NOT_POSITIVE_DEFINITE} (nothing changed) when dirᵀap is not &gt; 0
     */
    static double update(double[] x, double[] r, double[] dir, double[] ap, int k, double rsOld) {
        double dAd = dot(dir, ap, k);
        if (!(dAd > 0)) {
            return NOT_POSITIVE_DEFINITE;
        }
        double a = rsOld / dAd;
        for (int d = 0; d < k; d++) {
            x[d] += a * dir[d];
            r[d] -= a * ap[d];
        }
        double rsNew = dot(r, r, k);
        double beta = rsNew / rsOld;
        for (int d = 0; d < k; d++) {
            dir[d] = r[d] + beta * dir[d];
        }
        return rsNew;
    }

    /** Σ_{i&lt;k} a_i b_i, in order. */
    static double dot(double[] a, double[] b, int k) {
        double s = 0;
        for (int i = 0; i < k; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
