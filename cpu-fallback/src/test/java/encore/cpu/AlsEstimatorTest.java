package encore.cpu;

import encore.als.Als;
import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.Backends;
import encore.als.FitListener;
import encore.als.FitResult;
import encore.als.Recommender;
import encore.data.Interactions;
import encore.matrix.Csr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The estimator: what it returns, that it is a value, and that index-space ratings fit like labelled ones. */
class AlsEstimatorTest {
    private static Csr ratings(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int users = 40;
        int items = 25;
        int n = 300;
        int[] u = new int[n];
        int[] i = new int[n];
        float[] v = new float[n];
        for (int q = 0; q < n; q++) {
            u[q] = rnd.nextInt(users - 1); // the last user has no ratings: cold
            i[q] = rnd.nextInt(items);
            v[q] = 1 + rnd.nextInt(5);
        }
        return Csr.fromCoordinates(users, items, u, i, v);
    }

    @Test
    void aFitReportsItsEngineItsIterationsAndNoFallbackOnTheCpu() {
        AlsParams p = AlsParams.builder().rank(4).maxIter(3).regParam(0.1).build();
        List<Integer> heard = new ArrayList<>();
        FitResult r = Als.with(p)
                .backend("cpu")
                .threads(2)
                .listener(new FitListener() {
                    @Override
                    public void iteration(int iteration, int maxIter, double seconds) {
                        heard.add(iteration * 10 + maxIter);
                    }
                })
                .fit(ratings(1));
        assertEquals("cpu", r.engine());
        assertNull(r.fallbackReason());
        assertEquals(3, r.iterationSeconds().size());
        assertEquals(List.of(13, 23, 33), heard);
        assertEquals(39, r.model().usersWithFactors());
        assertEquals(p, r.model().params());
    }

    @Test
    void indexSpaceRatingsAreLabelledByIndexAndFitLikeTheSameRatingsWithLabels() {
        Csr ui = ratings(2);
        AlsParams p = AlsParams.builder().rank(5).maxIter(4).regParam(0.05).build();
        AlsModel byIndex = Als.with(p).backend("cpu").threads(1).fit(ui).model();
        Interactions labelled = Interactions.ofIndices(ui);
        AlsModel byLabels = Als.with(p).backend("cpu").threads(3).fit(labelled).model();
        assertEquals(byLabels.userFactors(), byIndex.userFactors(), "bit-identical, whatever the thread count");
        assertEquals(byLabels.itemFactors(), byIndex.itemFactors());
        assertEquals("7", byIndex.users().label(7));
        assertEquals(7, byIndex.users().indexOf("7"));
        assertEquals(ui.rowLength(7), byIndex.users().frequency(7));
        assertEquals(ui.cols(), byIndex.items().size());
    }

    @Test
    void theEstimatorIsAValue() {
        Als a = Als.with(AlsParams.defaults());
        Als b = a.backend("cpu").threads(1);
        assertNotSame(a, b);
        assertEquals("auto", a.backendName());
        assertEquals("cpu", b.backendName());
        assertEquals(1, b.threadCount());
        assertEquals(Runtime.getRuntime().availableProcessors(), a.threadCount());
        assertEquals(
                7, b.withParams(AlsParams.builder().rank(7).build()).params().rank());
        assertEquals(10, b.params().rank());
    }

    @Test
    void badSettingsAreRefusedNamingTheParameter() {
        assertEquals(
                "threads must be >= 1, got 0",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Als.with(AlsParams.defaults()).threads(0))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> Als.with(null));
        assertThrows(
                IllegalArgumentException.class,
                () -> Als.with(AlsParams.defaults()).backend(" "));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Als.with(AlsParams.defaults()).backend("tpu").fit(ratings(3)));
        assertEquals("unknown backend 'tpu': expected auto or one of [cpu, broken-for-tests]", e.getMessage());
    }

    @Test
    void aRecommenderOpenedByNameListsWhatTheModelsShortcutLists() {
        AlsModel m = Als.with(AlsParams.builder().rank(4).maxIter(2).build())
                .backend("cpu")
                .fit(ratings(4))
                .model();
        try (Recommender r = m.recommender("cpu", 2);
                Backends.Choice c = Backends.choose("cpu")) {
            assertEquals("cpu", r.engine());
            assertNull(r.fallbackReason());
            assertEquals("cpu", c.name());
            for (int u = 0; u < m.users().size(); u++) {
                assertArrayEquals(
                        m.recommendForAllUsers(5, null).ids(u),
                        r.recommendForAllUsers(5, null).ids(u));
            }
        }
    }
}
