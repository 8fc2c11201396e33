package encore.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense kernels of the vector row solvers (Java Vector API; loaded only when {@link SimdKernels#available()}), the
 * counterparts of {@link DenseSolvers}' scalar loops, agreeing with them to rounding.
 *
 * <p>Matrices are row-major with a row stride that is a multiple of {@link #LANES}, the columns from the order n up
 * to the stride held at zero (and b's entries past n), so that every vector load is whole and in bounds.
 */
final class VectorDense {
    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /** Floats with as many lanes as {@link #SPECIES} (half its width), widened to it by {@link #widen}. */
    static final VectorSpecies<Float> FLOATS =
            VectorSpecies.of(float.class, VectorShape.forBitSize(SPECIES.vectorBitSize() / 2));

    private VectorDense() {}

    /** {@link #LANES} floats of {@code a} from {@code offset}, widened to double (exactly). */
    static DoubleVector widen(float[] a, int offset) {
        return (DoubleVector) FloatVector.fromArray(FLOATS, a, offset).convertShape(VectorOperators.F2D, SPECIES, 0);
    }

    /** n rounded up to a whole number of vectors. */
    static int stride(int n) {
        return (n + LANES - 1) / LANES * LANES;
    }

    /**
     * Solves A x = b (A symmetric positive definite, n × n, upper triangle read) by Cholesky, in place: x into b, U
     * (A = UᵀU) into A's upper triangle, 1/u_ii into {@code inv}. Left-looking, by rows of U:
     * <pre>
     *   u_i· = (a_i· − Σ_{p&lt;i} u_pi · u_p·) / u_ii,   u_ii = sqrt(a_ii − Σ_{p&lt;i} u_pi²)
     * </pre>
     * the row's accumulators (up to four vectors) stay in registers across the p loop: one load and one FMA per
     * multiply-add, where the right-looking scalar form loads and stores the trailing matrix. Lanes left of the
     * diagonal compute garbage in the strict lower triangle; lanes never mix, so it reaches only lanes nothing
     * reads. Then Uᵀy = b (axpy form) and Ux = y (dot form), their vector parts starting at the first whole vector
     * right of the diagonal.
     *
     * @param stride the row stride of A, a multiple of {@link #LANES}, ≥ n; A's columns [n, stride) and b's entries
     *               [n, stride) must be zero
     * @return false when a pivot is ≤ 0 or not finite, or x is not finite (as {@link DenseSolvers#choleskySolve})
     */
    static boolean choleskySolve(double[] a, double[] b, int n, int stride, double[] inv) {
        final int k = n;
        for (int i = 0; i < k; i++) {
            final int ri = i * stride;
            int c = i / LANES * LANES;
            for (; c + 4 * LANES <= stride; c += 4 * LANES) {
                DoubleVector s0 = DoubleVector.fromArray(SPECIES, a, ri + c);
                DoubleVector s1 = DoubleVector.fromArray(SPECIES, a, ri + c + LANES);
                DoubleVector s2 = DoubleVector.fromArray(SPECIES, a, ri + c + 2 * LANES);
                DoubleVector s3 = DoubleVector.fromArray(SPECIES, a, ri + c + 3 * LANES);
                for (int p = 0, rp = 0; p < i; p++, rp += stride) {
                    DoubleVector u = DoubleVector.broadcast(SPECIES, -a[rp + i]);
                    s0 = DoubleVector.fromArray(SPECIES, a, rp + c).fma(u, s0);
                    s1 = DoubleVector.fromArray(SPECIES, a, rp + c + LANES).fma(u, s1);
                    s2 = DoubleVector.fromArray(SPECIES, a, rp + c + 2 * LANES).fma(u, s2);
                    s3 = DoubleVector.fromArray(SPECIES, a, rp + c + 3 * LANES).fma(u, s3);
                }
                s0.intoArray(a, ri + c);
                s1.intoArray(a, ri + c + LANES);
                s2.intoArray(a, ri + c + 2 * LANES);
                s3.intoArray(a, ri + c + 3 * LANES);
            }
            for (; c < stride; c += LANES) {
                DoubleVector s0 = DoubleVector.fromArray(SPECIES, a, ri + c);
                for (int p = 0, rp = 0; p < i; p++, rp += stride) {
                    DoubleVector u = DoubleVector.broadcast(SPECIES, -a[rp + i]);
                    s0 = DoubleVector.fromArray(SPECIES, a, rp + c).fma(u, s0);
                }
                s0.intoArray(a, ri + c);
            }
            final double pivot = a[ri + i];
            if (!(pivot > 0.0 && pivot < Double.POSITIVE_INFINITY)) {
                return false;
            }
            final double uii = Math.sqrt(pivot);
            final double r = 1.0 / uii;
            inv[i] = r;
            DoubleVector scale = DoubleVector.broadcast(SPECIES, r);
            for (c = i / LANES * LANES; c < stride; c += LANES) {
                DoubleVector.fromArray(SPECIES, a, ri + c).mul(scale).intoArray(a, ri + c);
            }
            a[ri + i] = uii;
        }
        // Uᵀ y = b: y_i = b_i / u_ii, then b_j −= u_ij · y_i for j > i.
        for (int i = 0; i < k; i++) {
            final int ri = i * stride;
            final double yi = b[i] * inv[i];
            b[i] = yi;
            int j = i + 1;
            int v = (j + LANES - 1) / LANES * LANES;
            for (; j < v && j < stride; j++) {
                b[j] -= a[ri + j] * yi;
            }
            DoubleVector y = DoubleVector.broadcast(SPECIES, -yi);
            for (; j < stride; j += LANES) {
                DoubleVector.fromArray(SPECIES, a, ri + j)
                        .fma(y, DoubleVector.fromArray(SPECIES, b, j))
                        .intoArray(b, j);
            }
        }
        // U x = y: x_i = (y_i − Σ_{j>i} u_ij x_j) / u_ii.
        for (int i = k - 1; i >= 0; i--) {
            final int ri = i * stride;
            double s = b[i];
            int j = i + 1;
            int v = (j + LANES - 1) / LANES * LANES;
            for (; j < v && j < stride; j++) {
                s -= a[ri + j] * b[j];
            }
            if (j < stride) {
                DoubleVector acc = DoubleVector.zero(SPECIES);
                for (; j < stride; j += LANES) {
                    acc = DoubleVector.fromArray(SPECIES, a, ri + j).fma(DoubleVector.fromArray(SPECIES, b, j), acc);
                }
                s -= acc.reduceLanes(VectorOperators.ADD);
            }
            final double xi = s / a[ri + i];
            if (!Double.isFinite(xi)) {
                return false;
            }
            b[i] = xi;
        }
        return true;
    }

    /**
     * Σ_d x[xo + d]·y[yo + d] over d &lt; len (a multiple of {@link #LANES}), lane-wise FMAs then one reduction.
     */
    static double dot(double[] x, int xo, double[] y, int yo, int len) {
        DoubleVector acc = DoubleVector.zero(SPECIES);
        for (int d = 0; d < len; d += LANES) {
            acc = DoubleVector.fromArray(SPECIES, x, xo + d).fma(DoubleVector.fromArray(SPECIES, y, yo + d), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * out[0 .. cols) = (out if {@code add}, else 0) + Σ_{d&lt;rows} v[d] · m[d·cols .. d·cols + cols) for the row-major
     * m (stride {@code cols}, a multiple of {@link #LANES}): a matrix-vector product by columns — G·v for a symmetric
     * G, the dot products of a transposed block of rows with v, or the combination Σ v_d m_d of a block of rows. Four
     * output vectors at a time stay in registers across the sum, which runs over d in order with one FMA per row.
     */
    static void timesColumns(double[] m, int rows, int cols, double[] v, double[] out, boolean add) {
        int c = 0;
        for (; c + 4 * LANES <= cols; c += 4 * LANES) {
            DoubleVector s0 = add ? DoubleVector.fromArray(SPECIES, out, c) : DoubleVector.zero(SPECIES);
            DoubleVector s1 = add ? DoubleVector.fromArray(SPECIES, out, c + LANES) : DoubleVector.zero(SPECIES);
            DoubleVector s2 = add ? DoubleVector.fromArray(SPECIES, out, c + 2 * LANES) : DoubleVector.zero(SPECIES);
            DoubleVector s3 = add ? DoubleVector.fromArray(SPECIES, out, c + 3 * LANES) : DoubleVector.zero(SPECIES);
            for (int d = 0, o = c; d < rows; d++, o += cols) {
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
            DoubleVector s0 = add ? DoubleVector.fromArray(SPECIES, out, c) : DoubleVector.zero(SPECIES);
            for (int d = 0, o = c; d < rows; d++, o += cols) {
                s0 = DoubleVector.fromArray(SPECIES, m, o).fma(DoubleVector.broadcast(SPECIES, v[d]), s0);
            }
            s0.intoArray(out, c);
        }
    }
}
