package encore.cpu;

import encore.als.SingularSystemException;

/**
 * {@link RowStrategy#CG}: implicit-feedback conjugate gradient (as benfred/implicit's CPU solver), warm-started from
 * the row's current factor and never forming A:
 * <pre>
 * A·v = YᵀY v + λ n⁺ v + Σ_i α|r_i| (y_i·v) y_i
 * r = b − A x;  d = r
 * repeat cgSteps: a = rᵀr / dᵀAd;  x += a d;  r −= a Ad;  d = r + (r'ᵀr' / rᵀr) d   (stop when rᵀr &lt; 1e-20)
 * </pre>
 */
final class CgRow implements RowSolver {
    private final int k;
    private final double[] x;
    private final double[] r;
    private final double[] dir;
    private final double[] ap;
    private final double[] yv;

    CgRow(int k) {
        this.k = k;
        this.x = new double[k];
        this.r = new double[k];
        this.dir = new double[k];
        this.ap = new double[k];
        this.yv = new double[k];
    }

    @Override
    public void solve(int row, HalfStep step) {
        int s = step.ratings().rowStart(row);
        int e = step.ratings().rowEnd(row);
        float[] val = step.ratings().values();
        float[] dst = step.dst();
        int o = row * k;
        int npos = 0;
        for (int q = s; q < e; q++) {
            if (val[q] > 0) {
                npos++;
            }
        }
        double lambda = step.params().regParam() * npos;
        for (int d = 0; d < k; d++) {
            x[d] = dst[o + d];
        }
        residual(s, e, lambda, step);
        double rsOld = dot(r, r);
        System.arraycopy(r, 0, dir, 0, k);
        for (int it = 0; it < step.params().cgSteps() && rsOld >= 1e-20; it++) {
            timesA(s, e, lambda, step);
            double dAd = dot(dir, ap);
            if (!(dAd > 0)) {
                throw new SingularSystemException(row, e - s);
            }
            double a = rsOld / dAd;
            for (int d = 0; d < k; d++) {
                x[d] += a * dir[d];
                r[d] -= a * ap[d];
            }
            double rsNew = dot(r, r);
            double beta = rsNew / rsOld;
            for (int d = 0; d < k; d++) {
                dir[d] = r[d] + beta * dir[d];
            }
            rsOld = rsNew;
        }
        for (int d = 0; d < k; d++) {
            dst[o + d] = (float) x[d];
        }
    }

    /** r = b − A x for the row slice [s, e). */
    private void residual(int s, int e, double lambda, HalfStep step) {
        int[] col = step.ratings().colIdx();
        float[] val = step.ratings().values();
        float[] src = step.src();
        double alpha = step.params().alpha();
        symmetricTimes(step.gram(), x, r);
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
        symmetricTimes(step.gram(), dir, ap);
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

    /** out = G v for G symmetric given by its upper triangle (row-major k×k). */
    private void symmetricTimes(double[] g, double[] v, double[] out) {
        for (int i = 0; i < k; i++) {
            double sum = 0;
            for (int j = 0; j < i; j++) {
                sum += g[j * k + i] * v[j];
            }
            for (int j = i; j < k; j++) {
                sum += g[i * k + j] * v[j];
            }
            out[i] = sum;
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
