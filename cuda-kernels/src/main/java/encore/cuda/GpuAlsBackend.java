package encore.cuda;

import encore.als.AlsBackend;
import encore.als.AlsFit;
import encore.als.AlsParams;
import encore.als.EngineOptions;
import encore.als.SingularSystemException;
import encore.cpu.CpuBackendProvider;
import encore.matrix.Csr;
import encore.matrix.Factors;

/**
 * The GPU backend (what {@link GpuBackendProvider} opens; always checked): every result of the raw {@link Engine} is
 * checked on the CPU by {@link SpotCheck} before it is used (exact solves: every row's residual; CG: a sample of rows
 * re-solved). A fit runs as a {@link CheckedFit}; a stateless row solve ({@link #solveRows}) is solved on the engine
 * and checked the same way. A driver error, a sticky error, a non-finite factor or a failed check ⇒ the engine is
 * released, the same work is done again by the CPU engine from the same (good) input, and everything later runs on
 * the CPU; {@link #name()} then says "cpu" and {@link #fallbackReason()} why. Without {@code fallbackAllowed}
 * (backend {@code gpu}) the reason is thrown instead.
 *
 * <p>A singular system reported by the GPU is confirmed on the CPU: if the CPU solves it, the GPU was wrong (and the
 * run falls back); if not, the CPU's exception reaches the caller as it would without a GPU. Not thread-safe.
 */
final class GpuAlsBackend implements AlsBackend {
    /** The raw accelerated engine under this backend ({@link GpuAlsEngine}; the CPU twin in tests). */
    interface Engine extends CheckedEngine.Releasable {
        /** The engine's name ("gpu"). */
        String name();

        /** Whether a half-iteration with {@code p} reads the dst factors it overwrites (a warm-started solver: CG). */
        boolean warmStarts(AlsParams p);

        /**
         * A fit on the engine's own memory; {@code initial} is read (uploaded), neither kept nor written, so that the
         * caller may keep it as the last good state.
         */
        EngineFit startFit(Csr userItems, Csr itemUsers, AlsFit.State initial, AlsParams p);

        /**
         * The stateless row solve on host arrays: every row of {@code ratings} with entries solved from {@code src}
         * into {@code dst} in place (other rows untouched; CG warm-starts from {@code dst}).
         *
         * @param gram YᵀY to use (implicit; k × k, upper triangle read), or null to compute it from {@code src}
         * @return the YᵀY it used (k × k, row-major; implicit), or null
         */
        double[] solveRows(Csr ratings, float[] src, double[] gram, float[] dst, AlsParams p);
    }

    /** The raw engine's fit handle, plus what a check needs of it. */
    interface EngineFit extends AlsFit {
        /** A host copy of one side's current factors (the caller owns it). */
        Factors snapshot(Side side);

        /** The YᵀY (k × k, row-major) of the last half-iteration when it was implicit, else null. */
        double[] lastGram();
    }

    private final CheckedEngine<Engine> engine;
    private final String engineName;
    private final AlsBackend cpu;
    private final long seed;
    private final int threads;
    private long calls;
    private long checkedRows;

    /**
     * @param engine  the raw engine (null: start on the CPU with {@code reason})
     * @param reason  why there is no engine (with a null engine)
     * @param options CPU threads for the fallback, and whether to continue on the CPU (auto) or throw (gpu)
     * @param seed    seeds the check's CG row samples and Gram probes
     */
    GpuAlsBackend(Engine engine, String reason, EngineOptions options, long seed) {
        this.cpu = CpuBackendProvider.open(options.threads());
        this.engineName = engine == null ? "cpu" : engine.name();
        this.engine = new CheckedEngine<>(engine, reason, options.fallbackAllowed());
        this.seed = seed;
        this.threads = options.threads();
    }

    @Override
    public String name() {
        return engine.reason() == null ? engineName : "cpu";
    }

    @Override
    public String fallbackReason() {
        return engine.reason();
    }

    /** Rows re-checked on the CPU so far. */
    long checkedRows() {
        return checkedRows;
    }

    /** A fit on the engine, checked after each half-iteration (or the CPU's fit once fallen back). */
    @Override
    public AlsFit startFit(Csr userItems, Csr itemUsers, AlsFit.State initial, AlsParams params) {
        if (engine.engine() == null) {
            return cpu.startFit(userItems, itemUsers, initial, params);
        }
        return new CheckedFit(this, userItems, itemUsers, initial, params);
    }

    /**
     * The row solve on the engine, spot-checked; on any fault the CPU solves the same rows (and every later call runs
     * there). Rows without entries are absent (zeros) in the result, as on the CPU.
     */
    @Override
    public Factors solveRows(Csr ratings, Factors src, double[] gram, Factors warmStart, AlsParams params) {
        float[] dst = AlsBackend.rowSolveStart(ratings, src, warmStart, params);
        AlsBackend.checkGram(gram, params);
        Engine e = engine.engine();
        if (e != null && solveChecked(e, ratings, src.data(), gram, dst, params)) {
            return AlsBackend.rowSolveResult(ratings, dst, params.rank());
        }
        return cpu.solveRows(ratings, src, gram, warmStart, params);
    }

    /** YᵀY on the CPU engine (a k × k sum over host factors: no device round trip is cheaper). */
    @Override
    public double[] gram(Factors src) {
        return cpu.gram(src);
    }

    /** Whether {@code e}'s row solve into {@code dst} passed the check; when not, the engine is released. */
    private boolean solveChecked(Engine e, Csr ratings, float[] src, double[] given, float[] dst, AlsParams p) {
        long call = nextCall();
        long checkSeed = checkSeed(call);
        SpotCheck.CgSample cg = e.warmStarts(p) ? SpotCheck.CgSample.of(ratings, dst, p.rank(), checkSeed) : null;
        String failure;
        try {
            double[] gram = e.solveRows(ratings, src, given, dst, p);
            failure = check(new SpotCheck.Solution(ratings, src, dst, p, gram), cg, checkSeed, given != null);
        } catch (SingularSystemException ex) {
            failure = singular(ex);
        } catch (GpuException | IllegalArgumentException | IllegalStateException ex) {
            failure = deviceError(ex);
        }
        if (failure != null) {
            fallBack("GPU row solve " + (call + 1) + ": " + failure);
        }
        return failure == null;
    }

    // ---- what CheckedFit shares with the row solve: the engine, the call count, the check, the fallback

    /** The engine, or null once fallen back. */
    Engine engine() {
        return engine.engine();
    }

    /** The CPU engine that takes over. */
    AlsBackend cpu() {
        return cpu;
    }

    /** Counts one checked call (half-iteration or row solve) and returns its index (0, 1, …). */
    long nextCall() {
        return calls++;
    }

    /** The seed of call {@code call}'s spot-check sample. */
    long checkSeed(long call) {
        return seed * 31 + call;
    }

    /**
     * {@link SpotCheck#check} of a solution on the fallback's threads, counting the rows it re-checked (every row with
     * entries, or the CG sample).
     */
    String check(SpotCheck.Solution s, SpotCheck.CgSample cg, long checkSeed) {
        return check(s, cg, checkSeed, false);
    }

    /** {@link #check(SpotCheck.Solution, SpotCheck.CgSample, long)}, the Gram given by the caller when so flagged. */
    String check(SpotCheck.Solution s, SpotCheck.CgSample cg, long checkSeed, boolean gramGiven) {
        checkedRows +=
                cg != null ? cg.rows().length : s.ratings().nonEmptyRows().cardinality();
        return SpotCheck.check(s, cg, threads, checkSeed, gramGiven);
    }

    static String singular(SingularSystemException e) {
        return "the GPU found row " + e.row() + " singular";
    }

    static String deviceError(RuntimeException e) {
        return "GPU error: " + e.getMessage();
    }

    /**
     * Releases the engine for good and records {@code why}.
     *
     * @throws encore.als.AlsException naming {@code why} when falling back is not allowed
     */
    void fallBack(String why) {
        engine.fallBack(why);
    }

    @Override
    public void close() {
        engine.close();
        cpu.close();
    }
}
