package encore.cuda;

import encore.als.AlsException;
import encore.als.CpuTopKScorer;
import encore.als.Recommendations;
import encore.als.TopKScorer;
import encore.matrix.Csr;
import encore.matrix.Factors;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Detection power of the checked GPU scorer's check: seeded trials damage the correct top-k lists of query rows drawn
 * at random (not query 0, which the check always ranks in full) and hand them to the checked scorer as the "GPU"
 * result (backend gpu: a refusal is an {@link AlsException}). The rates are those stated in
 * {@code docs/reliability.md}, "Checked GPU fallback: detection power".
 */
class TopKCheckDetectionTest {
    static final int TRIALS = 300;
    static final int NQ = 2000;
    static final int NC = 1500;
    static final int RANK = 16;
    static final int K = 10;

    final Factors queries;
    final Factors candidates;
    final Csr exclude;
    final Recommendations correct;
    /** The correct top-(k + 1), for lists that leave one item out but stay consistent. */
    final Recommendations correctPlusOne;
    /** Result rows whose query has factors. */
    final int[] warm;

    TopKCheckDetectionTest() {
        SplittableRandom rng = new SplittableRandom(17);
        float[] q = new float[NQ * RANK];
        float[] c = new float[NC * RANK];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) rng.nextGaussian();
        }
        for (int i = 0; i < c.length; i++) {
            c[i] = (float) rng.nextGaussian();
        }
        BitSet qHas = new BitSet();
        BitSet cHas = new BitSet();
        for (int i = 0; i < NQ; i++) {
            if (i % 37 != 5) {
                qHas.set(i);
            }
        }
        for (int j = 0; j < NC; j++) {
            if (j % 23 != 3) {
                cHas.set(j);
            }
        }
        queries = Factors.wrap(q, NQ, RANK, qHas);
        candidates = Factors.wrap(c, NC, RANK, cHas);
        int[] r = new int[NQ * 20];
        int[] col = new int[r.length];
        for (int e = 0; e < r.length; e++) {
            r[e] = e / 20;
            col[e] = rng.nextInt(NC);
        }
        exclude = Csr.fromCoordinates(NQ, NC, r, col, new float[r.length]);
        try (TopKScorer cpu = new CpuTopKScorer(2)) {
            correct = cpu.topK(queries, candidates, K, exclude, null);
            correctPlusOne = cpu.topK(queries, candidates, K + 1, exclude, null);
        }
        warm = qHas.stream().toArray();
    }

    /** Damage to the lists of one or more random query rows. */
    enum Damage {
        WRONG_ITEM("one query: an item replaced by another eligible item, score kept"),
        WRONG_ORDER("one query: two neighbouring entries swapped"),
        WRONG_SCORE("one query: a score 1 % off"),
        THREE_QUERIES_WRONG_ITEM("three queries: an item replaced, score kept"),
        MISSED_ITEM("one query: a better item left out, the list otherwise consistent");

        final String label;

        Damage(String label) {
            this.label = label;
        }
    }

    /** A scorer engine returning {@code result}. */
    private static GpuTopKScorer.Engine returning(Recommendations result) {
        return new GpuTopKScorer.Engine() {
            @Override
            public Recommendations topK(Factors qs, Factors cs, int k, Csr ex, int[] rows) {
                return result;
            }

            @Override
            public void close() {}
        };
    }

    /** Whether the checked scorer (seeded with {@code seed}) refuses {@code result}. */
    private boolean refused(Recommendations result, long seed) {
        try (TopKScorer s = new GpuTopKScorer(returning(result), null, new CpuTopKScorer(1), false, seed)) {
            s.topK(queries, candidates, K, exclude, null);
            return false;
        } catch (AlsException e) {
            return true;
        }
    }

    private boolean detected(Damage d, long seed) {
        SplittableRandom rng = new SplittableRandom(0xC0FFEEL * (seed + 1) + d.ordinal());
        int[] ids = new int[NQ * K];
        float[] scores = new float[NQ * K];
        int[] counts = new int[NQ];
        for (int i = 0; i < NQ; i++) {
            counts[i] = correct.count(i);
            System.arraycopy(correct.ids(i), 0, ids, i * K, counts[i]);
            System.arraycopy(correct.scores(i), 0, scores, i * K, counts[i]);
        }
        int row = warm[rng.nextInt(warm.length)];
        int p = rng.nextInt(K);
        switch (d) {
            case WRONG_ITEM -> replaceItem(ids, row, p, rng);
            case WRONG_ORDER -> {
                int a = Math.min(p, K - 2);
                swap(ids, scores, row * K + a, row * K + a + 1);
            }
            case WRONG_SCORE -> scores[row * K + p] += 0.01f * Math.abs(scores[row * K + p]) + 0.01f;
            case THREE_QUERIES_WRONG_ITEM -> {
                replaceItem(ids, row, p, rng);
                replaceItem(ids, warm[rng.nextInt(warm.length)], rng.nextInt(K), rng);
                replaceItem(ids, warm[rng.nextInt(warm.length)], rng.nextInt(K), rng);
            }
            case MISSED_ITEM -> {
                // the p-th best is left out: the rest move up and the (k + 1)-th best, with its exact score, ends it
                int[] li = correctPlusOne.ids(row);
                float[] ls = correctPlusOne.scores(row);
                for (int j = 0, w = 0; j <= K; j++) {
                    if (j != p) {
                        ids[row * K + w] = li[j];
                        scores[row * K + w] = ls[j];
                        w++;
                    }
                }
            }
        }
        return refused(Recommendations.of(K, ids, scores, counts), seed);
    }

    /** Replaces entry {@code p} of {@code row} by an eligible item not in its list (score kept). */
    private void replaceItem(int[] ids, int row, int p, SplittableRandom rng) {
        BitSet taken = new BitSet(NC);
        for (int e = exclude.rowStart(row); e < exclude.rowEnd(row); e++) {
            taken.set(exclude.colIdx()[e]);
        }
        for (int j = 0; j < K; j++) {
            taken.set(ids[row * K + j]);
        }
        int j;
        do {
            j = rng.nextInt(NC);
        } while (!candidates.has(j) || taken.get(j));
        ids[row * K + p] = j;
    }

    private static void swap(int[] ids, float[] scores, int a, int b) {
        int t = ids[a];
        ids[a] = ids[b];
        ids[b] = t;
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
    }

    @Test
    void everyListIsCheckedAndASampleRankedInFull() {
        for (long seed = 0; seed < 5; seed++) {
            assertFalse(refused(correct, seed), "refused the correct lists (seed " + seed + ")");
        }
        Detection rates = new Detection("top-" + K + " (" + NQ + " queries × " + NC + " candidates)");
        for (Damage d : Damage.values()) {
            if (d != Damage.MISSED_ITEM) {
                rates.measure(d.label, TRIALS, 1.0, seed -> detected(d, seed));
            }
        }
        rates.measure(Damage.MISSED_ITEM.label, TRIALS, missedItemRate(), seed -> detected(Damage.MISSED_ITEM, seed));
        rates.assertClaimsHold();
    }

    /**
     * The documented chance of finding one query's consistent list that leaves a better item out: the query is among
     * the SAMPLE − 1 random rows ranked in full, or one of its PROBES random candidates is the missing item.
     */
    static double missedItemRate() {
        double ranked = (TopKCheck.SAMPLE - 1.0) / NQ;
        double probed = 1 - Math.pow(1 - 1.0 / NC, TopKCheck.PROBES);
        return ranked + (1 - ranked) * probed;
    }

    @Test
    void aCandidateTileNeverScoredIsFound() {
        // a systematic miss (a block of 128 candidates skipped in every list, each list otherwise consistent) shows
        // in many queries at once, so the rows ranked in full find it
        Detection rates = new Detection("top-" + K + ", systematic");
        rates.measure("128 consecutive candidates never scored", 40, 1.0, seed -> {
            int from = new SplittableRandom(seed).nextInt(NC - 128);
            BitSet keep = new BitSet(NC);
            keep.set(0, NC);
            keep.clear(from, from + 128);
            Recommendations skipped;
            try (TopKScorer cpu = new CpuTopKScorer(2)) {
                skipped = cpu.topK(queries, candidates.restrictTo(keep), K, exclude, null);
            }
            return !Arrays.deepEquals(skipped.idLists(), correct.idLists()) && refused(skipped, seed);
        });
        rates.assertClaimsHold();
    }
}
