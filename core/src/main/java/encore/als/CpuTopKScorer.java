package encore.als;

import encore.internal.Parallel;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.BitSet;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Top-k for every query row by blocked dense scoring, never materialising the full score matrix.
 *
 * <ul>
 *   <li><b>Candidates in norm order</b> ({@link NormOrder}). Candidates with factors are permuted by descending L2 norm
 *       (cold ones are dropped: Spark never recommends an entity without factors). By Cauchy–Schwarz a candidate
 *       scores at most ‖x‖·‖y‖, so once ‖x‖ times the largest norm of the next block falls below the query's current
 *       k-th best score, no later candidate can enter its list and the query stops. The bound carries a relative
 *       margin for float rounding ({@link BlockedScoringPass}), so pruning never changes a result.</li>
 *   <li><b>Blocks</b> ({@link BlockedScoringPass}). Queries are taken in blocks of {@value #QUERY_BLOCK}, candidates in
 *       blocks of {@value BlockedScoringPass#CANDIDATE_BLOCK}, transposed to one array per dimension so scoring runs
 *       as SIMD passes over contiguous arrays; four queries share each pass.</li>
 *   <li><b>Selection</b> ({@link TopKCollector}). Each query has one collector per list it asks for: excluded (already
 *       seen) candidates are skipped via a cursor over the query's exclusion row (re-expressed in norm order), and a
 *       bounded {@link TopK} keeps the best k with Spark's tie rule. {@link #topKWithAndWithoutExclusion} gives each
 *       query two collectors, with and without its exclusion row, fed by one scoring pass; a query stops only when
 *       neither can still accept.</li>
 * </ul>
 * Each query's result depends only on its own data, so it is identical whatever the thread count.
 */
public final class CpuTopKScorer implements TopKScorer {
    static final int QUERY_BLOCK = 64;

    private final int threads;

    /** A scorer on {@code threads} worker threads (≥ 1); results do not depend on the count. */
    public CpuTopKScorer(int threads) {
        this.threads = EngineOptions.requireThreads(threads);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Recommendations topK(Factors queries, Factors candidates, int k, Csr exclude, int[] rows) {
        return score(queries, rows, candidates, k, exclude, false)[0];
    }

    /** Both lists from one scoring pass: each query feeds a collector with and one without its exclusion row. */
    @Override
    public Recommendations[] topKWithAndWithoutExclusion(Factors queries, Factors candidates, int k, Csr exclude) {
        Recommendations[] r = score(queries, null, candidates, k, exclude, true);
        return exclude == null ? new Recommendations[] {r[0], r[0]} : r;
    }

    @Override
    public void close() {}

    /**
     * The lists of {@code rows} (or all queries): list 0 without the candidates of {@code exclude}, and with
     * {@code alsoUnexcluded} (and an exclusion to leave out) list 1 with them.
     */
    private Recommendations[] score(
            Factors queries, int[] rows, Factors candidates, int k, Csr exclude, boolean alsoUnexcluded) {
        if (queries.rank() != candidates.rank()) {
            throw new IllegalArgumentException(
                    "queries have rank " + queries.rank() + ", candidates " + candidates.rank());
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        int n = rows == null ? queries.rows() : rows.length;
        int kk = Math.min(k, Math.max(1, candidates.rows()));
        NormOrder order = NormOrder.of(candidates);
        Csr exclusion = exclude == null ? null : order.exclusion(exclude);
        Lists[] out = new Lists[alsoUnexcluded && exclude != null ? 2 : 1];
        for (int l = 0; l < out.length; l++) {
            out[l] = new Lists(new int[n * kk], new float[n * kk], new int[n]);
        }
        Job job = new Job(queries, queries.present(), rows, order, exclusion, kk, out);
        int blocks = (n + QUERY_BLOCK - 1) / QUERY_BLOCK;
        // one task per query block; at most min(threads, blocks) run at once, so as many workers are ever created,
        // each reused from block to block (one long task per thread instead was as fast in CPU time, but slower in
        // wall time on a busy machine)
        ArrayBlockingQueue<Worker> idle = new ArrayBlockingQueue<>(Math.max(1, Math.min(threads, blocks)));
        Parallel.forEachUnchecked(threads, blocks, b -> {
            Worker worker = idle.poll();
            if (worker == null) {
                worker = new Worker(job);
            }
            worker.score(b);
            idle.offer(worker);
        });
        Recommendations[] result = new Recommendations[out.length];
        for (int l = 0; l < out.length; l++) {
            result[l] = new Recommendations(kk, out[l].ids(), out[l].scores(), out[l].counts());
        }
        return result;
    }

    /** One list per query row, in row-major slots of k: row r's entries at {@code [r·k, r·k + counts[r])}. */
    private record Lists(int[] ids, float[] scores, int[] counts) {}

    /**
     * One call's read-only inputs and its outputs: query factors and which rows have them, the query rows to score
     * (null: all), the candidates in norm order, the exclusion in norm-order positions (or null), the list length
     * (k capped by the candidate count), and the lists to fill ([0] with the exclusion, [1] without).
     */
    private record Job(
            Factors queries, BitSet present, int[] rows, NormOrder order, Csr exclusion, int k, Lists[] out) {
        int rowCount() {
            return out[0].counts().length;
        }

        int row(int r) {
            return rows == null ? r : rows[r];
        }
    }

    /** A worker thread's scoring pass and collectors, reused for every query block it takes. */
    private static final class Worker {
        private final Job job;
        private final BlockedScoringPass pass;
        private final TopKCollector[][] collectors; // [slot][list]

        Worker(Job job) {
            this.job = job;
            int slots = Math.min(QUERY_BLOCK, job.rowCount());
            this.pass = new BlockedScoringPass(job.queries(), job.order(), slots);
            this.collectors = new TopKCollector[slots][job.out().length];
            for (TopKCollector[] slot : collectors) {
                for (int l = 0; l < slot.length; l++) {
                    slot[l] = new TopKCollector(job.k(), job.order().ids());
                }
            }
        }

        /** Scores query block {@code b} (result rows {@code b·QUERY_BLOCK …}) and writes its lists. */
        void score(int b) {
            int from = b * QUERY_BLOCK;
            int to = Math.min(job.rowCount(), from + QUERY_BLOCK);
            pass.clear();
            for (int r = from; r < to; r++) {
                int row = job.row(r);
                TopKCollector[] slot = collectors[r - from];
                start(slot, row);
                if (job.present().get(row)) {
                    pass.add(row, slot);
                }
            }
            pass.run();
            Lists[] out = job.out();
            for (int r = from; r < to; r++) {
                TopKCollector[] slot = collectors[r - from];
                for (int l = 0; l < out.length; l++) {
                    out[l].counts()[r] = slot[l].drainSorted(out[l].ids(), out[l].scores(), r * job.k());
                }
            }
        }

        /** Starts query {@code row}'s collectors: [0] skips its exclusion row (if any), [1] keeps everything. */
        private void start(TopKCollector[] slot, int row) {
            Csr ex = job.exclusion();
            if (ex == null) {
                slot[0].start(job.k());
            } else {
                slot[0].start(job.k(), ex.colIdx(), ex.rowStart(row), ex.rowEnd(row));
            }
            for (int l = 1; l < slot.length; l++) {
                slot[l].start(job.k());
            }
        }
    }
}
