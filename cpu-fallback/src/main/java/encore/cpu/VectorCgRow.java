package encore.cpu;

import encore.als.SingularSystemException;

import java.util.Arrays;

/**
 * {@link RowStrategy#CG} with the Java Vector API: the same warm-started conjugate gradient as {@link CgRow} (see there
 * for the iteration), its three products — G·v, the n dot products y_t·v (over the transposed chunk) and Σ_t w_t y_t —
 * as one register-tiled vector loop, {@link VectorDense#timesColumns}. Loaded only when {@link SimdKernels#available()}; agrees
 * with {@link CgRow} to rounding (fused multiply-adds).
 *
 * <p>The row's entries are gathered (widened to double, row-wise and transposed) in chunks of up to
 * {@link #chunkRows} entries; a row that fits in one chunk is gathered once for the residual and every step, a longer
 * one chunk by chunk on every pass. Vectors are padded to kp = k rounded up to whole vectors, the padding at zero.
 */
final class VectorCgRow implements RowSolver {
    private static final int LANES = VectorDense.LANES;

    private final int k;
    private final int kp;
    private final int chunkRows;
    private final double[] x;
    private final double[] r;
    private final double[] dir;
    private final double[] ap;
    /** YᵀY, full symmetric, kp × kp, mirrored from {@link #mirroredFrom}'s upper triangle. */
    private final double[] gram;

    private double[] mirroredFrom;
    /** The gathered chunk: entry t's factor at t·kp (row-wise) and at d·np + t (transposed, np = stride(m)). */
    private final double[] ys;

    private final double[] yt;
    /** α|r_t| and the right-hand-side weight [r_t &gt; 0]·(1 + α|r_t|) of the chunk's entries. */
    private final double[] cs;

    private final double[] targets;
    /** y_t·v of the chunk's entries, then the weights of the accumulation. */
    private final double[] dots;

    private final FactorTouch touch = new FactorTouch();

    VectorCgRow(int k) {
        this.k = k;
        this.kp = VectorDense.stride(k);
        this.chunkRows = Math.max(LANES, CgRow.GATHER_LIMIT / kp / LANES * LANES);
        this.x = new double[kp];
        this.r = new double[kp];
        this.dir = new double[kp];
        this.ap = new double[kp];
        this.gram = new double[kp * kp];
        this.ys = new double[chunkRows * kp];
        this.yt = new double[chunkRows * kp];
        this.cs = new double[chunkRows];
        this.targets = new double[chunkRows];
        this.dots = new double[chunkRows];
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
        boolean once = e - s <= chunkRows;
        if (once) {
            gather(s, e, step);
        }
        // r = b − A x
        VectorDense.timesColumns(gram, k, kp, x, r, false);
        for (int d = 0; d < k; d++) {
            r[d] = -r[d] - lambda * x[d];
        }
        for (int c = s; c < e; c += chunkRows) {
            int m = Math.min(chunkRows, e - c);
            if (!once) {
                gather(c, c + m, step);
            }
            int np = VectorDense.stride(m);
            VectorDense.timesColumns(yt, k, np, x, dots, false);
            for (int t = 0; t < m; t++) {
                dots[t] = targets[t] - cs[t] * dots[t];
            }
            VectorDense.timesColumns(ys, m, kp, dots, r, true);
        }
        double rsOld = CgRow.dot(r, r, k);
        System.arraycopy(r, 0, dir, 0, kp);
        for (int it = 0; it < step.params().cgSteps() && rsOld >= 1e-20; it++) {
            // ap = A · dir
            VectorDense.timesColumns(gram, k, kp, dir, ap, false);
            for (int d = 0; d < k; d++) {
                ap[d] += lambda * dir[d];
            }
            for (int c = s; c < e; c += chunkRows) {
                int m = Math.min(chunkRows, e - c);
                if (!once) {
                    gather(c, c + m, step);
                }
                int np = VectorDense.stride(m);
                VectorDense.timesColumns(yt, k, np, dir, dots, false);
                for (int t = 0; t < m; t++) {
                    dots[t] = cs[t] * dots[t];
                }
                VectorDense.timesColumns(ys, m, kp, dots, ap, true);
            }
            rsOld = CgRow.update(x, r, dir, ap, k, rsOld);
            if (rsOld == CgRow.NOT_POSITIVE_DEFINITE) {
                throw new SingularSystemException(row, e - s);
            }
        }
        for (int d = 0; d < k; d++) {
            dst[o + d] = (float) x[d];
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

    /** Entries [s, e) (at most {@link #chunkRows}) into the chunk buffers, their padding zeroed. */
    private void gather(int s, int e, HalfStep step) {
        int m = e - s;
        int np = VectorDense.stride(m);
        int[] col = step.ratings().colIdx();
        float[] val = step.ratings().values();
        float[] src = step.src();
        double alpha = step.params().alpha();
        touch.lines(src, col, s, e, k);
        for (int t = 0; t < m; t++) {
            int so = col[s + t] * k;
            java.util.Objects.checkFromIndexSize(so, k, src.length);
            int yo = t * kp;
            for (int d = 0; d < k; d++) {
                double y = src[so + d];
                ys[yo + d] = y;
                yt[d * np + t] = y;
            }
            cs[t] = NormalEquation.confidence(val[s + t], alpha);
            targets[t] = NormalEquation.target(val[s + t], alpha);
        }
        for (int d = 0; d < k; d++) {
            Arrays.fill(yt, d * np + m, d * np + np, 0.0);
        }
        for (int t = m; t < np; t++) {
            cs[t] = 0;
            targets[t] = 0;
        }
    }
}
