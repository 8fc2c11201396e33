package encore.cuda;

import encore.als.spi.AlsBackend;
import encore.als.spi.AlsFit;
import encore.als.spi.EngineOptions;
import encore.als.spi.HostFit;
import encore.cpu.CpuHalfIteration;
import encore.als.AlsException;
import encore.als.AlsParams;
import encore.als.SingularSystemException;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.Arrays;
import java.util.BitSet;

/**
 * The "checked" GPU backend: each half-iteration runs on the GPU engine, then {@link SpotCheck} re-checks a sample
 * of rows on the CPU in double. A driver error, a sticky error, a non-finite factor or a failed check ⇒ the GPU is
 * released, the same half-iteration is solved again by the CPU engine from the same (good) input factors, and every
 * later one runs on the CPU; {@link #name()} then says "cpu" and {@link #fallbackReason()} why. Without
 * {@code fallbackAllowed} ({@code --backend gpu}) the reason is thrown instead.
 *
 * <p>A singular system reported by the GPU is confirmed on the CPU: if the CPU solves it, the GPU was wrong (and the
 * run falls back); if not, the CPU's exception reaches the trainer as it would without a GPU.
 */
final class CheckedAlsBackend implements AlsBackend {
    /** What the checked backend needs from an accelerated engine: its solve, and the Gram it used (implicit). */
    interface Engine extends AutoCloseable {
        /** The engine's name ("gpu"). */
        String name();

        /** One half-iteration on host arrays, as {@link CpuHalfIteration#solve}. */
        void solve(Csr ratings, float[] src, float[] dst, AlsParams p);

        /** The YᵀY of the last implicit half-iteration (k × k, row-major), or null. */
        double[] lastGram();

        @Override
        void close();
    }

    private final int threads;
    private final FallbackPolicy policy;
    private final long seed;
    private final String engineName;
    private Engine engine;
    private long calls;
    private long checkedRows;

    /**
     * @param engine          the accelerated engine (null: start on the CPU with {@code reason})
     * @param reason          why there is no engine (with a null engine)
     * @param options         CPU threads for the fallback, and whether to continue on the CPU (auto) or throw (gpu)
     * @param seed            seeds the spot-check's row sample
     */
    CheckedAlsBackend(Engine engine, String reason, EngineOptions options, long seed) {
        this.engine = engine;
        this.engineName = engine == null ? "cpu" : engine.name();
        this.threads = options.threads();
        this.policy = new FallbackPolicy(options.fallbackAllowed());
        this.seed = seed;
        if (engine == null) {
            fallBack(reason);
        }
    }

    @Override
    public String name() {
        return policy.reason() == null ? engineName : "cpu";
    }

    @Override
    public String fallbackReason() {
        return policy.reason();
    }

    /** Rows re-checked on the CPU so far. */
    long checkedRows() {
        return checkedRows;
    }

    /**
     * A fit whose factors stay on the host: each half-iteration goes through {@link #solve}, which checks the
     * engine's result and keeps the last good factors for the fallback.
     */
    @Override
    public AlsFit startFit(Csr userItems, Csr itemUsers, AlsFit.State initial, AlsParams params) {
        return new HostFit(userItems, itemUsers, initial, params, (ratings, src, dst) -> solve(ratings, src.data(),
            dst.data(), params));
    }

    @Override
    public Factors solveRows(Csr ratings, Factors src, Factors warmStart, AlsParams params) {
        int k = params.rank();
        float[] dst = warmStart == null ? new float[ratings.rows() * k] : warmStart.data().clone();
        solve(ratings, src.data(), dst, params);
        BitSet present = new BitSet(ratings.rows());
        for (int r = 0; r < ratings.rows(); r++) {
            if (ratings.rowLength(r) > 0) {
                present.set(r);
            } else {
                Arrays.fill(dst, r * k, (r + 1) * k, 0f);
            }
        }
        return Factors.wrap(dst, ratings.rows(), k, present);
    }

    /** One checked half-iteration on host arrays. */
    void solve(Csr ratings, float[] src, float[] dst, AlsParams p) {
        long call = calls++;
        if (engine != null) {
            String failure;
            // CG warm-starts from dst: keep it, so that a fallback restarts from the last good factors
            float[] before = GpuAlsEngine.usesCg(p) ? dst.clone() : null;
            try {
                long checkSeed = seed * 31 + call;
                int[] sample = SpotCheck.sample(ratings, checkSeed);
                float[] warm = GpuAlsEngine.usesCg(p) ? SpotCheck.warmStarts(dst, sample, p.rank()) : null;
                engine.solve(ratings, src, dst, p);
                failure = SpotCheck.check(ratings, src, dst, p, engine.lastGram(), sample, warm, checkSeed);
                checkedRows += sample.length;
            } catch (SingularSystemException e) {
                failure = "the GPU found row " + e.row() + " singular";
            } catch (GpuException | IllegalArgumentException | IllegalStateException e) {
                failure = "GPU error: " + e.getMessage();
            }
            if (failure == null) {
                return;
            }
            fallBack("GPU half-iteration " + (call + 1) + ": " + failure);
            if (before != null) {
                System.arraycopy(before, 0, dst, 0, dst.length);
            }
        }
        CpuHalfIteration.solve(ratings, src, dst, p, threads);
    }

    private void fallBack(String why) {
        try {
            policy.fallBack(why);
        } catch (AlsException e) {
            close();
            throw e;
        }
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }
}
