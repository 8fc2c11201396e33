package encore.cpu;

import encore.als.SingularSystemException;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;

import java.util.Objects;

/**
 * {@link RowStrategy#CG} with the Java Vector API: the same warm-started conjugate gradient as {@link CgRow} (see there
 * for the iteration). Loaded only when {@link SimdKernels#available()}; agrees with {@link CgRow} to rounding (fused
 * multiply-adds, another summation order of the dot products).
 *
 * <p>Each pass (the residual, then one per step) is G·v by {@link VectorDense#timesColumns} and one sweep over the
 * row's entries that reads each factor y_t in place, widened float → double in registers, once for both of its
 * products:
 * <pre>
 *   w_t = c_t · (y_t · v)            (residual: w_t = b_t − c_t · (y_t · x))
 *   out += w_t · y_t
 * </pre>
 * No copy of the row is made: a row's factors (n·k floats, 12.5 KB for 50 entries at rank 64) stay in L1/L2 from the
 * residual's sweep — started by {@link FactorTouch} so that its misses overlap — through the steps, where a gathered
 * double copy is twice the size and costs a scattered store per value to transpose. Vectors are padded to kp = k
 * rounded up to whole vectors, the padding at zero; a rank that is not a whole number of vectors sums its last
 * columns in scalar.
 */
final class VectorCgRow implements RowSolver {
    private static final int LANES = VectorDense.LANES;

    private final int k;
    private final int kp;
    /** k rounded down to whole vectors: the columns the entry sweep takes as vectors. */
    private final int whole;

    private final Lane one;
    private final Lane two;
    /** YᵀY, full symmetric, kp × kp, mirrored from {@link #mirroredFrom}'s upper triangle. */
    private final double[] gram;

    private double[] mirroredFrom;
    private final FactorTouch touch = new FactorTouch();

    /** One row's CG state (padded vectors; the padding stays zero). */
    private static final class Lane {
        final double[] x;
        final double[] r;
        final double[] dir;
        final double[] ap;
        int row;
        int s;
        int e;
        double lambda;
        double rsOld;

        Lane(int kp) {
            x = new double[kp];
            r = new double[kp];
            dir = new double[kp];
            ap = new double[kp];
        }

        boolean active() {
            return rsOld >= 1e-20;
        }
    }

    VectorCgRow(int k) {
        this.k = k;
        this.kp = VectorDense.stride(k);
        this.whole = k / LANES * LANES;
        this.one = new Lane(kp);
        this.two = new Lane(kp);
        this.gram = new double[kp * kp];
    }

    @Override
    public void solve(int row, HalfStep step) {
        solve(row, -1, step);
    }

    /**
     * Rows {@code a} and {@code b} (b = -1: row a alone) solved together: their G·v products in one pass over YᵀY
     * ({@link VectorDense#timesColumns2}), everything else per row. Each row's factor is bit for bit what
     * {@link #solve(int, HalfStep)} gives it alone, so how rows are paired changes nothing.
     *
     * @throws SingularSystemException for a row whose system is not positive definite along its direction
     */
    void solve(int a, int b, HalfStep step) {
        mirror(step.gram());
        start(one, a, step);
        boolean pair = b >= 0;
        if (pair) {
            start(two, b, step);
        }
        // r = b − A x
        if (pair) {
            VectorDense.timesColumns2(gram, k, kp, one.x, two.x, one.r, two.r);
        } else {
            VectorDense.timesColumns(gram, k, kp, one.x, one.r, false);
        }
        residual(one, step);
        if (pair) {
            residual(two, step);
        }
        for (int it = 0; it < step.params().cgSteps(); it++) {
            boolean ra = one.active();
            boolean rb = pair && two.active();
            if (!ra && !rb) {
                break;
            }
            // ap = A · dir
            if (ra && rb) {
                VectorDense.timesColumns2(gram, k, kp, one.dir, two.dir, one.ap, two.ap);
            } else {
                Lane l = ra ? one : two;
                VectorDense.timesColumns(gram, k, kp, l.dir, l.ap, false);
            }
            if (ra) {
                step(one, step);
            }
            if (rb) {
                step(two, step);
            }
        }
        finish(one, step);
        if (pair) {
            finish(two, step);
        }
    }

    /** The lane's row, bounds, λ and warm start; its factor rows' cache lines touched. */
    private void start(Lane l, int row, HalfStep step) {
        l.row = row;
        l.s = step.ratings().rowStart(row);
        l.e = step.ratings().rowEnd(row);
        l.lambda = step.lambda(row);
        float[] dst = step.dst();
        int o = row * k;
        for (int d = 0; d < k; d++) {
            l.x[d] = dst[o + d];
        }
        touch.lines(step.src(), step.ratings().colIdx(), l.s, l.e, k);
    }

    /** r = b − A x from r = YᵀY·x; then rᵀr and the first direction. */
    private void residual(Lane l, HalfStep step) {
        for (int d = 0; d < k; d++) {
            l.r[d] = -l.r[d] - l.lambda * l.x[d];
        }
        sweep(l.s, l.e, step, l.x, l.r, true);
        l.rsOld = CgRow.dot(l.r, l.r, k);
        System.arraycopy(l.r, 0, l.dir, 0, kp);
    }

    /** One CG step from ap = YᵀY·dir. */
    private void step(Lane l, HalfStep step) {
        for (int d = 0; d < k; d++) {
            l.ap[d] += l.lambda * l.dir[d];
        }
        sweep(l.s, l.e, step, l.dir, l.ap, false);
        l.rsOld = CgRow.update(l.x, l.r, l.dir, l.ap, k, l.rsOld);
        if (l.rsOld == CgRow.NOT_POSITIVE_DEFINITE) {
            throw new SingularSystemException(l.row, l.e - l.s);
        }
    }

    private void finish(Lane l, HalfStep step) {
        float[] dst = step.dst();
        int o = l.row * k;
        for (int d = 0; d < k; d++) {
            dst[o + d] = (float) l.x[d];
        }
    }

    /**
     * out += Σ_t w_t y_t over the entries [s, e), w_t = c_t (y_t·v), or b_t − c_t (y_t·v) for the residual; entries
     * with c_t = 0 (a zero rating) add nothing either way and are skipped.
     */
    private void sweep(int s, int e, HalfStep step, double[] v, double[] out, boolean residual) {
        int[] col = step.ratings().colIdx();
        float[] val = step.ratings().values();
        float[] src = step.src();
        double alpha = step.params().alpha();
        for (int q = s; q < e; q++) {
            double c = NormalEquation.confidence(val[q], alpha);
            if (c == 0) {
                continue;
            }
            int so = col[q] * k;
            Objects.checkFromIndexSize(so, k, src.length);
            DoubleVector acc = DoubleVector.zero(VectorDense.SPECIES);
            int d = 0;
            for (; d < whole; d += LANES) {
                acc = VectorDense.widen(src, so + d).fma(DoubleVector.fromArray(VectorDense.SPECIES, v, d), acc);
            }
            double dot = acc.reduceLanes(VectorOperators.ADD);
            for (; d < k; d++) {
                dot += src[so + d] * v[d];
            }
            double w = residual ? NormalEquation.target(val[q], alpha) - c * dot : c * dot;
            DoubleVector wv = DoubleVector.broadcast(VectorDense.SPECIES, w);
            for (d = 0; d < whole; d += LANES) {
                VectorDense.widen(src, so + d)
                        .fma(wv, DoubleVector.fromArray(VectorDense.SPECIES, out, d))
                        .intoArray(out, d);
            }
            for (; d < k; d++) {
                out[d] += w * src[so + d];
            }
        }
    }

    /** {@link #gram} = the full symmetric, padded YᵀY of {@code upper} (upper triangle read), once per half-step. */
    private void mirror(double[] upper) {
        if (upper == mirroredFrom) {
            return;
        }
        DenseSolvers.symmetricCopy(upper, k, gram, kp);
        mirroredFrom = upper;
    }
}
