package encore.cpu;

import jdk.incubator.vector.DoubleVector;

/**
 * {@link RowStrategy#WOODBURY} on the vector kernels: an implicit row with few confident entries (m ≤
 * {@link RowSolvers#vectorWoodburyMax}) solved by the Woodbury identity around B = YᵀY + λn⁺I, B⁻¹ applied through
 * the half-iteration's eigendecomposition YᵀY = Q·diag(μ)·Qᵀ ({@link GramEigen}), so that the whole solve is
 * matrix-vector products:
 * <pre>
 * A = B + UᵀCU   (U: the m × k rated factors, C = diag(c), c = α|r|)      b = Uᵀw,  w_j = (1 + c_j)·[r_j &gt; 0]
 * x = A⁻¹b = B⁻¹Uᵀ M⁻¹ C⁻¹ w     with  M = C⁻¹ + U B⁻¹ Uᵀ (m × m)
 * D = diag(1/(μ + λn⁺)):  S = QᵀUᵀ (k × m),  T = D·S,  M = C⁻¹ + TᵀS,  x = Q·(T·M⁻¹C⁻¹w)
 * </pre>
 * (m + 1)·k² + m²·k multiply-adds, each product a stream of independent vector FMAs over a matrix that stays in
 * cache — where {@link WoodburyRow}'s m + 1 triangular solves are chains of k dependent steps each, and the k × k
 * system costs m·k²/2 + k³/6 plus copying YᵀY. Rows go {@value #ROWS} at a time ({@link #add}, {@link #flush}): every
 * pass over Q or Qᵀ serves four vectors — four rated factors of the batch's rows, or the four rows' final products —
 * for the passes, not the multiply-adds, bound the speed (Q streams from cache: 2k² doubles per pass against k²
 * multiply-adds). {@link VectorDense#timesColumns4} sums each vector exactly as alone, so a row's factor is bit for
 * bit the same in any batch. The same system as the other exact solvers, so the same factor to rounding. A
 * row whose B is not safely positive definite ({@link GramEigen#inverseDiagonal}), whose M is not positive definite
 * or whose solution is not finite is solved by {@link VectorCholeskyRow}.
 */
final class VectorWoodburyRow implements RowSolver {
    /** Rows solved together. */
    static final int ROWS = 4;

    private final int k;
    private final int kp;
    private final int max;
    private final RowSolver fallback;
    /** The batch's rows, and where each one's entries start in the entry arrays (ROWS + 1 bounds). */
    private final int[] rows = new int[ROWS];

    private final int[] first = new int[ROWS + 1];
    private int batched;
    /** Whether each batched row is solved here (else by the fallback). */
    private final boolean[] ok = new boolean[ROWS];
    /** The rated factors u_j of the batch, widened (zero past k). */
    private final double[][] u;
    /** s_j = Qᵀu_j. */
    private final double[][] s;
    /** t_j = D·s_j. */
    private final double[][] t;
    /** C⁻¹w per entry. */
    private final double[] v;
    /** The confidences c_j. */
    private final double[] conf;
    /** Each row's D diagonal. */
    private final double[][] dinv = new double[ROWS][];
    /** Each row's T·M⁻¹C⁻¹w, then (x) Q·that. */
    private final double[][] y = new double[ROWS][];

    private final double[][] x = new double[ROWS][];
    /** M, m × m row-major (upper triangle). */
    private final double[] mm;
    /** One row's C⁻¹w, then M⁻¹C⁻¹w. */
    private final double[] rhs;
    /** Four vectors for a pass; a zero vector and a scratch output fill a group of fewer. */
    private final double[][] in4 = new double[4][];

    private final double[][] out4 = new double[4][];
    private final double[] zero;
    private final double[] scratch;

    /** @param fallback solves the rows this strategy declines */
    VectorWoodburyRow(int k, RowSolver fallback) {
        this.k = k;
        this.kp = VectorDense.stride(k);
        this.max = Math.max(1, RowSolvers.vectorWoodburyMax(k));
        this.fallback = fallback;
        int cap = ROWS * max;
        this.u = new double[cap][kp];
        this.s = new double[cap][kp];
        this.t = new double[cap][kp];
        this.v = new double[cap];
        this.conf = new double[cap];
        for (int r = 0; r < ROWS; r++) {
            dinv[r] = new double[kp];
            y[r] = new double[kp];
            x[r] = new double[kp];
        }
        this.mm = new double[max * max];
        this.rhs = new double[max];
        this.zero = new double[kp];
        this.scratch = new double[kp];
    }

    /** Solves row {@code row} now (a batch of one). */
    @Override
    public void solve(int row, HalfStep step) {
        add(row, step);
        flush(step);
    }

    /** Queues row {@code row}, solving the batch when it is full; {@link #flush} solves the rest. */
    void add(int row, HalfStep step) {
        rows[batched++] = row;
        if (batched == ROWS) {
            flush(step);
        }
    }

    /** Solves the queued rows (each written into {@code step.dst()}). */
    void flush(HalfStep step) {
        int n = batched;
        if (n == 0) {
            return;
        }
        batched = 0;
        WoodburyBase base = step.woodburyBase();
        GramEigen eigen = base == null ? null : base.eigen();
        if (eigen == null || eigen.stride() != kp) {
            for (int r = 0; r < n; r++) {
                fallback.solve(rows[r], step);
            }
            return;
        }
        int entries = gather(n, step, eigen);
        products(eigen.q(), u, s, entries);
        int solved = 0;
        for (int r = 0; r < n; r++) {
            if (ok[r] && smallSystem(r)) {
                in4[solved] = y[r];
                out4[solved] = x[r];
                solved++;
            } else {
                ok[r] = false;
            }
        }
        finalProducts(eigen.qt(), solved);
        float[] dst = step.dst();
        for (int r = 0; r < n; r++) {
            if (ok[r] && finite(x[r])) {
                int o = rows[r] * k;
                double[] xr = x[r];
                for (int d = 0; d < k; d++) {
                    dst[o + d] = (float) xr[d];
                }
            } else {
                fallback.solve(rows[r], step);
            }
        }
    }

    /**
     * Each batched row's confident entries (r ≠ 0) into u, c and v = C⁻¹w, and its D; a row with more than this
     * solver takes, or whose B is not safely positive definite, is marked for the fallback and holds no entries.
     *
     * @return the entries gathered
     */
    private int gather(int n, HalfStep step, GramEigen eigen) {
        int[] col = step.ratings().colIdx();
        float[] val = step.ratings().values();
        float[] src = step.src();
        double alpha = step.params().alpha();
        double regParam = step.params().regParam();
        int e = 0;
        for (int r = 0; r < n; r++) {
            first[r] = e;
            int row = rows[r];
            int positives = 0;
            boolean fits = true;
            for (int q = step.ratings().rowStart(row), end = step.ratings().rowEnd(row); q < end; q++) {
                float rating = val[q];
                if (rating == 0) {
                    continue;
                }
                if (e - first[r] == max) {
                    fits = false;
                    break;
                }
                double[] uj = u[e];
                int so = col[q] * k;
                for (int d = 0; d < k; d++) {
                    uj[d] = src[so + d];
                }
                double c = alpha * Math.abs(rating);
                conf[e] = c;
                v[e] = rating > 0 ? (1 + c) / c : 0;
                positives += rating > 0 ? 1 : 0;
                e++;
            }
            ok[r] = fits && e > first[r] && eigen.inverseDiagonal(regParam * positives, dinv[r]);
            if (!ok[r]) {
                e = first[r];
            }
        }
        first[n] = e;
        return e;
    }

    /** out_j = Q·in_j (Q the {@code kp}-stride matrix {@code m}) for j &lt; count, four per pass. */
    private void products(double[] m, double[][] in, double[][] out, int count) {
        int j = 0;
        for (; j + 4 <= count; j += 4) {
            for (int g = 0; g < 4; g++) {
                in4[g] = in[j + g];
                out4[g] = out[j + g];
            }
            VectorDense.timesColumns4(m, k, kp, in4, out4);
        }
        int rest = count - j;
        if (rest == 1) {
            VectorDense.timesColumns(m, k, kp, in[j], out[j], false);
        } else if (rest > 1) {
            for (int g = 0; g < 4; g++) {
                in4[g] = g < rest ? in[j + g] : zero;
                out4[g] = g < rest ? out[j + g] : scratch;
            }
            VectorDense.timesColumns4(m, k, kp, in4, out4);
        }
    }

    /** x_r = Q·y_r for the {@code solved} rows whose y and x are in {@link #in4} and {@link #out4}. */
    private void finalProducts(double[] qt, int solved) {
        if (solved == 1) {
            VectorDense.timesColumns(qt, k, kp, in4[0], out4[0], false);
        } else if (solved > 1) {
            for (int g = solved; g < 4; g++) {
                in4[g] = zero;
                out4[g] = scratch;
            }
            VectorDense.timesColumns4(qt, k, kp, in4, out4);
        }
    }

    /**
     * Row r's t_j = D·s_j, M = C⁻¹ + TᵀS, v ← M⁻¹v and y_r = Σ_j v_j·t_j = T·M⁻¹C⁻¹w.
     *
     * @return false when M is not positive definite
     */
    private boolean smallSystem(int r) {
        int from = first[r];
        int m = first[r + 1] - from;
        double[] d = dinv[r];
        for (int j = from; j < from + m; j++) {
            double[] sj = s[j];
            double[] tj = t[j];
            for (int i = 0; i < kp; i += VectorDense.LANES) {
                DoubleVector.fromArray(VectorDense.SPECIES, sj, i)
                        .mul(DoubleVector.fromArray(VectorDense.SPECIES, d, i))
                        .intoArray(tj, i);
            }
        }
        for (int a = 0; a < m; a++) {
            for (int b = a; b < m; b++) {
                mm[a * m + b] = VectorDense.dot(t[from + a], 0, s[from + b], 0, kp);
            }
            mm[a * m + a] += 1 / conf[from + a];
        }
        System.arraycopy(v, from, rhs, 0, m);
        if (!DenseSolvers.choleskySolve(mm, rhs, m)) {
            return false;
        }
        double[] yr = y[r];
        for (int i = 0; i < kp; i += VectorDense.LANES) {
            DoubleVector acc = DoubleVector.zero(VectorDense.SPECIES);
            for (int j = 0; j < m; j++) {
                acc = DoubleVector.fromArray(VectorDense.SPECIES, t[from + j], i)
                        .fma(DoubleVector.broadcast(VectorDense.SPECIES, rhs[j]), acc);
            }
            acc.intoArray(yr, i);
        }
        return true;
    }

    private static boolean finite(double[] x) {
        for (double value : x) {
            if (!Double.isFinite(value)) {
                return false;
            }
        }
        return true;
    }
}
