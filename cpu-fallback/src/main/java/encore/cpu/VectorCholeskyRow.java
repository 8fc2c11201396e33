package encore.cpu;

import encore.als.AlsParams;
import encore.als.SingularSystemException;
import encore.matrix.Csr;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * {@link RowStrategy#CHOLESKY} with the Java Vector API: the same system as {@link CholeskyRow} (the row math on
 * {@link encore.als.AlsBackend}), built and solved with register-tiled SIMD loops. Loaded only when
 * {@link SimdKernels#available()}; {@link CholeskyRow} is the scalar path and agrees with this one to rounding.
 *
 * <h2>Layout</h2>
 * Everything is padded to a stride kp = k rounded up to two vectors (16 doubles on AVX-512), the padding held at zero:
 * A is kp × kp row-major (upper triangle current), b has kp entries, and a chunk of up to {@value #CHUNK} ratings is
 * gathered into X (the factors widened to double) and X_c (each row times its weight c), CHUNK × kp.
 *
 * <h2>Build: a blocked rank-m update</h2>
 * <pre>
 *   A_ij += Σ_r x_ri · (c_r x_rj)    over the tiles i ∈ [ib, ib+8), j ∈ [jb, jb + 2·lanes), jb ≥ ⌊ib⌋
 * </pre>
 * each tile's 16 accumulators held in registers for a whole chunk: per rating two vector loads of X_c, eight
 * broadcasts of X and sixteen fused multiply-adds (one rank-1 update per rating loaded and stored A once per rating
 * before). Every element still sums its ratings in the row's order, so the result depends on the row only; the
 * diagonal tiles also compute some strict-lower elements, which nothing reads.
 *
 * <p>Then A = UᵀU and the two triangular solves: {@link VectorDense#choleskySolve}.
 */
final class VectorCholeskyRow implements RowSolver {
    private static final VectorSpecies<Double> SPECIES = VectorDense.SPECIES;
    private static final int LANES = VectorDense.LANES;
    private static final int TILE_COLS = 2 * LANES;
    /** Ratings gathered at a time: 2 × 128 × kp doubles stay in L2 (256 KiB at rank 128). */
    static final int CHUNK = 128;

    private final int k;
    private final int kp;
    private final double[] a;
    private final double[] b;
    private final double[] x;
    private final double[] xc;
    /** 1 / u_ii, for the two triangular solves. */
    private final double[] inv;
    /** The step's YᵀY, full and padded to kp × kp, and the array it was copied from. */
    private double[] gram;

    private double[] gramOf;
    private final FactorTouch touch = new FactorTouch();

    VectorCholeskyRow(int k) {
        this.k = k;
        this.kp = stride(k);
        this.a = new double[kp * kp];
        this.b = new double[kp];
        this.x = new double[CHUNK * kp];
        this.xc = new double[CHUNK * kp];
        this.inv = new double[k];
    }

    /** k rounded up to a whole number of tile columns (two vectors). */
    static int stride(int k) {
        return (k + TILE_COLS - 1) / TILE_COLS * TILE_COLS;
    }

    @Override
    public void solve(int row, HalfStep step) {
        build(row, step);
        if (!factorAndSolve()) {
            throw new SingularSystemException(row, step.ratings().rowLength(row));
        }
        float[] dst = step.dst();
        int o = row * k;
        for (int d = 0; d < k; d++) {
            dst[o + d] = (float) b[d];
        }
    }

    /** A and b of row {@code row} (λ term included), as {@link HalfStep#buildNormalEquation}. */
    void build(int row, HalfStep step) {
        AlsParams p = step.params();
        Csr ratings = step.ratings();
        boolean implicit = p.implicitPrefs();
        if (implicit) {
            System.arraycopy(paddedGram(step.gram()), 0, a, 0, a.length);
        } else {
            Arrays.fill(a, 0.0);
        }
        Arrays.fill(b, 0.0);
        int[] cols = ratings.colIdx();
        float[] vals = ratings.values();
        float[] src = step.src();
        int s = ratings.rowStart(row);
        int e = ratings.rowEnd(row);
        double weights = implicit ? p.alpha() : -1; // NormalEquation's convention: explicit is alpha < 0
        for (int q0 = s; q0 < e; q0 += CHUNK) {
            int m = Math.min(CHUNK, e - q0);
            touch.lines(src, cols, q0, q0 + m, k);
            for (int t = 0; t < m; t++) {
                float r = vals[q0 + t];
                double c = NormalEquation.confidence(r, weights);
                if (!(c >= 0.0)) {
                    throw new IllegalArgumentException("Encountered a negative (or NaN) weight c = " + c);
                }
                gather(src, cols[q0 + t] * k, t * kp, c, NormalEquation.target(r, weights));
            }
            rankUpdate(a, kp, x, xc, m);
        }
        double lambda = step.lambda(row);
        for (int d = 0; d < k; d++) {
            a[d * kp + d] += lambda;
        }
    }

    /** X row t = y widened, X_c row t = c·y, b += target·y, for y = {@code src[from .. from+k)}. */
    private void gather(float[] src, int from, int to, double c, double target) {
        java.util.Objects.checkFromIndexSize(from, k, src.length);
        for (int d = 0; d < k; d++) {
            double v = src[from + d];
            x[to + d] = v;
            xc[to + d] = c * v;
            b[d] += target * v;
        }
    }

    /**
     * A += Σ_{r&lt;m} X_r (X_c)_rᵀ over the upper tiles, 8 rows × 2 vectors at a time (A kp × kp, X and X_c m × kp,
     * row-major; kp = {@link #stride}): each element sums its m terms in order, one fused multiply-add each.
     */
    static void rankUpdate(double[] a, int kp, double[] x, double[] xc, int m) {
        for (int ib = 0; ib < kp; ib += 8) {
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

    /** Factorises A and solves for x into b ({@link VectorDense#choleskySolve}). */
    boolean factorAndSolve() {
        return VectorDense.choleskySolve(a, b, k, kp, inv);
    }

    /** The step's YᵀY as a full symmetric kp × kp matrix, zero-padded, copied once per half-iteration. */
    private double[] paddedGram(double[] g) {
        if (gramOf != g) {
            if (gram == null) {
                gram = new double[kp * kp];
            }
            DenseSolvers.symmetricCopy(g, k, gram, kp); // the padding is never written: it stays zero
            gramOf = g;
        }
        return gram;
    }

    /** The padded A (tests). */
    double[] paddedA() {
        return a;
    }

    /** The padded b, then x (tests). */
    double[] paddedB() {
        return b;
    }

    /** The padding stride (tests). */
    int kp() {
        return kp;
    }
}
