package encore.cpu;

import java.util.Arrays;
import java.util.Objects;

/**
 * Accumulator for the normal equations of one ALS least-squares row, the counterpart of Spark's
 * {@code ALS.NormalEquation}.
 *
 * <p>For a dst entity u with observations (y_i, t_i, c_i) it builds
 * <pre>
 *   A = Σ_i c_i · y_i y_iᵀ      (k×k, symmetric positive semi-definite while every c_i ≥ 0)
 *   b = Σ_i t_i · y_i           (k)
 * </pre>
 * in float64, the y_i being float32 factor vectors. The row math itself is on {@link encore.als.AlsBackend}; the
 * engine builds it as follows (as in Spark, the right-hand side is <b>not</b> multiplied by c):
 * <ul>
 *   <li>explicit feedback: {@code add(y, r, 1)} for every rating, then {@code addToDiagonal(regParam · n_u)};</li>
 *   <li>implicit feedback: {@code addMatrix(YtY)}, then for every rating {@code add(y, p·(1 + c1), c1)} with
 *       c1 = α|r| and p = (r &gt; 0 ? 1 : 0), then {@code addToDiagonal(regParam · n_u⁺)}.</li>
 * </ul>
 * ({@link #addRatings} does the per-rating part four ratings at a time.)
 *
 * <h2>Storage</h2>
 * {@link #a()} is a full k×k row-major array, element (i, j) at {@code i*k + j}. For speed, {@link #add} and
 * {@link #merge} only maintain the <b>upper triangle</b> (j ≥ i, including the diagonal): a rank-1 update then costs
 * k(k+1)/2 multiply-adds instead of k². The strict lower triangle is stale until {@link #fill()} mirrors the upper
 * triangle into it. The solvers in {@link DenseSolvers} read only the upper triangle, so calling {@code fill()}
 * before a solve is not needed; call it when the full symmetric matrix is wanted (inspection, tests, a BLAS call
 * that reads the lower triangle).
 *
 * <p>Not thread-safe: use one instance per worker thread (it owns a k-double scratch array, so {@link #add} does
 * not allocate).
 */
public final class NormalEquation {
    private final int k;
    private final double[] ata;
    private final double[] atb;
    /** The current factor vector widened to double (Spark's {@code da}), so the k(k+1)/2 loop reads doubles. */
    private final double[] da;
    /** Four factor vectors widened to double, for the four-at-a-time updates of {@link #addRatings}. */
    private final double[] w0;

    private final double[] w1;
    private final double[] w2;
    private final double[] w3;

    /** An all-zero accumulator for rank {@code k} (≥ 1). */
    public NormalEquation(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        this.k = k;
        this.ata = new double[Math.multiplyExact(k, k)];
        this.atb = new double[k];
        this.da = new double[k];
        this.w0 = new double[k];
        this.w1 = new double[k];
        this.w2 = new double[k];
        this.w3 = new double[k];
    }

    /** The rank k. */
    public int k() {
        return k;
    }

    /**
     * The backing k×k row-major matrix A (not a copy). Only the upper triangle is current after {@link #add} and
     * {@link #merge}; it is fully symmetric after {@link #fill()}.
     */
    public double[] a() {
        return ata;
    }

    /** The backing right-hand side b (not a copy), length k. */
    public double[] b() {
        return atb;
    }

    /**
     * Adds one observation: with a = {@code factors[offset .. offset+k)},
     * <pre>
     *   A += c · a aᵀ      (upper triangle only; skipped when c == 0)
     *   b += target · a    (not multiplied by c, as in Spark)
     * </pre>
     *
     * @throws IllegalArgumentException  if c &lt; 0 or c is NaN
     * @throws IndexOutOfBoundsException if {@code [offset, offset+k)} is not inside {@code factors}
     */
    public void add(float[] factors, int offset, double target, double c) {
        if (!(c >= 0.0)) {
            throw new IllegalArgumentException("Encountered a negative (or NaN) weight c = " + c);
        }
        widen(factors, offset, da, target);
        final int k = this.k;
        final double[] a = this.da;
        final double[] m = this.ata;
        if (c != 0.0) {
            for (int i = 0; i < k; i++) {
                final double cai = c * a[i];
                final int row = i * k;
                for (int j = i; j < k; j++) {
                    m[row + j] += cai * a[j];
                }
            }
        }
    }

    /**
     * Adds every rating of a CSR row slice, q in [s, e), with a = {@code factors[cols[q]·k ..)}:
     * <pre>
     *   explicit (alpha &lt; 0):  A += a aᵀ,   b += r·a                                   (add(a, r, 1))
     *   implicit (alpha ≥ 0):  A += c·a aᵀ, b += p·(1 + c)·a,  c = alpha·|r|, p = [r &gt; 0]  (add(a, p(1 + c), c))
     * </pre>
     * Four ratings go into A in one pass over its upper triangle, {@code A_ij += Σ_{t<4} c_t a_ti a_tj}, so A is
     * loaded and stored once per four ratings instead of once per rating (at rank 10 that is most of the cost). The
     * sums are the same as {@link #add}'s up to rounding (summation order), and still depend only on the row.
     *
     * @return the number of ratings with r &gt; 0 (implicit) or e − s (explicit)
     */
    public int addRatings(float[] factors, int[] cols, float[] vals, int s, int e, double alpha) {
        final int k = this.k;
        int positive = 0;
        int q = s;
        for (; q + 4 <= e; q += 4) {
            widen(factors, cols[q] * k, w0, target(vals[q], alpha));
            widen(factors, cols[q + 1] * k, w1, target(vals[q + 1], alpha));
            widen(factors, cols[q + 2] * k, w2, target(vals[q + 2], alpha));
            widen(factors, cols[q + 3] * k, w3, target(vals[q + 3], alpha));
            addFour(
                    confidence(vals[q], alpha),
                    confidence(vals[q + 1], alpha),
                    confidence(vals[q + 2], alpha),
                    confidence(vals[q + 3], alpha));
        }
        for (; q < e; q++) {
            add(factors, cols[q] * k, target(vals[q], alpha), confidence(vals[q], alpha));
        }
        if (alpha < 0) {
            return e - s;
        }
        for (q = s; q < e; q++) {
            positive += vals[q] > 0 ? 1 : 0;
        }
        return positive;
    }

    /** The weight c of a rating in A: 1 (explicit, {@code alpha < 0}) or α|r| (implicit). */
    static double confidence(float r, double alpha) {
        return alpha < 0 ? 1 : alpha * Math.abs(r);
    }

    /** The weight of a rating in b: r (explicit, {@code alpha < 0}) or [r &gt; 0]·(1 + α|r|) (implicit). */
    static double target(float r, double alpha) {
        return alpha < 0 ? r : r > 0 ? 1 + alpha * r : 0;
    }

    /** w = {@code factors[offset .. offset+k)} as doubles; b += target · w. */
    private void widen(float[] factors, int offset, double[] w, double target) {
        Objects.checkFromIndexSize(offset, k, factors.length);
        final double[] v = atb;
        for (int i = 0; i < k; i++) {
            double x = factors[offset + i];
            w[i] = x;
            v[i] += target * x;
        }
    }

    /** A += Σ_t c_t w_t w_tᵀ over the four widened vectors, upper triangle, one pass. */
    private void addFour(double c0, double c1, double c2, double c3) {
        if (!(c0 >= 0.0 && c1 >= 0.0 && c2 >= 0.0 && c3 >= 0.0)) {
            throw new IllegalArgumentException("Encountered a negative (or NaN) weight");
        }
        final int k = this.k;
        final double[] m = ata;
        final double[] a0 = w0;
        final double[] a1 = w1;
        final double[] a2 = w2;
        final double[] a3 = w3;
        for (int i = 0; i < k; i++) {
            final double x0 = c0 * a0[i];
            final double x1 = c1 * a1[i];
            final double x2 = c2 * a2[i];
            final double x3 = c3 * a3[i];
            final int row = i * k;
            for (int j = i; j < k; j++) {
                m[row + j] += x0 * a0[j] + x1 * a1[j] + x2 * a2[j] + x3 * a3[j];
            }
        }
    }

    /** A += λ·I (λ is typically regParam · n, ALS-WR scaling). */
    public void addToDiagonal(double lambda) {
        final int step = k + 1;
        for (int d = 0; d < ata.length; d += step) {
            ata[d] += lambda;
        }
    }

    /**
     * A += m, element-wise over the whole k×k row-major array (for instance the implicit-mode Gram matrix YᵀY).
     * Only m's upper triangle matters to the solvers and to {@link #fill()}.
     *
     * @throws IllegalArgumentException if {@code m.length != k*k}
     */
    public void addMatrix(double[] m) {
        if (m.length != ata.length) {
            throw new IllegalArgumentException("matrix has " + m.length + " elements, expected " + ata.length);
        }
        for (int i = 0; i < ata.length; i++) {
            ata[i] += m[i];
        }
    }

    /**
     * A += other.A (upper triangle) and b += other.b.
     *
     * @throws IllegalArgumentException if {@code other.k() != k()}
     */
    public void merge(NormalEquation other) {
        if (other.k != k) {
            throw new IllegalArgumentException(
                    "cannot merge a rank-" + other.k + " equation into a rank-" + k + " one");
        }
        final double[] m = ata;
        final double[] o = other.ata;
        for (int i = 0; i < k; i++) {
            final int row = i * k;
            for (int j = i; j < k; j++) {
                m[row + j] += o[row + j];
            }
        }
        for (int i = 0; i < k; i++) {
            atb[i] += other.atb[i];
        }
    }

    /** Copies the upper triangle of A into the lower triangle, making {@link #a()} fully symmetric. */
    public void fill() {
        final double[] m = ata;
        for (int i = 1; i < k; i++) {
            final int row = i * k;
            for (int j = 0; j < i; j++) {
                m[row + j] = m[j * k + i];
            }
        }
    }

    /** Zeroes A and b. */
    public void reset() {
        Arrays.fill(ata, 0.0);
        Arrays.fill(atb, 0.0);
    }
}
