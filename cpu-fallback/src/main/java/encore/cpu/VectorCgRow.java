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
 * <p>Each pass (the residual, then one per step) is G·v by {@link VectorDense#timesColumns4} (four rows at a time) and one sweep over the
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
    /** Rows per {@link #solve(int[], int, HalfStep)}: one pass over YᵀY for four G·v products. */
    static final int GROUP = 4;

    private final int k;
    private final int kp;
    /** k rounded down to whole vectors: the columns the entry sweep takes as vectors. */
    private final int whole;

    /** The rows solved together: up to {@link #GROUP}. */
    private final Lane[] lanes;
    /** The lanes' G·v inputs and outputs for {@link VectorDense#timesColumns4}; a missing row's are a scratch lane's. */
    private final double[][] gIn = new double[GROUP][];

    private final double[][] gOut = new double[GROUP][];
    /** Inputs and outputs of the group's missing rows: zero in, ignored out. */
    private final Lane idle;
    /** YᵀY, full symmetric, kp × kp, mirrored from {@link #mirroredFrom}'s upper triangle. */
    private final double[] gram;

    private double[] mirroredFrom;
    private final FactorTouch touch = new FactorTouch();
    /** The one row of {@link #solve(int, HalfStep)}. */
    private final int[] alone = new int[1];

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
        this.lanes = new Lane[GROUP];
        for (int j = 0; j < GROUP; j++) {
            lanes[j] = new Lane(kp);
        }
        this.idle = new Lane(kp);
        this.gram = new double[kp * kp];
    }

    @Override
    public void solve(int row, HalfStep step) {
        alone[0] = row;
        solve(alone, 1, step);
    }

    /**
     * Rows {@code rows[0 .. count)} (count ≤ {@link #GROUP}) solved together: their G·v products in one pass over YᵀY
     * ({@link VectorDense#timesColumns4}), everything else per row. Each row's factor is bit for bit what
     * {@link #solve(int, HalfStep)} gives it alone, so how rows are grouped changes nothing.
     *
     * @throws SingularSystemException for a row whose system is not positive definite along its direction
     */
    void solve(int[] rows, int count, HalfStep step) {
        if (count < 1 || count > GROUP) {
            throw new IllegalArgumentException("count must be in [1, " + GROUP + "]: " + count);
        }
        mirror(step.gram());
        for (int j = 0; j < count; j++) {
            start(lanes[j], rows[j], step);
        }
        // r = b − A x
        for (int j = 0; j < GROUP; j++) {
            Lane l = j < count ? lanes[j] : idle;
            gIn[j] = l.x;
            gOut[j] = l.r;
        }
        VectorDense.timesColumns4(gram, k, kp, gIn, gOut);
        for (int j = 0; j < count; j++) {
            residual(lanes[j], step);
        }
        for (int it = 0; it < step.params().cgSteps(); it++) {
            boolean any = false;
            // ap = A · dir (a converged row's product is computed and not used)
            for (int j = 0; j < GROUP; j++) {
                Lane l = j < count ? lanes[j] : idle;
                any |= j < count && l.active();
                gIn[j] = l.dir;
                gOut[j] = l.ap;
            }
            if (!any) {
                break;
            }
            VectorDense.timesColumns4(gram, k, kp, gIn, gOut);
            for (int j = 0; j < count; j++) {
                if (lanes[j].active()) {
                    step(lanes[j], step);
                }
            }
        }
        for (int j = 0; j < count; j++) {
            finish(lanes[j], step);
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
     * with c_t = 0 (a zero rating) add nothing either way and are skipped. The confident entries go two at a time:
     * both dot products first ({@link #dot}, four independent FMA chains between them), then one pass adding both
     * terms, out += w_t y_t then += w_u y_u in registers — the same fused multiply-adds in the same order as one entry
     * at a time, with half the loads and stores of {@code out}.
     */
    private void sweep(int s, int e, HalfStep step, double[] v, double[] out, boolean residual) {
        int[] col = step.ratings().colIdx();
        float[] val = step.ratings().values();
        float[] src = step.src();
        double alpha = step.params().alpha();
        int held = -1; // a confident entry waiting for its pair
        double heldC = 0;
        for (int q = s; q < e; q++) {
            double c = NormalEquation.confidence(val[q], alpha);
            if (c == 0) {
                continue;
            }
            if (held < 0) {
                held = q;
                heldC = c;
                continue;
            }
            int so = col[held] * k;
            int su = col[q] * k;
            Objects.checkFromIndexSize(so, k, src.length);
            Objects.checkFromIndexSize(su, k, src.length);
            double w = weight(val[held], alpha, heldC, dot(src, so, v), residual);
            double wu = weight(val[q], alpha, c, dot(src, su, v), residual);
            DoubleVector wv = DoubleVector.broadcast(VectorDense.SPECIES, w);
            DoubleVector wuv = DoubleVector.broadcast(VectorDense.SPECIES, wu);
            int d = 0;
            for (; d < whole; d += LANES) {
                VectorDense.widen(src, su + d)
                        .fma(
                                wuv,
                                VectorDense.widen(src, so + d)
                                        .fma(wv, DoubleVector.fromArray(VectorDense.SPECIES, out, d)))
                        .intoArray(out, d);
            }
            for (; d < k; d++) {
                out[d] += w * src[so + d];
                out[d] += wu * src[su + d];
            }
            held = -1;
        }
        if (held >= 0) {
            int so = col[held] * k;
            Objects.checkFromIndexSize(so, k, src.length);
            double w = weight(val[held], alpha, heldC, dot(src, so, v), residual);
            DoubleVector wv = DoubleVector.broadcast(VectorDense.SPECIES, w);
            int d = 0;
            for (; d < whole; d += LANES) {
                VectorDense.widen(src, so + d)
                        .fma(wv, DoubleVector.fromArray(VectorDense.SPECIES, out, d))
                        .intoArray(out, d);
            }
            for (; d < k; d++) {
                out[d] += w * src[so + d];
            }
        }
    }

    /** w_t of {@link #sweep} for an entry of confidence c: c·(y_t·v), or b_t − c·(y_t·v) for the residual. */
    private static double weight(float value, double alpha, double c, double dot, boolean residual) {
        return residual ? NormalEquation.target(value, alpha) - c * dot : c * dot;
    }

    /**
     * y·v for the factor row y = src[so, so + k) widened to double: the whole vectors in two FMA chains (even and odd
     * vectors, so that consecutive FMAs do not wait on each other), summed lane-wise and reduced, then the scalar
     * tail.
     */
    private double dot(float[] src, int so, double[] v) {
        DoubleVector even = DoubleVector.zero(VectorDense.SPECIES);
        DoubleVector odd = even;
        int d = 0;
        for (; d + 2 * LANES <= whole; d += 2 * LANES) {
            even = VectorDense.widen(src, so + d).fma(DoubleVector.fromArray(VectorDense.SPECIES, v, d), even);
            odd = VectorDense.widen(src, so + d + LANES)
                    .fma(DoubleVector.fromArray(VectorDense.SPECIES, v, d + LANES), odd);
        }
        if (d < whole) {
            even = VectorDense.widen(src, so + d).fma(DoubleVector.fromArray(VectorDense.SPECIES, v, d), even);
            d += LANES;
        }
        double dot = even.add(odd).reduceLanes(VectorOperators.ADD);
        for (; d < k; d++) {
            dot += src[so + d] * v[d];
        }
        return dot;
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
