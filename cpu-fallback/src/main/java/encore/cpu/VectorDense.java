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
    /**
     * The double species: the widest, as the Vector API's other big user in a Spark executor, netlib's VectorBLAS
     * (MLlib's BLAS), takes it. Species of the same width are distinct classes (DoubleMaxVector, Double512Vector), and
     * the JIT's type profiles inside the JDK's shared vector methods are per JVM: with PREFERRED here, once MLlib had
     * run in a JVM those profiles were MLlib's, the stores of loop-carried vectors no longer compiled to vector
     * instructions, and the solves ran 12× slower (an implicit rank-64 fit after an MLlib ALS fit in the same JVM:
     * 22.6 s against 1.8 s; EncoreALS half-iterations 3–4× slower after MLlib on the same executors).
     */
    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_MAX;

    static final int LANES = SPECIES.length();
    /** Rows per panel of the blocked Cholesky (one register tile's height). */
    static final int PANEL = 8;
    /** The order from which {@link #choleskySolve} factorises by panels (right-looking, blocked). */
    static final int BLOCKED_FROM = 96;
    /**
     * Whether {@link #timesColumns4} takes 4 column vectors at a time (16 accumulators): with 512-bit vectors, where
     * the machine has 32 vector registers (AVX-512); else 2 (8 accumulators, as many registers as AVX2 has).
     */
    private static final boolean WIDE_TILE = SPECIES.vectorBitSize() >= 512;
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
     * @param panel  {@link #panelScratch}(stride) to factorise by panels (from order {@link #BLOCKED_FROM}, stride a
     *               multiple of 2 lanes and 8), or null for the left-looking form throughout
     * @return false when a pivot is ≤ 0 or not finite, or x is not finite (as {@link DenseSolvers#choleskySolve})
     */
    static boolean choleskySolve(double[] a, double[] b, int n, int stride, double[] inv, double[][] panel) {
        final int k = n;
        if (panel != null && k >= BLOCKED_FROM && stride % (2 * LANES) == 0 && stride % PANEL == 0) {
            double[] x = panel[0];
            double[] minus = panel[1];
            for (int p0 = 0; p0 < k; p0 += PANEL) {
                int p1 = Math.min(k, p0 + PANEL);
                if (!factorRows(a, stride, inv, p0, p1, p0)) {
                    return false;
                }
                if (p1 < k) {
                    // a_ij −= Σ_{p ∈ panel} u_pi u_pj for the trailing rows: the rank update with X = the panel's
                    // rows of U and X_c = −X (each product exactly u_pi · (−u_pj))
                    int len = (p1 - p0) * stride;
                    System.arraycopy(a, p0 * stride, x, 0, len);
                    for (int q = 0; q < len; q++) {
                        minus[q] = -x[q];
                    }
                    rankUpdate(a, stride, x, minus, p1 - p0, p1);
                }
            }
        } else if (!factorRows(a, stride, inv, 0, k, 0)) {
            return false;
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
     * Rows [from, to) of U, left-looking over the rows [pFrom, i) above each (the rows above pFrom already subtracted
     * from A by the trailing {@link #rankUpdate}s); false on a pivot that is ≤ 0 or not finite.
     */
    private static boolean factorRows(double[] a, int stride, double[] inv, int from, int to, int pFrom) {
        for (int i = from; i < to; i++) {
            final int ri = i * stride;
            int c = i / LANES * LANES;
            for (; c + 4 * LANES <= stride; c += 4 * LANES) {
                DoubleVector s0 = DoubleVector.fromArray(SPECIES, a, ri + c);
                DoubleVector s1 = DoubleVector.fromArray(SPECIES, a, ri + c + LANES);
                DoubleVector s2 = DoubleVector.fromArray(SPECIES, a, ri + c + 2 * LANES);
                DoubleVector s3 = DoubleVector.fromArray(SPECIES, a, ri + c + 3 * LANES);
                for (int p = pFrom, rp = pFrom * stride; p < i; p++, rp += stride) {
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
                for (int p = pFrom, rp = pFrom * stride; p < i; p++, rp += stride) {
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
        return true;
    }

    /**
     * A += Σ_{r&lt;m} X_r (X_c)_rᵀ over the upper tiles of the rows from {@code fromRow} (a multiple of 8), 8 rows × 2
     * vectors at a time (A kp × kp, X and X_c m × kp, row-major; kp a multiple of 2 lanes and of 8), the tile's 16
     * accumulators in registers across the m rows: each element sums its m terms in order, one fused multiply-add
     * each. The normal equations' build (X_c = c·X), YᵀY (X_c = X) and the blocked Cholesky's trailing update (X = a
     * panel of U, X_c = −X) are this product. Diagonal tiles also update some strict-lower elements, which nothing
     * reads.
     */
    static void rankUpdate(double[] a, int kp, double[] x, double[] xc, int m, int fromRow) {
        final int TILE_COLS = 2 * LANES;
        for (int ib = fromRow; ib < kp; ib += 8) {
            for (int jb = ib / TILE_COLS * TILE_COLS; jb < kp; jb += TILE_COLS) {
                int p0 = ib * kp + jb;
                DoubleVector a0 = DoubleVector.fromArray(SPECIES, a, p0);
                DoubleVector b0 = DoubleVector.fromArray(SPECIES, a, p0 + LANES);
                DoubleVector a1 = DoubleVector.fromArray(SPECIES, a, p0 + kp);
                DoubleVector b1 = DoubleVector.fromArray(SPECIES, a, p0 + kp + LANES);
                DoubleVector a2 = DoubleVector.fromArray(SPECIES, a, p0 + 2 * kp);
                DoubleVector b2 = DoubleVector.fromArray(SPECIES, a, p0 + 2 * kp + LANES);
                DoubleVector a3 = DoubleVector.fromArray(SPECIES, a, p0 + 3 * kp);
                DoubleVector b3 = DoubleVector.fromArray(SPECIES, a, p0 + 3 * kp + LANES);
                DoubleVector a4 = DoubleVector.fromArray(SPECIES, a, p0 + 4 * kp);
                DoubleVector b4 = DoubleVector.fromArray(SPECIES, a, p0 + 4 * kp + LANES);
                DoubleVector a5 = DoubleVector.fromArray(SPECIES, a, p0 + 5 * kp);
                DoubleVector b5 = DoubleVector.fromArray(SPECIES, a, p0 + 5 * kp + LANES);
                DoubleVector a6 = DoubleVector.fromArray(SPECIES, a, p0 + 6 * kp);
                DoubleVector b6 = DoubleVector.fromArray(SPECIES, a, p0 + 6 * kp + LANES);
                DoubleVector a7 = DoubleVector.fromArray(SPECIES, a, p0 + 7 * kp);
                DoubleVector b7 = DoubleVector.fromArray(SPECIES, a, p0 + 7 * kp + LANES);
                for (int r = 0, o = 0; r < m; r++, o += kp) {
                    DoubleVector v = DoubleVector.fromArray(SPECIES, xc, o + jb);
                    DoubleVector w = DoubleVector.fromArray(SPECIES, xc, o + jb + LANES);
                    int xi = o + ib;
                    DoubleVector e = DoubleVector.broadcast(SPECIES, x[xi]);
                    a0 = v.fma(e, a0);
                    b0 = w.fma(e, b0);
                    e = DoubleVector.broadcast(SPECIES, x[xi + 1]);
                    a1 = v.fma(e, a1);
                    b1 = w.fma(e, b1);
                    e = DoubleVector.broadcast(SPECIES, x[xi + 2]);
                    a2 = v.fma(e, a2);
                    b2 = w.fma(e, b2);
                    e = DoubleVector.broadcast(SPECIES, x[xi + 3]);
                    a3 = v.fma(e, a3);
                    b3 = w.fma(e, b3);
                    e = DoubleVector.broadcast(SPECIES, x[xi + 4]);
                    a4 = v.fma(e, a4);
                    b4 = w.fma(e, b4);
                    e = DoubleVector.broadcast(SPECIES, x[xi + 5]);
                    a5 = v.fma(e, a5);
                    b5 = w.fma(e, b5);
                    e = DoubleVector.broadcast(SPECIES, x[xi + 6]);
                    a6 = v.fma(e, a6);
                    b6 = w.fma(e, b6);
                    e = DoubleVector.broadcast(SPECIES, x[xi + 7]);
                    a7 = v.fma(e, a7);
                    b7 = w.fma(e, b7);
                }
                a0.intoArray(a, p0);
                b0.intoArray(a, p0 + LANES);
                a1.intoArray(a, p0 + kp);
                b1.intoArray(a, p0 + kp + LANES);
                a2.intoArray(a, p0 + 2 * kp);
                b2.intoArray(a, p0 + 2 * kp + LANES);
                a3.intoArray(a, p0 + 3 * kp);
                b3.intoArray(a, p0 + 3 * kp + LANES);
                a4.intoArray(a, p0 + 4 * kp);
                b4.intoArray(a, p0 + 4 * kp + LANES);
                a5.intoArray(a, p0 + 5 * kp);
                b5.intoArray(a, p0 + 5 * kp + LANES);
                a6.intoArray(a, p0 + 6 * kp);
                b6.intoArray(a, p0 + 6 * kp + LANES);
                a7.intoArray(a, p0 + 7 * kp);
                b7.intoArray(a, p0 + 7 * kp + LANES);
            }
        }
    }

    /**
     * The scratch {@link #choleskySolve} needs to factorise a stride-{@code stride} matrix by panels: a panel of U and
     * its negation.
     */
    static double[][] panelScratch(int stride) {
        return new double[][] {new double[PANEL * stride], new double[PANEL * stride]};
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
     * {@link #timesColumns} (without {@code add}) of four vectors at once: out_j = Σ_d v_j[d]·m_d for j &lt; 4, each
     * matrix vector loaded once for four fused multiply-adds — for G·v of four rows, where G streams from cache and
     * the loads bound the product (a tile of 4 column vectors × 4 rows with 32 vector registers, 2 × 4 with fewer).
     * Each output is summed exactly as {@link #timesColumns} sums it (same terms, same order, same fused
     * multiply-adds): bit for bit the same, whatever the other three vectors are.
     *
     * @param v   four vectors of at least {@code rows} values
     * @param out four vectors of at least {@code cols} values, overwritten
     */
    static void timesColumns4(double[] m, int rows, int cols, double[][] v, double[][] out) {
        double[] v0 = v[0];
        double[] v1 = v[1];
        double[] v2 = v[2];
        double[] v3 = v[3];
        int c = 0;
        if (WIDE_TILE) {
            for (; c + 4 * LANES <= cols; c += 4 * LANES) {
                timesColumns4Wide(m, rows, cols, c, v, out);
            }
        }
        for (; c + 2 * LANES <= cols; c += 2 * LANES) {
            DoubleVector a0 = DoubleVector.zero(SPECIES);
            DoubleVector a1 = a0;
            DoubleVector b0 = a0;
            DoubleVector b1 = a0;
            DoubleVector c0 = a0;
            DoubleVector c1 = a0;
            DoubleVector d0 = a0;
            DoubleVector d1 = a0;
            for (int d = 0, o = c; d < rows; d++, o += cols) {
                DoubleVector m0 = DoubleVector.fromArray(SPECIES, m, o);
                DoubleVector m1 = DoubleVector.fromArray(SPECIES, m, o + LANES);
                DoubleVector e = DoubleVector.broadcast(SPECIES, v0[d]);
                a0 = m0.fma(e, a0);
                a1 = m1.fma(e, a1);
                e = DoubleVector.broadcast(SPECIES, v1[d]);
                b0 = m0.fma(e, b0);
                b1 = m1.fma(e, b1);
                e = DoubleVector.broadcast(SPECIES, v2[d]);
                c0 = m0.fma(e, c0);
                c1 = m1.fma(e, c1);
                e = DoubleVector.broadcast(SPECIES, v3[d]);
                d0 = m0.fma(e, d0);
                d1 = m1.fma(e, d1);
            }
            a0.intoArray(out[0], c);
            a1.intoArray(out[0], c + LANES);
            b0.intoArray(out[1], c);
            b1.intoArray(out[1], c + LANES);
            c0.intoArray(out[2], c);
            c1.intoArray(out[2], c + LANES);
            d0.intoArray(out[3], c);
            d1.intoArray(out[3], c + LANES);
        }
        for (; c < cols; c += LANES) {
            DoubleVector a0 = DoubleVector.zero(SPECIES);
            DoubleVector b0 = a0;
            DoubleVector c0 = a0;
            DoubleVector d0 = a0;
            for (int d = 0, o = c; d < rows; d++, o += cols) {
                DoubleVector m0 = DoubleVector.fromArray(SPECIES, m, o);
                a0 = m0.fma(DoubleVector.broadcast(SPECIES, v0[d]), a0);
                b0 = m0.fma(DoubleVector.broadcast(SPECIES, v1[d]), b0);
                c0 = m0.fma(DoubleVector.broadcast(SPECIES, v2[d]), c0);
                d0 = m0.fma(DoubleVector.broadcast(SPECIES, v3[d]), d0);
            }
            a0.intoArray(out[0], c);
            b0.intoArray(out[1], c);
            c0.intoArray(out[2], c);
            d0.intoArray(out[3], c);
        }
    }

    /** Columns [c, c + 4 lanes) of {@link #timesColumns4}: 16 accumulators in registers. */
    private static void timesColumns4Wide(double[] m, int rows, int cols, int c, double[][] v, double[][] out) {
        double[] v0 = v[0];
        double[] v1 = v[1];
        double[] v2 = v[2];
        double[] v3 = v[3];
        DoubleVector a0 = DoubleVector.zero(SPECIES);
        DoubleVector a1 = a0;
        DoubleVector a2 = a0;
        DoubleVector a3 = a0;
        DoubleVector b0 = a0;
        DoubleVector b1 = a0;
        DoubleVector b2 = a0;
        DoubleVector b3 = a0;
        DoubleVector c0 = a0;
        DoubleVector c1 = a0;
        DoubleVector c2 = a0;
        DoubleVector c3 = a0;
        DoubleVector d0 = a0;
        DoubleVector d1 = a0;
        DoubleVector d2 = a0;
        DoubleVector d3 = a0;
        for (int d = 0, o = c; d < rows; d++, o += cols) {
            DoubleVector m0 = DoubleVector.fromArray(SPECIES, m, o);
            DoubleVector m1 = DoubleVector.fromArray(SPECIES, m, o + LANES);
            DoubleVector m2 = DoubleVector.fromArray(SPECIES, m, o + 2 * LANES);
            DoubleVector m3 = DoubleVector.fromArray(SPECIES, m, o + 3 * LANES);
            DoubleVector e = DoubleVector.broadcast(SPECIES, v0[d]);
            a0 = m0.fma(e, a0);
            a1 = m1.fma(e, a1);
            a2 = m2.fma(e, a2);
            a3 = m3.fma(e, a3);
            e = DoubleVector.broadcast(SPECIES, v1[d]);
            b0 = m0.fma(e, b0);
            b1 = m1.fma(e, b1);
            b2 = m2.fma(e, b2);
            b3 = m3.fma(e, b3);
            e = DoubleVector.broadcast(SPECIES, v2[d]);
            c0 = m0.fma(e, c0);
            c1 = m1.fma(e, c1);
            c2 = m2.fma(e, c2);
            c3 = m3.fma(e, c3);
            e = DoubleVector.broadcast(SPECIES, v3[d]);
            d0 = m0.fma(e, d0);
            d1 = m1.fma(e, d1);
            d2 = m2.fma(e, d2);
            d3 = m3.fma(e, d3);
        }
        double[] o0 = out[0];
        double[] o1 = out[1];
        double[] o2 = out[2];
        double[] o3 = out[3];
        a0.intoArray(o0, c);
        a1.intoArray(o0, c + LANES);
        a2.intoArray(o0, c + 2 * LANES);
        a3.intoArray(o0, c + 3 * LANES);
        b0.intoArray(o1, c);
        b1.intoArray(o1, c + LANES);
        b2.intoArray(o1, c + 2 * LANES);
        b3.intoArray(o1, c + 3 * LANES);
        c0.intoArray(o2, c);
        c1.intoArray(o2, c + LANES);
        c2.intoArray(o2, c + 2 * LANES);
        c3.intoArray(o2, c + 3 * LANES);
        d0.intoArray(o3, c);
        d1.intoArray(o3, c + LANES);
        d2.intoArray(o3, c + 2 * LANES);
        d3.intoArray(o3, c + 3 * LANES);
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
