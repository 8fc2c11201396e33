package encore.cpu;

import encore.als.AlsParams;
import encore.als.SingularSystemException;
import encore.matrix.Csr;

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
 * <p>Then A = UᵀU and the two triangular solves: {@link VectorDense#choleskySolve}. The tiles are
 * {@link VectorDense#rankUpdate}'s.
 */
final class VectorCholeskyRow implements RowSolver {
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
    /** The blocked Cholesky's panel scratch ({@link VectorDense#panelScratch}). */
    private final double[][] panel;
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
        this.panel = VectorDense.panelScratch(kp);
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
            VectorDense.rankUpdate(a, kp, x, xc, m, 0);
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

    /** Factorises A and solves for x into b ({@link VectorDense#choleskySolve}). */
    boolean factorAndSolve() {
        return VectorDense.choleskySolve(a, b, k, kp, inv, panel);
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
