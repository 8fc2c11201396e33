package encore.cpu;

import encore.als.SingularSystemException;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * {@link RowStrategy#CG} with the Java Vector API: the same warm-started conjugate gradient as {@link CgRow} (see there
 * for the iteration), its three products as register-tiled vector loops — G·v and the n dot products y_t·v as
 * {@link #timesColumns} (up to four output vectors held in registers across the sum), and Σ_t w_t y_t with the
 * k-vector accumulator in registers across the entries. Loaded only when {@link SimdKernels#available()}; agrees
 * with {@link CgRow} to rounding (fused multiply-adds).
 *
 * <p>The row's entries are gathered (widened to double, row-wise and transposed) in chunks of up to
 * {@link #chunkRows} entries; a row that fits in one chunk is gathered once for the residual and every step, a longer
 * one chunk by chunk on every pass. Vectors are padded to kp = k rounded up to whole vectors, the padding at zero.
 */
final class VectorCgRow implements RowSolver {
    private static final VectorSpecies<Double> SPECIES = VectorDense.SPECIES;
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
    /** What {@link FactorTouch#lines} read, kept so that its loads stay. */
    float touched;

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
        mirror(step.gram());
        boolean once = e - s <= chunkRows;
        if (once) {
            gather(s, e, step);
        }
        // r = b − A x
        timesColumns(gram, kp, x, r);
        for (int d = 0; d < k; d++) {
            r[d] = -r[d] - lambda * x[d];
        }
        for (int c = s; c < e; c += chunkRows) {
            int m = Math.min(chunkRows, e - c);
            if (!once) {
                gather(c, c + m, step);
            }
            int np = VectorDense.stride(m);
            timesColumns(yt, np, x, dots);
            for (int t = 0; t < m; t++) {
                dots[t] = targets[t] - cs[t] * dots[t];
            }
            accumulate(dots, m, r);
        }
        double rsOld = CgRow.dot(r, r, k);
        System.arraycopy(r, 0, dir, 0, kp);
        for (int it = 0; it < step.params().cgSteps() && rsOld >= 1e-20; it++) {
            // ap = A · dir
            timesColumns(gram, kp, dir, ap);
            for (int d = 0; d < k; d++) {
                ap[d] += lambda * dir[d];
            }
            for (int c = s; c < e; c += chunkRows) {
                int m = Math.min(chunkRows, e - c);
                if (!once) {
                    gather(c, c + m, step);
                }
                int np = VectorDense.stride(m);
                timesColumns(yt, np, dir, dots);
                for (int t = 0; t < m; t++) {
                    dots[t] = cs[t] * dots[t];
                }
                accumulate(dots, m, ap);
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
        CgRow.mirror(upper, k, gram, kp);
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
        touched += FactorTouch.lines(src, col, s, e, k);
        for (int t = 0; t < m; t++) {
            int so = col[s + t] * k;
            java.util.Objects.checkFromIndexSize(so, k, src.length);
            int yo = t * kp;
            for (int d = 0; d < k; d++) {
                double y = src[so + d];
                ys[yo + d] = y;
                yt[d * np + t] = y;
            }
            float v = val[s + t];
            double c1 = alpha * Math.abs(v);
            cs[t] = c1;
            targets[t] = v > 0 ? 1 + c1 : 0;
        }
        for (int d = 0; d < k; d++) {
            Arrays.fill(yt, d * np + m, d * np + np, 0.0);
        }
        for (int t = m; t < np; t++) {
            cs[t] = 0;
            targets[t] = 0;
        }
    }

    /**
     * out[0 .. cols) = Σ_{d&lt;k} m[d·cols + ·] · v[d] for the row-major m (stride {@code cols}, a multiple of the
     * lanes): G·v when m is the symmetric G, the dot products y_t·v when m is the transposed chunk. Four output
     * vectors at a time stay in registers across the sum over d.
     */
    private void timesColumns(double[] m, int cols, double[] v, double[] out) {
        final int k = this.k;
        int c = 0;
        for (; c + 4 * LANES <= cols; c += 4 * LANES) {
            DoubleVector s0 = DoubleVector.zero(SPECIES);
            DoubleVector s1 = s0;
            DoubleVector s2 = s0;
            DoubleVector s3 = s0;
            for (int d = 0, o = c; d < k; d++, o += cols) {
                DoubleVector vd = DoubleVector.broadcast(SPECIES, v[d]);
                s0 = DoubleVector.fromArray(SPECIES, m, o).fma(vd, s0);
                s1 = DoubleVector.fromArray(SPECIES, m, o + LANES).fma(vd, s1);
                s2 = DoubleVector.fromArray(SPECIES, m, o + 2 * LANES).fma(vd, s2);
                s3 = DoubleVector.fromArray(SPECIES, m, o + 3 * LANES).fma(vd, s3);
            }
            s0.intoArray(out, c);
            s1.intoArray(out, c + LANES);
            s2.intoArray(out, c + 2 * LANES);
            s3.intoArray(out, c + 3 * LANES);
        }
        for (; c < cols; c += LANES) {
            DoubleVector s0 = DoubleVector.zero(SPECIES);
            for (int d = 0, o = c; d < k; d++, o += cols) {
                s0 = DoubleVector.fromArray(SPECIES, m, o).fma(DoubleVector.broadcast(SPECIES, v[d]), s0);
            }
            s0.intoArray(out, c);
        }
    }

    /** out[0 .. kp) += Σ_{t&lt;m} w[t] · y_t, four vectors of out at a time in registers across the entries. */
    private void accumulate(double[] w, int m, double[] out) {
        final int kp = this.kp;
        int c = 0;
        for (; c + 4 * LANES <= kp; c += 4 * LANES) {
            DoubleVector s0 = DoubleVector.fromArray(SPECIES, out, c);
            DoubleVector s1 = DoubleVector.fromArray(SPECIES, out, c + LANES);
            DoubleVector s2 = DoubleVector.fromArray(SPECIES, out, c + 2 * LANES);
            DoubleVector s3 = DoubleVector.fromArray(SPECIES, out, c + 3 * LANES);
            for (int t = 0, o = c; t < m; t++, o += kp) {
                DoubleVector wt = DoubleVector.broadcast(SPECIES, w[t]);
                s0 = DoubleVector.fromArray(SPECIES, ys, o).fma(wt, s0);
                s1 = DoubleVector.fromArray(SPECIES, ys, o + LANES).fma(wt, s1);
                s2 = DoubleVector.fromArray(SPECIES, ys, o + 2 * LANES).fma(wt, s2);
                s3 = DoubleVector.fromArray(SPECIES, ys, o + 3 * LANES).fma(wt, s3);
            }
            s0.intoArray(out, c);
            s1.intoArray(out, c + LANES);
            s2.intoArray(out, c + 2 * LANES);
            s3.intoArray(out, c + 3 * LANES);
        }
        for (; c < kp; c += LANES) {
            DoubleVector s0 = DoubleVector.fromArray(SPECIES, out, c);
            for (int t = 0, o = c; t < m; t++, o += kp) {
                s0 = DoubleVector.fromArray(SPECIES, ys, o).fma(DoubleVector.broadcast(SPECIES, w[t]), s0);
            }
            s0.intoArray(out, c);
        }
    }
}
