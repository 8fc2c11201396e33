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

    private final double[] x;
    private final double[] r;
    private final double[] dir;
    private final double[] ap;
    /** YᵀY, full symmetric, kp × kp, mirrored from {@link #mirroredFrom}'s upper triangle. */
    private final double[] gram;

    private double[] mirroredFrom;
    private final FactorTouch touch = new FactorTouch();

    VectorCgRow(int k) {
        this.k = k;
        this.kp = VectorDense.stride(k);
        this.whole = k / LANES * LANES;
        this.x = new double[kp];
        this.r = new double[kp];
        this.dir = new double[kp];
        this.ap = new double[kp];
        this.gram = new double[kp * kp];
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
        touch.lines(step.src(), step.ratings().colIdx(), s, e, k);
        // r = b − A x
        VectorDense.timesColumns(gram, k, kp, x, r, false);
        for (int d = 0; d < k; d++) {
            r[d] = -r[d] - lambda * x[d];
        }
        sweep(s, e, step, x, r, true);
        double rsOld = CgRow.dot(r, r, k);
        System.arraycopy(r, 0, dir, 0, kp);
        for (int it = 0; it < step.params().cgSteps() && rsOld >= 1e-20; it++) {
            // ap = A · dir
            VectorDense.timesColumns(gram, k, kp, dir, ap, false);
            for (int d = 0; d < k; d++) {
                ap[d] += lambda * dir[d];
            }
            sweep(s, e, step, dir, ap, false);
            rsOld = CgRow.update(x, r, dir, ap, k, rsOld);
            if (rsOld == CgRow.NOT_POSITIVE_DEFINITE) {
                throw new SingularSystemException(row, e - s);
            }
        }
        for (int d = 0; d < k; d++) {
            dst[o + d] = (float) x[d];
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
