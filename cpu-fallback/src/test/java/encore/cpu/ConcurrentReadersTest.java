package encore.cpu;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.Recommendations;
import encore.als.Recommender;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The README's thread-safety contract: one {@link AlsModel} serving 8 threads at once gives exactly the answers it
 * gives serially (predictions, per-user recommendations, similar items, label lookups).
 */
class ConcurrentReadersTest {
    /** Calls per thread: 2,000 in CI; {@code -Dencore.readers.calls=100000} for the 8 × 10⁵ under load. */
    static final int CALLS = Integer.getInteger("encore.readers.calls", 2_000);

    @Test
    void eightThreadsGetTheSerialAnswers() throws Exception {
        SparkStyleData d = SparkStyleData.explicit(80, 120, 3, 0.05, 21);
        AlsModel m =
                SparkStyleData.fit(d.train, AlsParams.builder().rank(6).seed(1).build(), 1);
        Recommendations serial = m.recommendForAllUsers(7, d.train.userItems());
        float[] preds = new float[80 * 120];
        for (int u = 0; u < 80; u++) {
            for (int i = 0; i < 120; i++) {
                preds[u * 120 + i] = m.predict(u, i);
            }
        }
        int[] similar = m.similarItems(5, 6).ids(0);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
                    int calls = 0;
                    for (int n = 0; n < CALLS; n++) {
                        int u = rnd.nextInt(80);
                        int i = rnd.nextInt(120);
                        assertEquals(preds[u * 120 + i], m.predict(u, i));
                        assertEquals(preds[u * 120 + i], m.predict(Integer.toString(u), Integer.toString(i)));
                        if (n % 50 == 0) {
                            Recommender.UserRecommendations r =
                                    m.recommendForUsers(new String[] {Integer.toString(u)}, 7, d.train.userItems());
                            if (m.hasUser(u)) {
                                assertArrayEquals(serial.ids(u), r.lists().ids(0));
                                assertArrayEquals(serial.scores(u), r.lists().scores(0));
                            }
                            assertArrayEquals(similar, m.similarItems(5, 6).ids(0));
                        }
                        calls++;
                    }
                    return calls;
                }));
            }
            int total = 0;
            for (Future<Integer> f : futures) {
                total += f.get();
            }
            assertEquals(8 * CALLS, total);
        } finally {
            pool.shutdownNow();
        }
    }
}
