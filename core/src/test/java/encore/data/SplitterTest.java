package encore.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static encore.data.CsvFixtures.HEADER;
import static encore.data.CsvFixtures.opts;
import static encore.data.CsvFixtures.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitterTest {
    @TempDir
    Path dir;

    private Path sample() throws Exception {
        StringBuilder sb = new StringBuilder(HEADER);
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < 30_000; i++) {
            int u = (int) (Math.pow(r.nextDouble(), 2) * 400);
            int t = r.nextInt(3000);
            sb.append('u').append(u).append(",0,t").append(t).append(",a,b\n");
        }
        return write(dir, "s.csv", sb.toString());
    }

    private static Prepared run(Path f, int threads, SplitSpec s) throws Exception {
        return Prepare.run(f, new PrepareOptions(opts().withThreads(threads).withChunkBytes(64 << 10), -1, s));
    }

    private static void assertSamePlays(IndexedPlays a, IndexedPlays b) {
        assertEquals(a.pairs(), b.pairs());
        for (int u = 0; u < a.users().size(); u++) {
            assertEquals(a.rowStart(u), b.rowStart(u));
            for (int k = a.rowStart(u); k < a.rowEnd(u); k++) {
                assertEquals(a.item(k), b.item(k));
                assertEquals(a.count(k), b.count(k));
            }
        }
    }

    @Test
    void randomSplitIsReproducibleAcrossThreadCountsAndPartitionsThePairs() throws Exception {
        Path f = sample();
        Prepared a = run(f, 1, SplitSpec.random(0.5, 9));
        Prepared b = run(f, 4, SplitSpec.random(0.5, 9));
        assertSamePlays(a.split().train(), b.split().train());
        assertSamePlays(a.split().test(), b.split().test());
        IndexedPlays all = a.plays();
        assertEquals(all.pairs(), a.split().train().pairs() + a.split().test().pairs());
        assertEquals(all.plays(), a.split().train().plays() + a.split().test().plays());
        double frac = a.split().test().pairs() / (double) all.pairs();
        assertTrue(Math.abs(frac - 0.5) < 0.02, "test fraction " + frac);
        for (int u = 0; u < all.users().size(); u++) {
            for (int k = all.rowStart(u); k < all.rowEnd(u); k++) {
                int inTrain = a.split().train().count(u, all.item(k));
                int inTest = a.split().test().count(u, all.item(k));
                assertTrue((inTrain == 0) != (inTest == 0), "pair on exactly one side");
                assertEquals(all.count(k), inTrain + inTest);
            }
        }
        // another seed gives another split: an independent 50/50 draw puts about half the pairs on the other side
        Prepared other = run(f, 2, SplitSpec.random(0.5, 10));
        int moved = 0;
        for (int u = 0; u < all.users().size(); u++) {
            for (int k = all.rowStart(u); k < all.rowEnd(u); k++) {
                boolean here = a.split().test().count(u, all.item(k)) > 0;
                boolean there = other.split().test().count(u, all.item(k)) > 0;
                moved += here != there ? 1 : 0;
            }
        }
        double movedFraction = moved / (double) all.pairs();
        assertTrue(Math.abs(movedFraction - 0.5) < 0.05, "pairs on the other side with another seed: " + movedFraction);
    }

    @Test
    void splitDependsOnLabelsNotOnIndices() throws Exception {
        Path f = sample();
        Prepared full = run(f, 2, SplitSpec.random(0.3, 1));
        Prepared limited = Prepare.run(f, new PrepareOptions(opts(), 5000, SplitSpec.random(0.3, 1)));
        IndexedPlays lt = limited.split().test();
        int checked = 0;
        for (int u = 0; u < lt.users().size(); u++) {
            int fu = full.plays().users().indexOf(lt.users().label(u));
            for (int k = lt.rowStart(u); k < lt.rowEnd(u); k++) {
                int fi = full.plays().items().indexOf(lt.items().label(lt.item(k)));
                assertTrue(full.split().test().count(fu, fi) > 0, "a test pair of the limited run is a test pair");
                checked++;
            }
        }
        assertEquals(lt.pairs(), checked);
        assertTrue(checked > 100, "test pairs checked: " + checked);
    }

    @Test
    void holdoutTakesTheFractionOfEachEligibleUser() throws Exception {
        Path f = sample();
        Prepared a = run(f, 1, SplitSpec.holdout(0.2, 4));
        Prepared b = run(f, 3, SplitSpec.holdout(0.2, 4));
        assertSamePlays(a.split().test(), b.split().test());
        IndexedPlays all = a.plays();
        IndexedPlays test = a.split().test();
        int eligible = 0;
        for (int u = 0; u < all.users().size(); u++) {
            int n = all.rowEnd(u) - all.rowStart(u);
            int t = test.rowEnd(u) - test.rowStart(u);
            if (n < SplitSpec.MIN_HOLDOUT_ITEMS) {
                assertEquals(0, t);
            } else {
                eligible++;
                assertEquals(Math.max(1, Math.min(n - 1, Math.round(0.2 * n))), t, "user " + u + " with " + n);
            }
        }
        assertTrue(eligible > 100);
    }

    @Test
    void limitKeepsTheFirstPairsByUserThenItemLabel() throws Exception {
        String csv = HEADER + "b,0,t2,a,x\nb,0,t1,a,x\na,0,t9,a,x\nc,0,t0,a,x\na,0,t3,a,x\nb,0,t0,a,x\n";
        Path f = write(dir, "l.csv", csv);
        Prepared p = Prepare.run(f, new PrepareOptions(opts(), 4, SplitSpec.none()));
        // ordered: (a,t3) (a,t9) (b,t0) (b,t1) | (b,t2) (c,t0)
        assertEquals(4, p.plays().pairs());
        assertArrayEquals(new String[] {"a", "b"}, p.plays().users().labels());
        assertArrayEquals(
                new String[] {"t0", "t1", "t3", "t9"}, p.plays().items().labels());
        assertEquals(1, CsvFixtures.count(p, "b", "t1"));
        assertEquals(0, CsvFixtures.count(p, "b", "t2"));
    }
}
