package encore.cuda;

import encore.als.AlsBackend;
import encore.als.AlsException;
import encore.als.AlsParams;
import encore.als.SingularSystemException;
import encore.matrix.Csr;

import java.util.function.Supplier;

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
    interface Engine extends AlsBackend {
        /** The YᵀY of the last implicit half-iteration (k × k, row-major), or null. */
        double[] lastGram();
    }

    private final Supplier<AlsBackend> cpuOpener;
    private final FallbackPolicy policy;
    private final long seed;
    private final String engineName;
    private Engine engine;
    private AlsBackend cpu;
    private long calls;
    private long checkedRows;

    /**
     * @param engine          the accelerated engine (null: start on the CPU with {@code reason})
     * @param reason          why there is no engine (with a null engine)
     * @param cpuOpener       opens the CPU engine when it is needed
     * @param fallbackAllowed whether to continue on the CPU (auto) or throw (gpu)
     * @param seed            seeds the spot-check's row sample
     */
    CheckedAlsBackend(Engine engine, String reason, Supplier<AlsBackend> cpuOpener, boolean fallbackAllowed,
                      long seed) {
        this.engine = engine;
        this.engineName = engine == null ? "cpu" : engine.name();
        this.cpuOpener = cpuOpener;
        this.policy = new FallbackPolicy(fallbackAllowed);
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

    @Override
    public void solve(Csr ratings, float[] src, float[] dst, AlsParams p) {
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
        cpu.solve(ratings, src, dst, p);
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
        if (cpu == null) {
            cpu = cpuOpener.get();
        }
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
            engine = null;
        }
        if (cpu != null) {
            cpu.close();
        }
    }
}
