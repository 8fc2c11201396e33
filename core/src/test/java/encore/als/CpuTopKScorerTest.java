package encore.als;

import encore.matrix.Csr;
import encore.matrix.Factors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Blocked, norm-pruned top-k equals a brute-force reference (score every candidate, sort by score desc then id desc)
 * on random factors with widely varying norms, cold rows, exclusions, ties and k beyond the candidate count.
 */
class CpuTopKScorerTest {
    @ParameterizedTest(name = "{0} queries x {1} candidates, rank {2}, k {3}")
    @CsvSource({"70, 5000, 3, 10", "10, 300, 8, 1", "5, 40, 4, 100", "130, 4500, 16, 25", "3, 2100, 2, 2100"})
    void equalsBruteForce(int nq, int nc, int rank, int k) {
        SplittableRandom rnd = new SplittableRandom(nq * 31L + nc);
        float[] q = random(rnd, nq, rank);
        float[] c = random(rnd, nc, rank);
        // ties: copy some candidates exactly
        for (int j = 0; j + 7 < nc; j += 97) {
            System.arraycopy(c, j * rank, c, (j + 7) * rank, rank);
        }
        BitSet qHas = new BitSet();
        BitSet cHas = new BitSet();
        for (int i = 0; i < nq; i++) {
            if (i % 11 != 5) {
                qHas.set(i);
            }
        }
        for (int j = 0; j < nc; j++) {
            if (j % 13 != 3) {
                cHas.set(j);
            }
        }
        int[] r = new int[nq * 20];
        int[] col = new int[nq * 20];
        int m = 0;
        for (int i = 0; i < nq; i++) {
            for (int e = 0; e < 20; e++) {
                r[m] = i;
                col[m] = rnd.nextInt(nc);
                m++;
            }
        }
        Csr exclude = Csr.fromCoordinates(nq, nc, r, col, new float[m]);
        Factors queries = Factors.copyOf(q, nq, rank, qHas);
        Factors candidates = Factors.copyOf(c, nc, rank, cHas);
        for (int threads : new int[] {1, 3}) {
            CpuTopKScorer scorer = new CpuTopKScorer(threads);
            Recommendations[] both = scorer.topKWithAndWithoutExclusion(queries, candidates, k, exclude);
            Recommendations plain = scorer.topK(queries, candidates, k, null, null);
            for (int i = 0; i < nq; i++) {
                assertArrayEquals(reference(q, i, c, qHas, cHas, nc, rank, k, exclude), both[0].ids(i), "excl " + i);
                assertArrayEquals(reference(q, i, c, qHas, cHas, nc, rank, k, null), both[1].ids(i), "all " + i);
                assertArrayEquals(both[1].ids(i), plain.ids(i));
            }
        }
    }

    private static float[] random(SplittableRandom rnd, int n, int rank) {
        float[] f = new float[n * rank];
        for (int i = 0; i < n; i++) {
            double scale = Math.exp(2 * rnd.nextGaussian()); // norms over orders of magnitude
            for (int d = 0; d < rank; d++) {
                f[i * rank + d] = (float) (scale * rnd.nextGaussian());
            }
        }
        return f;
    }

    private static int[] reference(
            float[] q, int i, float[] c, BitSet qHas, BitSet cHas, int nc, int rank, int k, Csr exclude) {
        if (!qHas.get(i)) {
            return new int[0];
        }
        BitSet ex = new BitSet();
        if (exclude != null) {
            for (int p = exclude.rowStart(i); p < exclude.rowEnd(i); p++) {
                ex.set(exclude.colIdx()[p]);
            }
        }
        List<float[]> all = new ArrayList<>();
        for (int j = 0; j < nc; j++) {
            if (!cHas.get(j) || ex.get(j)) {
                continue;
            }
            float s = 0;
            for (int d = 0; d < rank; d++) {
                s += q[i * rank + d] * c[j * rank + d];
            }
            all.add(new float[] {s, j});
        }
        all.sort((a, b) -> a[0] != b[0] ? Float.compare(b[0], a[0]) : Float.compare(b[1], a[1]));
        int n = Math.min(k, all.size());
        int[] out = new int[n];
        for (int t = 0; t < n; t++) {
            out[t] = (int) all.get(t)[1];
        }
        assertEquals(n, out.length);
        return out;
    }
}
