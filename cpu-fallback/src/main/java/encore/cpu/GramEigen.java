package encore.cpu;

/**
 * The symmetric eigendecomposition YᵀY = Q·diag(μ)·Qᵀ of a half-iteration's Gram matrix, computed once per
 * half-iteration, from which {@link VectorWoodburyRow} applies B⁻¹ = (YᵀY + λI)⁻¹ = Q·diag(1/(μ + λ))·Qᵀ for
 * <em>every</em> λ = regParam·n⁺ a row needs, by matrix-vector products alone (no triangular solve, whose chain of
 * dependent steps bounds the speed of the Cholesky form on short rows).
 *
 * <p>By the cyclic Jacobi method: sweeps over every pair p &lt; q, each rotation
 * <pre>
 *   θ = (a_qq − a_pp) / (2a_pq),  t = sgn θ / (|θ| + √(θ² + 1)),  c = 1/√(t² + 1),  s = t·c
 *   a_pp −= t·a_pq,  a_qq += t·a_pq,  a_pq = 0,  (a_rp, a_rq) ← (c·a_rp − s·a_rq, s·a_rp + c·a_rq)
 * </pre>
 * and the same rotation of Q's columns p and q, until a sweep finds every off-diagonal entry negligible
 * (|a_pq| ≤ ε·√|a_pp·a_qq|, or below ε² of the matrix's norm). Jacobi's eigenvalues are accurate relative to each
 * other's scale, and Q is orthogonal to rounding; about 3k³ multiply-adds per sweep, 6–10 sweeps — at rank 64 a few
 * milliseconds, against seconds of row solves. Deterministic: the same matrix gives the same bits on every run.
 *
 * <p>Layouts for {@link VectorDense}: Q row-major with stride {@link #stride} ({@code q[d·stride + i]} = component d of
 * eigenvector i) and its transpose, the columns past k zero.
 */
final class GramEigen {
    /** Sweeps before giving up (Jacobi converges quadratically; 6–10 sweeps in practice). */
    static final int MAX_SWEEPS = 60;

    private static final double EPS = 0x1p-53;

    private final int k;
    private final int stride;
    private final double[] q;
    private final double[] qt;
    private final double[] values;
    private final double scale;

    private GramEigen(int k, int stride, double[] q, double[] qt, double[] values, double scale) {
        this.k = k;
        this.stride = stride;
        this.q = q;
        this.qt = qt;
        this.values = values;
        this.scale = scale;
    }

    /**
     * The decomposition of the k × k symmetric {@code gram} (row-major, upper triangle read), or null when it holds a
     * value that is not finite or Jacobi does not converge in {@link #MAX_SWEEPS} sweeps (the rows then take the k × k
     * system).
     *
     * @param stride the row stride of the layouts, ≥ k ({@link VectorDense#stride}(k) for the vector kernels)
     */
    static GramEigen of(double[] gram, int k, int stride) {
        double[] a = new double[k * k];
        double norm = 0;
        for (int i = 0; i < k; i++) {
            for (int j = i; j < k; j++) {
                double g = gram[i * k + j];
                if (!Double.isFinite(g)) {
                    return null;
                }
                a[i * k + j] = g;
                a[j * k + i] = g;
                norm += (i == j ? 1 : 2) * g * g;
            }
        }
        double floor = EPS * EPS * Math.sqrt(norm);
        double[] vt = new double[k * k]; // Qᵀ: row i is eigenvector i, so that a rotation reads two rows
        for (int i = 0; i < k; i++) {
            vt[i * k + i] = 1;
        }
        boolean converged = false;
        for (int sweep = 0; sweep < MAX_SWEEPS && !converged; sweep++) {
            converged = true;
            for (int p = 0; p < k - 1; p++) {
                for (int r = p + 1; r < k; r++) {
                    if (rotate(a, vt, k, p, r, floor)) {
                        converged = false;
                    }
                }
            }
        }
        if (!converged) {
            return null;
        }
        double[] q = new double[k * stride];
        double[] qt = new double[k * stride];
        double[] values = new double[stride];
        double largest = 0;
        for (int i = 0; i < k; i++) {
            values[i] = a[i * k + i];
            largest = Math.max(largest, Math.abs(values[i]));
            for (int d = 0; d < k; d++) {
                q[d * stride + i] = vt[i * k + d];
                qt[i * stride + d] = vt[i * k + d];
            }
        }
        return new GramEigen(k, stride, q, qt, values, largest);
    }

    /**
     * One Jacobi rotation annihilating a_pr (the pair's second index named r here), unless it is negligible; Qᵀ's
     * rows p and r rotate with it.
     *
     * @return whether it rotated
     */
    private static boolean rotate(double[] a, double[] vt, int k, int p, int r, double floor) {
        double apr = a[p * k + r];
        double app = a[p * k + p];
        double arr = a[r * k + r];
        double off = Math.abs(apr);
        if (off <= floor || off <= EPS * Math.sqrt(Math.abs(app * arr))) {
            return false;
        }
        double theta = (arr - app) / (2 * apr);
        double t = Math.abs(theta) > 1e150
                ? 0.5 / theta
                : Math.copySign(1, theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        int op = p * k;
        int or = r * k;
        for (int i = 0; i < k; i++) { // rows p and r read in order (a is symmetric), columns p and r written too
            if (i == p || i == r) {
                continue;
            }
            double aip = a[op + i];
            double air = a[or + i];
            double np = c * aip - s * air;
            double nr = s * aip + c * air;
            a[op + i] = np;
            a[or + i] = nr;
            a[i * k + p] = np;
            a[i * k + r] = nr;
        }
        a[p * k + p] = app - t * apr;
        a[r * k + r] = arr + t * apr;
        a[p * k + r] = 0;
        a[r * k + p] = 0;
        for (int d = 0; d < k; d++) {
            double vp = vt[op + d];
            double vr = vt[or + d];
            vt[op + d] = c * vp - s * vr;
            vt[or + d] = s * vp + c * vr;
        }
        return true;
    }

    /** The row stride of {@link #q} and {@link #qt}. */
    int stride() {
        return stride;
    }

    /** Q, k × {@link #stride} row-major: {@code q[d·stride + i]} is component d of eigenvector i. */
    double[] q() {
        return q;
    }

    /** Qᵀ, k × {@link #stride} row-major: {@code qt[i·stride + d]} is component d of eigenvector i. */
    double[] qt() {
        return qt;
    }

    /** The eigenvalue of eigenvector i (entries past k are zero). */
    double value(int i) {
        return values[i];
    }

    /**
     * Writes 1/(μ_i + λ) into {@code out[i]} for i &lt; k (zero past k, up to the stride): the diagonal of B⁻¹ in the
     * eigenbasis.
     *
     * @return false when B = YᵀY + λI is not safely positive definite (some μ_i + λ ≤ k·ε·max|μ|, so its inverse
     *     would amplify rounding beyond what the k × k Cholesky accepts): the row then takes the k × k system
     */
    boolean inverseDiagonal(double lambda, double[] out) {
        double tiny = k * EPS * (scale + Math.abs(lambda));
        for (int i = 0; i < k; i++) {
            double d = values[i] + lambda;
            if (!(d > tiny)) {
                return false;
            }
            out[i] = 1 / d;
        }
        for (int i = k; i < stride; i++) {
            out[i] = 0;
        }
        return true;
    }
}
