package encore.cpu;

import encore.als.AlsParams;
import encore.matrix.Csr;

/**
 * The CPU engine's half-iteration on caller-owned host arrays: what the GPU engine's fallback, self-test and device
 * check compare against, computed by the same code as the CPU fit handle.
 */
public final class CpuHalfIteration {
    private CpuHalfIteration() {}

    /**
     * Every non-empty row of {@code ratings} (dst × src) solved from {@code src} into {@code dst} (row-major, rank
     * {@code p.rank()}); rows without entries are left untouched; CG warm-starts from {@code dst}.
     *
     * @throws encore.als.SingularSystemException when a row's system is not positive definite
     */
    public static void solve(Csr ratings, float[] src, float[] dst, AlsParams p, int threads) {
        solve(ratings, src, null, dst, p, threads);
    }

    /**
     * {@link #solve(Csr, float[], float[], AlsParams, int)} with YᵀY given (implicit; k × k, upper triangle read), or
     * null to compute it from {@code src}.
     */
    public static void solve(Csr ratings, float[] src, double[] gram, float[] dst, AlsParams p, int threads) {
        new CpuAlsBackend(threads).solve(ratings, src, null, gram, dst, p);
    }
}
