package encore.cpu;

import encore.als.AlsParams;
import encore.matrix.Csr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CgRow}'s two ways of reading a row — gathered once into a buffer (rows up to {@link CgRow#GATHER_LIMIT}
 * values) and in place (longer rows) — give bit-identical factors, and the buffer survives rows of every length in
 * any order (it grows, and a short row after a long one reads only its own entries).
 */
class CgRowTest {
    @ParameterizedTest(name = "rank {0}")
    @ValueSource(ints = {1, 7, 32})
    void gatheredAndInPlaceRowsAreBitIdentical(int k) {
        SplittableRandom rng = new SplittableRandom(k);
        int cols = 400;
        int[] lengths = {1, 3, 90, 2, 399, 0, 17, 250, 1, 60};
        int rows = lengths.length;
        int nnz = Arrays.stream(lengths).sum();
        int[] ptr = new int[rows + 1];
        int[] col = new int[nnz];
        float[] val = new float[nnz];
        for (int r = 0, q = 0; r < rows; r++) {
            ptr[r + 1] = ptr[r] + lengths[r];
            int[] picked =
                    rng.ints(0, cols).distinct().limit(lengths[r]).sorted().toArray();
            for (int j : picked) {
                col[q] = j;
                val[q++] = rng.nextInt(5) == 0 ? -1 - rng.nextInt(3) : rng.nextInt(40); // zeros and negatives too
            }
        }
        Csr ratings = new Csr(rows, cols, ptr, col, val);
        float[] src = new float[cols * k];
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) rng.nextGaussian() * 0.3f;
        }
        float[] warm = new float[rows * k];
        for (int i = 0; i < warm.length; i++) {
            warm[i] = (float) rng.nextGaussian() * 0.1f;
        }
        AlsParams p = AlsParams.builder()
                .rank(k)
                .implicitPrefs(true)
                .alpha(2)
                .regParam(0.05)
                .solver(AlsParams.Solver.CG)
                .cgSteps(3)
                .build();
        double[] gram = CpuAlsBackend.gram(src, null, cols, k, 1, false);
        float[] gathered = warm.clone();
        float[] inPlace = warm.clone();
        float[] mixed = warm.clone(); // a limit between the row lengths: both paths in one pass
        HalfStep g = new HalfStep(ratings, src, gathered, gram, null, p);
        HalfStep i = new HalfStep(ratings, src, inPlace, gram, null, p);
        HalfStep m = new HalfStep(ratings, src, mixed, gram, null, p);
        CgRow always = new CgRow(k, Integer.MAX_VALUE);
        CgRow never = new CgRow(k, 0);
        CgRow some = new CgRow(k, 60 * k);
        int solved = 0;
        for (int r = 0; r < rows; r++) {
            if (lengths[r] == 0) {
                continue;
            }
            always.solve(r, g);
            never.solve(r, i);
            some.solve(r, m);
            solved++;
        }
        assertEquals(9, solved);
        assertArrayEquals(inPlace, gathered);
        assertArrayEquals(inPlace, mixed);
        assertTrue(!Arrays.equals(warm, inPlace), "the rows moved");
    }
}
