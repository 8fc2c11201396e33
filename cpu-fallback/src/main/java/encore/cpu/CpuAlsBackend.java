package encore.cpu;

import encore.als.spi.AlsBackend;
import encore.als.spi.AlsFit;
import encore.als.spi.HostFit;
import encore.als.AlsParams;
import encore.als.SingularSystemException;
import encore.matrix.Csr;
import encore.matrix.Factors;
import encore.internal.Parallel;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The multithreaded CPU ALS engine: Spark's per-row normal equations, accumulated in double, solved by Cholesky
 * (default), NNLS ({@code nonnegative}) or warm-started conjugate gradient (implicit, {@code solver=cg}).
 *
 * <pre>
 * explicit   A = Σ_i y_i y_iᵀ + λ·n·I                      b = Σ_i r_i y_i
 * implicit   A = YᵀY + Σ_i α|r_i| y_i y_iᵀ + λ·n⁺·I        b = Σ_{r_i>0} (1 + α r_i) y_i
 * </pre>
 * YᵀY is the Gram matrix of all src factors (rows without factors are zero), summed over fixed blocks of 4,096 rows
 * in block order so that it is bit-identical whatever the thread count. dst rows are split into chunks of about equal
 * work (entries + a per-row solve cost), taken by threads from a shared counter; every row is computed from its own
 * data alone, so the factors never depend on the thread count or the scheduling. Workspaces are per thread and reused:
 * the per-entry loop allocates nothing.
 */
final class CpuAlsBackend implements AlsBackend {
    private static final int GRAM_BLOCK = 4096;
    private final int threads;

    CpuAlsBackend(int threads) {
        this.threads = threads;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public AlsFit startFit(Csr userItems, Csr itemUsers, AlsFit.State initial, AlsParams params) {
        return new HostFit(userItems, itemUsers, initial, params, (ratings, src, dst) -> solve(ratings, src.data(),
            dst.data(), params));
    }

    @Override
    public Factors solveRows(Csr ratings, Factors src, Factors warmStart, AlsParams params) {
        int k = params.rank();
        if (src.rank() != k || src.rows() != ratings.cols()) {
            throw new IllegalArgumentException("src factors (" + src.rows() + " × " + src.rank() + ") do not match the "
                + ratings.rows() + " × " + ratings.cols() + " ratings at rank " + k);
        }
        if (warmStart != null && (warmStart.rank() != k || warmStart.rows() != ratings.rows())) {
            throw new IllegalArgumentException("warmStart has " + warmStart.rows() + " rows at rank "
                + warmStart.rank() + ", expected " + ratings.rows() + " at rank " + k);
        }
        float[] dst = warmStart == null ? new float[ratings.rows() * k] : warmStart.data().clone();
        solve(ratings, src.data(), dst, params);
        BitSet present = new BitSet(ratings.rows());
        for (int r = 0; r < ratings.rows(); r++) {
            if (ratings.rowLength(r) > 0) {
                present.set(r);
            } else {
                java.util.Arrays.fill(dst, r * k, (r + 1) * k, 0f);
            }
        }
        return Factors.wrap(dst, ratings.rows(), k, present);
    }

    /** One half-iteration over host arrays: every non-empty row of {@code ratings} written into {@code dst}. */
    void solve(Csr ratings, float[] src, float[] dst, AlsParams p) {
        int k = p.rank();
        if (src.length != (long) ratings.cols() * k || dst.length != (long) ratings.rows() * k) {
            throw new IllegalArgumentException("factor arrays do not match the " + ratings.rows() + " × "
                + ratings.cols() + " ratings at rank " + k);
        }
        double[] gram = p.implicitPrefs() ? gram(src, ratings.cols(), k, threads) : null;
        double[][] baseFactors = p.implicitPrefs() && p.solver() == AlsParams.Solver.CHOLESKY && !p.nonnegative()
            ? baseFactors(gram, k, p.regParam()) : null;
        int[] chunks = balancedChunks(ratings, k, threads * 8);
        int nChunks = chunks.length - 1;
        AtomicInteger next = new AtomicInteger();
        int workers = Math.min(threads, nChunks);
        Parallel.forEachUnchecked(workers, workers, w -> {
            RowSolver rs = new RowSolver(k);
            for (int c = next.getAndIncrement(); c < nChunks; c = next.getAndIncrement()) {
                for (int r = chunks[c]; r < chunks[c + 1]; r++) {
                    if (ratings.rowLength(r) > 0) {
                        rs.solveRow(ratings, r, src, dst, gram, baseFactors, p);
                    }
                }
            }
        });
    }

    /** Rows with fewer confident entries than this share of the rank use the low-rank implicit update. */
    static int lowRankLimit(int k) {
        return k / 2;
    }

    /**
     * Cholesky factors U (B = UᵀU, upper, row-major, with Uᵀ mirrored into the strict lower triangle) of
     * B(n⁺) = YᵀY + λ·n⁺·I for n⁺ = 0 … {@link #lowRankLimit}, shared by every row of this half-iteration; null where
     * B(n⁺) is not positive definite.
     */
    static double[][] baseFactors(double[] gram, int k, double regParam) {
        int limit = lowRankLimit(k);
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

    /** YᵀY of the {@code n × k} factors, upper triangle, summed per fixed block then in block order. */
    static double[] gram(float[] y, int n, int k, int threads) {
        int blocks = (n + GRAM_BLOCK - 1) / GRAM_BLOCK;
        double[][] partial = new double[blocks][];
        Parallel.forEachUnchecked(threads, blocks, b -> {
            double[] g = new double[k * k];
            double[] v = new double[k];
            for (int r = b * GRAM_BLOCK, e = Math.min(n, r + GRAM_BLOCK); r < e; r++) {
                int o = r * k;
                for (int d = 0; d < k; d++) {
                    v[d] = y[o + d];
                }
                for (int i = 0; i < k; i++) {
                    double vi = v[i];
                    int row = i * k;
                    for (int j = i; j < k; j++) {
                        g[row + j] += vi * v[j];
                    }
                }
            }
            partial[b] = g;
        });
        double[] g = new double[k * k];
        for (double[] part : partial) {
            for (int i = 0; i < g.length; i++) {
                g[i] += part[i];
            }
        }
        return g;
    }

    /** Row boundaries of about {@code parts} chunks of equal cost (entries + k per row for the solve). */
    static int[] balancedChunks(Csr m, int k, int parts) {
        int rows = m.rows();
        long total = (long) m.nnz() + (long) rows * k;
        long target = Math.max(1, total / Math.max(1, parts));
        int[] out = new int[Math.max(2, parts + 2)];
        int n = 0;
        out[n++] = 0;
        long acc = 0;
        for (int r = 0; r < rows; r++) {
            acc += m.rowLength(r) + k;
            if (acc >= target && r + 1 < rows) {
                if (n == out.length) {
                    out = java.util.Arrays.copyOf(out, n * 2);
                }
                out[n++] = r + 1;
                acc = 0;
            }
        }
        if (n == out.length) {
            out = java.util.Arrays.copyOf(out, n + 1);
        }
        out[n++] = rows;
        return java.util.Arrays.copyOf(out, n);
    }

    /** Per-thread workspace and the per-row math. */
    static final class RowSolver {
        private final int k;
        private final NormalEquation ne;
        private final double[] nnlsWs;
        private final double[] x;
        private final double[] r;
        private final double[] dir;
        private final double[] ap;
        private final double[] yv;
        private final double[] dualY;
        private final double[] dualG;
        private final double[] dualR;
        private final double[] lowConf;

        RowSolver(int k) {
            this.k = k;
            this.ne = new NormalEquation(k);
            this.nnlsWs = DenseSolvers.nnlsWorkspace(k);
            this.x = new double[k];
            this.r = new double[k];
            this.dir = new double[k];
            this.ap = new double[k];
            this.yv = new double[k];
            this.dualY = new double[k * k];
            this.dualG = new double[k * k];
            this.dualR = new double[k];
            this.lowConf = new double[k];
        }

        void solveRow(Csr ratings, int row, float[] src, float[] dst, double[] gram, double[][] baseFactors,
                      AlsParams p) {
            int s = ratings.rowStart(row);
            int e = ratings.rowEnd(row);
            int[] col = ratings.colIdx();
            float[] val = ratings.values();
            if (p.implicitPrefs() && p.solver() == AlsParams.Solver.CG) {
                conjugateGradient(row, s, e, col, val, src, dst, gram, p);
                return;
            }
            if (!p.implicitPrefs() && !p.nonnegative() && e - s < k) {
                dualSolve(row, s, e, col, val, src, dst, p);
                return;
            }
            if (baseFactors != null && lowRankImplicit(row, s, e, col, val, src, dst, baseFactors, p)) {
                return;
            }
            ne.reset();
            int n;
            if (p.implicitPrefs()) {
                ne.addMatrix(gram);
                n = ne.addRatings(src, col, val, s, e, p.alpha());
            } else {
                n = ne.addRatings(src, col, val, s, e, -1);
            }
            ne.addToDiagonal(p.regParam() * n);
            double[] a = ne.a();
            double[] b = ne.b();
            int o = row * k;
            if (p.nonnegative()) {
                DenseSolvers.nnls(a, b, k, x, nnlsWs);
                for (int d = 0; d < k; d++) {
                    dst[o + d] = (float) x[d];
                }
            } else {
                if (!DenseSolvers.choleskySolve(a, b, k)) {
                    throw new SingularSystemException(row, e - s);
                }
                for (int d = 0; d < k; d++) {
                    dst[o + d] = (float) b[d];
                }
            }
        }

        /**
         * Explicit rows with fewer ratings than the rank (most items of a long-tail catalogue) are solved in the dual,
         * by the push-through identity
         * <pre>
         * x = (YᵀY + λI)⁻¹ Yᵀr = Yᵀ (YYᵀ + λI)⁻¹ r        Y = the row's n × k rated factors, λ = regParam · n
         * </pre>
         * an n × n Cholesky instead of a k × k one (at rank 128 and n = 2: ~10³ instead of ~4·10⁵ multiply-adds). The
         * solution is the same; only rounding differs (both in double). With λ = 0 the primal system of rank ≤ n &lt; k
         * is singular, which is reported as Spark reports it.
         */
        private void dualSolve(int row, int s, int e, int[] col, float[] val, float[] src, float[] dst, AlsParams p) {
            int n = e - s;
            double lambda = p.regParam() * n;
            if (!(lambda > 0)) {
                throw new SingularSystemException(row, n);
            }
            double[] y = dualY;
            for (int i = 0; i < n; i++) {
                int so = col[s + i] * k;
                int yo = i * k;
                for (int d = 0; d < k; d++) {
                    y[yo + d] = src[so + d];
                }
                dualR[i] = val[s + i];
            }
            double[] g = dualG;
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    double dot = 0;
                    for (int d = 0; d < k; d++) {
                        dot += y[i * k + d] * y[j * k + d];
                    }
                    g[i * n + j] = dot;
                }
                g[i * n + i] += lambda;
            }
            if (!DenseSolvers.choleskySolve(g, dualR, n)) {
                throw new SingularSystemException(row, n);
            }
            int o = row * k;
            for (int d = 0; d < k; d++) {
                double x = 0;
                for (int i = 0; i < n; i++) {
                    x += dualR[i] * y[i * k + d];
                }
                dst[o + d] = (float) x;
            }
        }

        /**
         * Implicit rows with few confident entries (m &lt; k/2 entries with c = α|r| &gt; 0) are solved by the
         * Woodbury identity around B = YᵀY + λn⁺I, whose Cholesky factor is shared by all rows with the same n⁺:
         * <pre>
         * A = B + UᵀCU   (U: the m × k rated factors, C = diag(c))      b = Uᵀw,  w_i = (1 + c_i)·[r_i &gt; 0]
         * x = A⁻¹b = B⁻¹Uᵀ M⁻¹ C⁻¹ w     with  M = C⁻¹ + U B⁻¹ Uᵀ (m × m)
         * B = RᵀR (R the shared upper factor):  W = R⁻ᵀUᵀ (k × m, m forward solves),  M = C⁻¹ + WᵀW,
         * x = R⁻¹ (W M⁻¹ C⁻¹ w)  (one backward solve)
         * </pre>
         * about m·k²/2 + m²·k/2 work instead of m·k² / 2 + k³ / 6 (the k×k factorisation dominates at rank 64–128).
         *
         * @return false when the row does not qualify (too many entries, no usable factor): use the k×k system
         */
        private boolean lowRankImplicit(int row, int s, int e, int[] col, float[] val, float[] src, float[] dst,
                                        double[][] baseFactors, AlsParams p) {
            int limit = lowRankLimit(k);
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
            double[] u = baseFactors[npos];
            if (u == null || m == 0) {
                return false;
            }
            double alpha = p.alpha();
            double[] w = dualY;      // m × k, row j = W_j = U⁻ᵀ u_j
            double[] mm = dualG;     // m × m
            double[] v = dualR;      // m
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
                lowConf[j] = c;
                j++;
            }
            // M = C⁻¹ + U_m B⁻¹ U_mᵀ = C⁻¹ + WᵀW (upper triangle)
            for (int a = 0; a < m; a++) {
                for (int b = a; b < m; b++) {
                    double dot = 0;
                    for (int d = 0; d < k; d++) {
                        dot += w[a * k + d] * w[b * k + d];
                    }
                    mm[a * m + b] = dot;
                }
                mm[a * m + a] += 1 / lowConf[a];
            }
            if (!DenseSolvers.choleskySolve(mm, v, m)) {
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
            int o = row * k;
            for (int d = 0; d < k; d++) {
                dst[o + d] = (float) r[d];
            }
            return true;
        }

        /**
         * Implicit-feedback CG (as benfred/implicit's CPU solver), warm-started from the current factors and never
         * forming A:
         * <pre>
         * A·v = YᵀY v + λ n⁺ v + Σ_i α|r_i| (y_i·v) y_i
         * r = b − A x;  d = r
         * repeat cgSteps: a = rᵀr / dᵀAd;  x += a d;  r −= a Ad;  d = r + (r'ᵀr' / rᵀr) d   (stop when rᵀr &lt; 1e-20)
         * </pre>
         */
        private void conjugateGradient(int row, int s, int e, int[] col, float[] val, float[] src, float[] dst,
                                       double[] gram, AlsParams p) {
            int o = row * k;
            double alpha = p.alpha();
            int npos = 0;
            for (int q = s; q < e; q++) {
                if (val[q] > 0) {
                    npos++;
                }
            }
            double lambda = p.regParam() * npos;
            for (int d = 0; d < k; d++) {
                x[d] = dst[o + d];
            }
            // r = b - A x
            symmetricTimes(gram, x, r);
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
            double rsOld = dot(r, r);
            System.arraycopy(r, 0, dir, 0, k);
            for (int step = 0; step < p.cgSteps() && rsOld >= 1e-20; step++) {
                symmetricTimes(gram, dir, ap);
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

    @Override
    public void close() {
        // nothing native to release
    }
}
