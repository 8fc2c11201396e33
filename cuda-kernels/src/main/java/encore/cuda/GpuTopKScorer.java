package encore.cuda;

import encore.als.Recommendations;
import encore.als.TopKScorer;
import encore.matrix.Csr;
import encore.matrix.Factors;

/**
 * The GPU scorer (what {@link GpuBackendProvider#openScorer} opens; always checked): each call runs on the raw
 * {@link Engine}, then {@link #check} ({@link TopKCheck}) checks every list against scores recomputed on the CPU in
 * double, and ranks a sample of query rows in full. Any device error or failed check ⇒ the call is recomputed by the
 * CPU scorer and every later call runs there ({@link #name()} "cpu", {@link #fallbackReason()} why); without
 * {@code fallbackAllowed} the reason is thrown instead. Not thread-safe.
 */
final class GpuTopKScorer implements TopKScorer {
    /** Tie tolerance: scores within TIE · ‖x‖ · max‖y‖ of each other may be ordered differently. */
    static final double TIE = 1e-5;

    /** The raw top-k engine under this scorer ({@link GpuTopKEngine}; a CPU stand-in in tests). */
    interface Engine extends CheckedEngine.Releasable {
        /** As {@link TopKScorer#topK}. */
        Recommendations topK(Factors queries, Factors candidates, int k, Csr exclude, int[] rows);
    }

    /** One top-k call, as {@link TopKScorer#topK} takes it. */
    record Call(Factors queries, Factors candidates, int k, Csr exclude, int[] rows) {
        /** Number of result rows. */
        int resultRows() {
            return rows == null ? queries.rows() : rows.length;
        }

        /** The query row of result row {@code r}. */
        int query(int r) {
            return rows == null ? r : rows[r];
        }
    }

    private final TopKScorer cpu;
    private final CheckedEngine<Engine> engine;
    private final long seed;
    private long calls;

    /**
     * @param engine          the raw engine (null: start on the CPU with {@code reason})
     * @param cpu             the CPU scorer that takes over (closed with this one)
     * @param fallbackAllowed whether to continue on the CPU (auto) or throw (gpu)
     * @param seed            seeds the check's row samples
     */
    GpuTopKScorer(Engine engine, String reason, TopKScorer cpu, boolean fallbackAllowed, long seed) {
        this.cpu = cpu;
        this.seed = seed;
        try {
            this.engine = new CheckedEngine<>(engine, reason, fallbackAllowed);
        } catch (RuntimeException e) {
            cpu.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return engine.reason() == null ? "gpu" : "cpu";
    }

    @Override
    public String fallbackReason() {
        return engine.reason();
    }

    @Override
    public Recommendations topK(Factors queries, Factors candidates, int k, Csr exclude, int[] rows) {
        long call = calls++;
        Engine e = engine.engine();
        if (e != null) {
            String failure;
            try {
                Recommendations r = e.topK(queries, candidates, k, exclude, rows);
                failure = check(r, new Call(queries, candidates, k, exclude, rows), seed * 31 + call);
                if (failure == null) {
                    return r;
                }
            } catch (GpuException | IllegalArgumentException | IllegalStateException ex) {
                failure = "GPU error: " + ex.getMessage();
            }
            engine.fallBack("GPU top-k call " + (call + 1) + ": " + failure);
        }
        return cpu.topK(queries, candidates, k, exclude, rows);
    }

    /** Null when {@code r} passes {@link TopKCheck} for call {@code c} ({@code seed} draws its samples). */
    static String check(Recommendations r, Call c, long seed) {
        return TopKCheck.check(r, c, seed);
    }

    @Override
    public void close() {
        engine.close();
        cpu.close();
    }
}
