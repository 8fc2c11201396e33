package encore.cpu;

import encore.als.AlsBackend;
import encore.als.AlsFit;
import encore.als.AlsParams;
import encore.als.HostFit;
import encore.internal.Parallel;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The multithreaded CPU ALS engine: the row math of {@link AlsBackend} (see there), in double, each row by the
 * {@link RowStrategy} that suits it (Cholesky, NNLS for {@code nonnegative}, warm-started CG for {@code solver=cg}, and
 * two cheaper exact forms for short rows). The fit handle ({@link HostFit} over the factors in place) and the
 * stateless {@link #solveRows} run the same half-iteration, {@link #solve}.
 *
 * <p>Determinism: YᵀY sums the present src rows over fixed blocks of 4,096 rows, then the blocks in order, so it is
 * bit-identical whatever the thread count. dst rows are split into chunks of about equal work (entries + a per-row
 * solve cost), taken by threads from a shared counter; every row is computed from its own data alone, so the factors
 * never depend on the thread count or the scheduling. Workspaces are per thread ({@link RowSolvers}) and reused: the
 * per-row work allocates nothing.
 */
final class CpuAlsBackend implements AlsBackend {
    private static final int GRAM_BLOCK = 4096;
    private final int threads;
    private final boolean simd;
    /** A prepared row solve of at most this many rows runs on the calling thread (see {@link #prepareRowSolve}). */
    static final int SMALL_BLOCK = 64;

    /** The engine on {@code threads} threads, with the vector kernels where {@link SimdKernels#available()}. */
    CpuAlsBackend(int threads) {
        this(threads, SimdKernels.available());
    }

    /**
     * @param simd the vector kernels (true only when {@link SimdKernels#available()}) or the scalar ones; both
     *             solve the same systems and agree to rounding
     */
    CpuAlsBackend(int threads, boolean simd) {
        if (simd && !SimdKernels.available()) {
            throw new IllegalStateException("the vector kernels are not available: " + SimdKernels.describe());
        }
        this.threads = threads;
        this.simd = simd;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public AlsFit startFit(Csr userItems, Csr itemUsers, AlsFit.State initial, AlsParams params) {
        return new HostFit(
                userItems,
                itemUsers,
                initial,
                params,
                (ratings, src, dst) -> solve(ratings, src.data(), src.present(), dst.data(), params));
    }

    /**
     * {@inheritDoc} YᵀY is taken over the present rows of {@code src} only. An entry whose src row is absent reads that
     * row's values (zeros, by the {@link Factors} contract): it adds nothing to A or b but counts in n.
     */
    @Override
    public Factors solveRows(Csr ratings, Factors src, double[] gram, Factors warmStart, AlsParams params) {
        float[] dst = AlsBackend.rowSolveStart(ratings, src, warmStart, params);
        AlsBackend.checkGram(gram, params);
        solve(ratings, src.data(), src.present(), gram, dst, params);
        return AlsBackend.rowSolveResult(ratings, dst, params.rank());
    }

    /**
     * {@inheritDoc} Here: YᵀY (implicit, when not given) and what the Woodbury rows share ({@link WoodburyBase}) are
     * computed once, so a solve costs only its rows.
     */
    @Override
    public RowSolve prepareRowSolve(Factors src, double[] gram, AlsParams params) {
        AlsBackend.checkGram(gram, params);
        int k = params.rank();
        double[] g = !params.implicitPrefs() ? null : gram != null ? gram : gram(src);
        WoodburyBase base = WoodburyBase.of(g, params, simd);
        // a block of a few rows (a folded-in user) runs on the calling thread with that thread's own solvers, kept
        // from call to call: their scratch (k × k systems, panels) would otherwise be allocated for every request
        ThreadLocal<RowSolvers> own = ThreadLocal.withInitial(() -> new RowSolvers(k, simd));
        return (ratings, warmStart) -> {
            float[] dst = AlsBackend.rowSolveStart(ratings, src, warmStart, params);
            if (threads == 1 || ratings.rows() <= SMALL_BLOCK) {
                own.get().solveRange(0, ratings.rows(), new HalfStep(ratings, src.data(), dst, g, base, params));
            } else {
                solve(ratings, src.data(), g, base, dst, params);
            }
            return AlsBackend.rowSolveResult(ratings, dst, k);
        };
    }

    @Override
    public double[] gram(Factors src) {
        return gram(src.data(), src.present(), src.rows(), src.rank(), threads, simd);
    }

    /**
     * One half-iteration over host arrays: every non-empty row of {@code ratings} written into {@code dst}, the others
     * left untouched.
     *
     * @param srcPresent the src rows YᵀY sums over, or null for all of them
     */
    void solve(Csr ratings, float[] src, BitSet srcPresent, float[] dst, AlsParams p) {
        solve(ratings, src, srcPresent, null, dst, p);
    }

    /** {@link #solve(Csr, float[], BitSet, float[], AlsParams)} with YᵀY given (implicit), or null to compute it. */
    void solve(Csr ratings, float[] src, BitSet srcPresent, double[] givenGram, float[] dst, AlsParams p) {
        int k = p.rank();
        if (src.length != (long) ratings.cols() * k || dst.length != (long) ratings.rows() * k) {
            throw new IllegalArgumentException("factor arrays do not match the " + ratings.rows() + " × "
                    + ratings.cols() + " ratings at rank " + k);
        }
        double[] gram = !p.implicitPrefs()
                ? null
                : givenGram != null ? givenGram : gram(src, srcPresent, ratings.cols(), k, threads, simd);
        solve(ratings, src, gram, WoodburyBase.of(gram, p, simd), dst, p);
    }

    /** The half-iteration with YᵀY (implicit; null explicit) and what the Woodbury rows share (or null) given. */
    private void solve(Csr ratings, float[] src, double[] gram, WoodburyBase base, float[] dst, AlsParams p) {
        int k = p.rank();
        HalfStep step = new HalfStep(ratings, src, dst, gram, base, p);
        int[] chunks = balancedChunks(ratings, k, threads * 8);
        int nChunks = chunks.length - 1;
        AtomicInteger next = new AtomicInteger();
        int workers = Math.min(threads, nChunks);
        Parallel.forEachUnchecked(workers, workers, w -> {
            RowSolvers rs = new RowSolvers(k, simd);
            for (int c = next.getAndIncrement(); c < nChunks; c = next.getAndIncrement()) {
                rs.solveRange(chunks[c], chunks[c + 1], step);
            }
        });
    }

    /**
     * YᵀY of the first {@code n} rows of the row-major factors {@code y} at rank k (upper triangle, k × k row-major),
     * over the rows in {@code present} (null: all), summed per fixed block then in block order, on {@code threads};
     * with {@code simd}, each block by {@link VectorGram}.
     */
    static double[] gram(float[] y, BitSet present, int n, int k, int threads, boolean simd) {
        int blocks = (n + GRAM_BLOCK - 1) / GRAM_BLOCK;
        double[][] partial = new double[blocks][];
        Parallel.forEachUnchecked(threads, blocks, b -> {
            if (simd) {
                partial[b] = VectorGram.block(y, present, b * GRAM_BLOCK, Math.min(n, b * GRAM_BLOCK + GRAM_BLOCK), k);
                return;
            }
            double[] g = new double[k * k];
            double[] v = new double[k];
            for (int r = b * GRAM_BLOCK, e = Math.min(n, r + GRAM_BLOCK); r < e; r++) {
                if (present != null && !present.get(r)) {
                    continue;
                }
                int o = r * k;
                for (int d = 0; d < k; d++) {
                    v[d] = y[o + d];
                }
                for (int i = 0; i < k; i++) {
                    double vi = v[i];
                    int row = i * k;
                    for (int j = i; j < k; j++) {
                        g[row + j] += vi * v[j];
                    }
                }
            }
            partial[b] = g;
        });
        double[] g = new double[k * k];
        for (double[] part : partial) {
            for (int i = 0; i < g.length; i++) {
                g[i] += part[i];
            }
        }
        return g;
    }

    /** Row boundaries of about {@code parts} chunks of equal cost (entries + k per row for the solve). */
    static int[] balancedChunks(Csr m, int k, int parts) {
        int rows = m.rows();
        long total = (long) m.nnz() + (long) rows * k;
        long target = Math.max(1, total / Math.max(1, parts));
        int[] out = new int[Math.max(2, parts + 2)];
        int n = 0;
        out[n++] = 0;
        long acc = 0;
        for (int r = 0; r < rows; r++) {
            acc += m.rowLength(r) + k;
            if (acc >= target && r + 1 < rows) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = r + 1;
                acc = 0;
            }
        }
        if (n == out.length) {
            out = Arrays.copyOf(out, n + 1);
        }
        out[n++] = rows;
        return Arrays.copyOf(out, n);
    }

    @Override
    public void close() {
        // nothing native to release
    }
}
