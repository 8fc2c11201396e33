package encore.eval;

import encore.matrix.Csr;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PopularityBaselineTest {
    /** Builds a CSR from rows of ascending column ids (values 1). */
    static Csr csr(int cols, int[]... rows) {
        int[] ptr = new int[rows.length + 1];
        for (int r = 0; r < rows.length; r++) {
            ptr[r + 1] = ptr[r] + rows[r].length;
        }
        int[] idx = new int[ptr[rows.length]];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, idx, ptr[r], rows[r].length);
        }
        float[] val = new float[idx.length];
        java.util.Arrays.fill(val, 1f);
        return new Csr(rows.length, cols, ptr, idx, val);
    }

    /*
     * users × 5 items:
     *   u0 {0,2}; u1 {2,3}; u2 {0,2,4,4} (a repeated column counts once); u3 {}; u4 all items.
     * popularity: i0=3, i1=1, i2=4, i3=2, i4=2  ->  ranking 2,0,3,4,1 (tie 3/4: lower index first).
     * Counting u2's repeated 4 twice would give i4=3 and the wrong ranking 2,0,4,3,1.
     */
    private static final Csr TRAIN =
            csr(5, new int[] {0, 2}, new int[] {2, 3}, new int[] {0, 2, 4, 4}, new int[] {}, new int[] {0, 1, 2, 3, 4});

    @Test
    void rankingByDistinctUsersWithTies() {
        PopularityBaseline b = new PopularityBaseline(TRAIN);
        assertArrayEquals(new int[] {2, 0, 3, 4, 1}, b.ranking());
        assertEquals(3, b.popularity(0));
        assertEquals(2, b.popularity(4));
    }

    @Test
    void recommendExcludesSeen() {
        PopularityBaseline b = new PopularityBaseline(TRAIN);
        assertArrayEquals(new int[] {3, 4}, b.recommend(0, 2, true));
        assertArrayEquals(new int[] {2, 0}, b.recommend(0, 2, false));
        assertArrayEquals(new int[] {0, 4, 1}, b.recommend(1, 3, true));
        assertArrayEquals(new int[] {3, 1}, b.recommend(2, 5, true)); // only two unseen items
    }

    @Test
    void userWhoSawEverythingGetsNothing() {
        PopularityBaseline b = new PopularityBaseline(TRAIN);
        assertArrayEquals(new int[0], b.recommend(4, 3, true));
        assertArrayEquals(new int[] {2, 0, 3}, b.recommend(4, 3, false));
    }

    @Test
    void kLargerThanItemCount() {
        PopularityBaseline b = new PopularityBaseline(TRAIN);
        assertArrayEquals(new int[] {2, 0, 3, 4, 1}, b.recommend(3, 100, true));
        assertArrayEquals(new int[] {2, 0, 3, 4, 1}, b.recommend(0, 100, false));
        assertArrayEquals(new int[] {3, 4, 1}, b.recommend(0, 100, true));
        assertArrayEquals(new int[0], b.recommend(0, 0, true));
    }

    @Test
    void recommendAll() {
        int[][] all = new PopularityBaseline(TRAIN).recommendAll(2, true);
        assertEquals(5, all.length);
        assertArrayEquals(new int[] {3, 4}, all[0]);
        assertArrayEquals(new int[] {0, 4}, all[1]);
        assertArrayEquals(new int[] {3, 1}, all[2]);
        assertArrayEquals(new int[] {2, 0}, all[3]);
        assertArrayEquals(new int[0], all[4]);
    }

    @Test
    void unplayedItemsRankLastAndRankingIsACopy() {
        PopularityBaseline b = new PopularityBaseline(csr(4, new int[] {3}, new int[] {1, 3}));
        int[] r = b.ranking();
        assertArrayEquals(new int[] {3, 1, 0, 2}, r);
        r[0] = 99;
        assertArrayEquals(new int[] {3, 1, 0, 2}, b.ranking());
    }

    @Test
    void badArgumentsRejected() {
        PopularityBaseline b = new PopularityBaseline(TRAIN);
        assertThrows(IllegalArgumentException.class, () -> b.recommend(0, -1, true));
        assertThrows(IllegalArgumentException.class, () -> b.recommend(5, 1, true));
        assertThrows(IllegalArgumentException.class, () -> b.recommend(-1, 1, false));
    }
}
