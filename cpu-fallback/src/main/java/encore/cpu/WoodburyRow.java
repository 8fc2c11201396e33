package encore.cpu;

/**
 * {@link RowStrategy#WOODBURY} on the scalar kernels ({@link VectorWoodburyRow} is the vector form): an implicit row
 * with few confident entries (m &lt; k/2 entries with c = α|r| &gt; 0),
 * solved by the Woodbury identity around B = YᵀY + λn⁺I, whose Cholesky factor is shared by all rows with the same
 * n⁺ ({@link #baseFactors}):
 * <pre>
 * A = B + UᵀCU   (U: the m × k rated factors, C = diag(c))      b = Uᵀw,  w_i = (1 + c_i)·[r_i &gt; 0]
 * x = A⁻¹b = B⁻¹Uᵀ M⁻¹ C⁻¹ w     with  M = C⁻¹ + U B⁻¹ Uᵀ (m × m)
 * B = RᵀR (R the shared upper factor):  W = R⁻ᵀUᵀ (k × m, m forward solves),  M = C⁻¹ + WᵀW,
 * x = R⁻¹ (W M⁻¹ C⁻¹ w)  (one backward solve)
 * </pre>
 * about m·k²/2 + m²·k/2 work instead of m·k² / 2 + k³ / 6 (the k×k factorisation dominates at rank 64–128). A row
 * whose B has no factor (not positive definite) or whose M is not positive definite is solved by {@link CholeskyRow}.
 */
final class WoodburyRow implements RowSolver {
    private final int k;
    private final RowSolver fallback;
    /** W, m × k row-major: row j = R⁻ᵀ u_j. */
    private final double[] w;
    /** M = C⁻¹ + WᵀW, m × m row-major (upper triangle). */
    private final double[] mm;
    /** C⁻¹ w, then M⁻¹ C⁻¹ w (length m). */
    private final double[] v;
    /** The confidences c_j (length m). */
    private final double[] conf;
    /** One k-vector: a rated factor during the forward solves, then x. */
    private final double[] r;

    /** @param fallback solves the rows this strategy declines */
    WoodburyRow(int k, RowSolver fallback) {
        int limit = RowStrategy.woodburyLimit(k);
        this.k = k;
        this.fallback = fallback;
        this.w = new double[limit * k];
        this.mm = new double[limit * limit];
        this.v = new double[limit];
        this.conf = new double[limit];
        this.r = new double[k];
    }

    /**
     * Cholesky factors U (B = UᵀU, upper, row-major, with Uᵀ mirrored into the strict lower triangle) of
     * B(n⁺) = YᵀY + λ·n⁺·I for n⁺ = 0 … {@link RowStrategy#woodburyLimit} − 1, shared by every row of a half-iteration;
     * null where B(n⁺) is not positive definite.
     */
    static double[][] baseFactors(double[] gram, int k, double regParam) {
        int limit = RowStrategy.woodburyLimit(k);
        double[][] f = new double[limit][];
        for (int n = 0; n < limit; n++) {
            double[] b = new double[k * k];
            for (int i = 0; i < k; i++) {
                for (int j = i; j < k; j++) {
                    b[i * k + j] = gram[i * k + j];
                }
                b[i * k + i] += regParam * n;
            }
            if (DenseSolvers.choleskyFactor(b, k)) {
                DenseSolvers.mirrorFactor(b, k);
                f[n] = b;
            }
        }
        return f;
    }

    @Override
    public void solve(int row, HalfStep step) {
        if (!trySolve(row, step)) {
            fallback.solve(row, step);
        }
    }

    /** @return false when the row does not qualify (too many entries, no usable factor): use the k×k system */
    private boolean trySolve(int row, HalfStep step) {
        int s = step.ratings().rowStart(row);
        int e = step.ratings().rowEnd(row);
        float[] val = step.ratings().values();
        int limit = RowStrategy.woodburyLimit(k);
        int m = 0;
        int npos = 0;
        for (int q = s; q < e; q++) {
            if (val[q] != 0) {
                m++;
                if (m >= limit) {
                    return false;
                }
            }
            if (val[q] > 0) {
                npos++;
            }
        }
        double[][] factors =
                step.woodburyBase() == null ? null : step.woodburyBase().factors();
        double[] u = factors == null ? null : factors[npos];
        if (u == null || m == 0) {
            return false;
        }
        forwardSolves(u, s, e, step);
        if (!solveSmallSystem(m)) {
            return false;
        }
        // x = B⁻¹ U_mᵀ v = U⁻¹ (Σ_a W_a v_a): one backward solve
        for (int d = 0; d < k; d++) {
            double sum = 0;
            for (int a = 0; a < m; a++) {
                sum += w[a * k + d] * v[a];
            }
            r[d] = sum;
        }
        DenseSolvers.backwardSolveUpper(u, r, k);
        float[] dst = step.dst();
        int o = row * k;
        for (int d = 0; d < k; d++) {
            dst[o + d] = (float) r[d];
        }
        return true;
    }

    /** W_j = U⁻ᵀ u_j, v_j = C⁻¹ w_j and c_j for each confident entry j of the row slice [s, e). */
    private void forwardSolves(double[] u, int s, int e, HalfStep step) {
        int[] col = step.ratings().colIdx();
        float[] val = step.ratings().values();
        float[] src = step.src();
        double alpha = step.params().alpha();
        int j = 0;
        for (int q = s; q < e; q++) {
            if (val[q] == 0) {
                continue;
            }
            int so = col[q] * k;
            int wo = j * k;
            for (int d = 0; d < k; d++) {
                r[d] = src[so + d];
            }
            DenseSolvers.forwardSolveMirrored(u, r, k);
            System.arraycopy(r, 0, w, wo, k);
            double c = alpha * Math.abs(val[q]);
            v[j] = val[q] > 0 ? (1 + c) / c : 0; // C⁻¹ w
            conf[j] = c;
            j++;
        }
    }

    /** M = C⁻¹ + U_m B⁻¹ U_mᵀ = C⁻¹ + WᵀW (upper triangle), then v ← M⁻¹ v; false when M is not positive definite. */
    private boolean solveSmallSystem(int m) {
        for (int a = 0; a < m; a++) {
            for (int b = a; b < m; b++) {
                double dot = 0;
                for (int d = 0; d < k; d++) {
                    dot += w[a * k + d] * w[b * k + d];
                }
                mm[a * m + b] = dot;
            }
            mm[a * m + a] += 1 / conf[a];
        }
        return DenseSolvers.choleskySolve(mm, v, m);
    }
}
