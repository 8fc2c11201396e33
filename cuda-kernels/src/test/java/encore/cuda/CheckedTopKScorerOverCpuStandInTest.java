package encore.cuda;

import encore.als.AlsException;
import encore.als.CpuTopKScorer;
import encore.als.Recommendations;
import encore.als.TopKScorer;
import encore.matrix.Csr;
import encore.matrix.Factors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checked wrapper of the top-k scorer ({@link GpuTopKScorer}) over a CPU stand-in for the GPU engine (the CPU
 * scorer, whose lists are damaged on purpose): what the wrapper does — passes correct lists through unchanged, refuses
 * damaged ones with a reason, recomputes the call on the CPU — not how the GPU scores. A correct stand-in's lists are
 * the CPU's by construction; the real GPU scorer against the CPU is {@code GpuEngineOnDeviceTest}, on a machine with a
 * GPU. How often damage to a random query is found is {@code TopKCheckDetectionTest}.
 */
class CheckedTopKScorerOverCpuStandInTest {
    static final int NQ = 60;
    static final int NC = 700;
    static final int RANK = 12;
    final float[] q = new float[NQ * RANK];
    final float[] c = new float[NC * RANK];
    final BitSet qHas = new BitSet();
    final BitSet cHas = new BitSet();
    final Csr exclude;

    CheckedTopKScorerOverCpuStandInTest() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) rng.nextGaussian();
        }
        for (int i = 0; i < c.length; i++) {
            c[i] = (float) rng.nextGaussian();
        }
        System.arraycopy(c, 5 * RANK, c, 9 * RANK, RANK); // an exact tie
        for (int i = 0; i < NQ; i++) {
            if (i % 9 != 4) {
                qHas.set(i);
            }
        }
        for (int j = 0; j < NC; j++) {
            if (j % 17 != 2) {
                cHas.set(j);
            }
        }
        int[] r = new int[NQ * 30];
        int[] col = new int[r.length];
        for (int e = 0; e < r.length; e++) {
            r[e] = e / 30;
            col[e] = rng.nextInt(NC);
        }
        exclude = Csr.fromCoordinates(NQ, NC, r, col, new float[r.length]);
    }

    /** The CPU scorer with its result passed through {@code damage}; or throwing a device error. */
    static GpuTopKScorer.Engine engine(UnaryOperator<Recommendations> damage) {
        TopKScorer cpu = new CpuTopKScorer(1);
        return new GpuTopKScorer.Engine() {
            @Override
            public Recommendations topK(Factors queries, Factors candidates, int k, Csr exclude, int[] rows) {
                return damage.apply(cpu.topK(queries, candidates, k, exclude, rows));
            }

            @Override
            public void close() {}
        };
    }

    /** A copy of {@code r} with list {@code row} changed by {@code edit(ids, scores)}. */
    static Recommendations edit(Recommendations r, int row, java.util.function.BiConsumer<int[], float[]> edit) {
        int k = r.k();
        int[] ids = new int[r.rows() * k];
        float[] scores = new float[r.rows() * k];
        int[] counts = new int[r.rows()];
        for (int i = 0; i < r.rows(); i++) {
            counts[i] = r.count(i);
            System.arraycopy(r.ids(i), 0, ids, i * k, counts[i]);
            System.arraycopy(r.scores(i), 0, scores, i * k, counts[i]);
        }
        int[] li = java.util.Arrays.copyOfRange(ids, row * k, row * k + k);
        float[] ls = java.util.Arrays.copyOfRange(scores, row * k, row * k + k);
        edit.accept(li, ls);
        System.arraycopy(li, 0, ids, row * k, k);
        System.arraycopy(ls, 0, scores, row * k, k);
        return Recommendations.of(k, ids, scores, counts);
    }

    private Recommendations run(TopKScorer s, int k, Csr ex) {
        return s.topK(Factors.wrap(q, NQ, RANK, qHas), Factors.wrap(c, NC, RANK, cHas), k, ex, null);
    }

    private static void assertSame(Recommendations a, Recommendations b) {
        assertEquals(a.rows(), b.rows());
        for (int i = 0; i < a.rows(); i++) {
            assertArrayEquals(a.ids(i), b.ids(i));
            assertArrayEquals(a.scores(i), b.scores(i));
        }
    }

    @ParameterizedTest
    @CsvSource({"1", "10", "100", "700", "5000"})
    void theWrapperPassesACorrectStandInsListsThroughUnchanged(int k) {
        TopKScorer s = new GpuTopKScorer(engine(r -> r), null, new CpuTopKScorer(1), true, 1);
        for (Csr ex : new Csr[] {null, exclude}) {
            Recommendations r = run(s, k, ex);
            assertNull(s.fallbackReason());
            assertEquals("gpu", s.name());
            assertSame(run(new CpuTopKScorer(2), k, ex), r);
        }
    }

    @Test
    void scoresThatDifferOnlyByRoundingPass() {
        TopKScorer s = new GpuTopKScorer(
                engine(r -> edit(r, 0, (ids, sc) -> sc[0] = Math.nextDown(sc[0]))),
                null,
                new CpuTopKScorer(1),
                true,
                1);
        run(s, 10, null);
        assertNull(s.fallbackReason());
    }

    @ParameterizedTest
    @CsvSource({
        "swap, query 0 position 2",
        "drop-best, but the exact 1-th best",
        "excluded, cold, excluded or repeated",
        "repeat, cold, excluded or repeated",
        "wrong-score, exact",
        "short, got 9 items, expected 10",
        "throw, GPU error: launch topk_users failed"
    })
    void aDamagedListOfQueryZeroFallsBackToTheCpuResult(String damage, String expected) {
        Csr ex = exclude;
        int excludedId = ex.colIdx()[ex.rowStart(0)];
        UnaryOperator<Recommendations> d = switch (damage) {
            case "swap" ->
                r -> edit(r, 0, (ids, sc) -> {
                    int t = ids[2];
                    ids[2] = ids[3];
                    ids[3] = t;
                    float f = sc[2];
                    sc[2] = sc[3];
                    sc[3] = f;
                });
            case "drop-best" ->
                r -> edit(r, 0, (ids, sc) -> {
                    System.arraycopy(ids, 1, ids, 0, ids.length - 1);
                    System.arraycopy(sc, 1, sc, 0, sc.length - 1);
                    sc[sc.length - 1] = sc[sc.length - 2] - 1;
                    ids[ids.length - 1] = excludedId;
                });
            case "excluded" -> r -> edit(r, 0, (ids, sc) -> ids[9] = excludedId);
            case "repeat" ->
                r -> edit(r, 0, (ids, sc) -> {
                    ids[9] = ids[8];
                    sc[9] = sc[8];
                });
            case "wrong-score" -> r -> edit(r, 0, (ids, sc) -> sc[0] += 0.01f * Math.abs(sc[0]) + 1e-3f);
            case "short" ->
                r -> {
                    int[] counts = new int[r.rows()];
                    int[] ids = new int[r.rows() * r.k()];
                    float[] sc = new float[ids.length];
                    for (int i = 0; i < r.rows(); i++) {
                        counts[i] = i == 0 ? r.count(i) - 1 : r.count(i);
                        System.arraycopy(r.ids(i), 0, ids, i * r.k(), counts[i]);
                        System.arraycopy(r.scores(i), 0, sc, i * r.k(), counts[i]);
                    }
                    return Recommendations.of(r.k(), ids, sc, counts);
                };
            default ->
                r -> {
                    throw new GpuException(701, "launch topk_users failed: CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES (701)");
                };
        };
        TopKScorer s = new GpuTopKScorer(engine(d), null, new CpuTopKScorer(1), true, 1);
        Recommendations r = run(s, 10, ex);
        assertEquals("cpu", s.name());
        assertTrue(s.fallbackReason().startsWith("GPU top-k call 1: "), s.fallbackReason());
        assertTrue(s.fallbackReason().contains(expected), s.fallbackReason());
        assertSame(run(new CpuTopKScorer(1), 10, ex), r);
    }

    @Test
    void withoutFallbackTheReasonIsAnError() {
        TopKScorer s = new GpuTopKScorer(
                engine(r -> edit(r, 0, (ids, sc) -> ids[0] = ids[1])), null, new CpuTopKScorer(1), false, 1);
        AlsException e = assertThrows(AlsException.class, () -> run(s, 10, null));
        assertTrue(e.getMessage().startsWith("backend gpu failed: GPU top-k call 1: "), e.getMessage());
    }
}
