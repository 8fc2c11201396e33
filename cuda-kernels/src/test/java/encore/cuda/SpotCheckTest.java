package encore.cuda;

import encore.als.AlsParams;
import encore.cpu.CpuHalfIteration;
import encore.matrix.Csr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpotCheckTest {
    private static final AlsParams P = AlsParams.builder().rank(2).regParam(0.5).build();
    // one row, y1 = (1, 0) rated 2, y2 = (0, 1) rated 4: A = I + 0.5·2·I = 2I, b = (2, 4), x = (1, 2)
    private static final Csr ROW = new Csr(1, 2, new int[] {0, 2}, new int[] {0, 1}, new float[] {2, 4});
    private static final float[] Y = {1, 0, 0, 1};

    private static SpotCheck.Solution solution(float[] x) {
        return new SpotCheck.Solution(ROW, Y, x, P, null);
    }

    @Test
    void theExactSolutionHasNoResidual() {
        assertEquals(0.0, new RowResiduals(solution(new float[] {1, 2})).of(0, new double[2], new double[2]));
        assertNull(SpotCheck.check(solution(new float[] {1, 2}), 1));
    }

    @Test
    void aWrongComponentIsMeasuredAgainstTheScaleOfTheEquations() {
        // x = (1, 2.5): A x − b = (0, 1); scale = Σ w‖y‖²‖x‖ + λn‖x‖ + ‖b‖ = 3‖x‖ + ‖b‖
        double x = Math.sqrt(1 + 2.5 * 2.5);
        double expected = 1 / (3 * x + Math.sqrt(20));
        assertEquals(
                expected, new RowResiduals(solution(new float[] {1, 2.5f})).of(0, new double[2], new double[2]), 1e-15);
        assertTrue(SpotCheck.check(solution(new float[] {1, 2.5f}), 1).startsWith("row 0 (2 entries) fails"));
        assertTrue(SpotCheck.check(solution(new float[] {1, Float.NaN}), 1).contains("non-finite"));
    }

    @ParameterizedTest
    @CsvSource({"4,false,0.01", "16,true,0.01", "64,false,0.001", "128,true,0.1", "100,true,1e-4"})
    void cpuSolutionsPassWithAWideMargin(int k, boolean implicit, double reg) {
        SplittableRandom rng = new SplittableRandom(k);
        int rows = 300;
        int cols = 400;
        int[] r = new int[rows * 40];
        int[] c = new int[r.length];
        float[] v = new float[r.length];
        int q = 0;
        for (int i = 0; i < rows; i++) {
            int len = 1 + rng.nextInt(i % 7 == 0 ? 40 : 6);
            for (int j = 0; j < len; j++) {
                r[q] = i;
                c[q] = (i * 7 + j * 13) % cols;
                v[q] = 1 + rng.nextInt(30);
                q++;
            }
        }
        Csr m = Csr.fromCoordinates(
                rows,
                cols,
                java.util.Arrays.copyOf(r, q),
                java.util.Arrays.copyOf(c, q),
                java.util.Arrays.copyOf(v, q));
        float[] src = new float[cols * k];
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) rng.nextGaussian() * 0.3f;
        }
        float[] dst = new float[rows * k];
        AlsParams p = AlsParams.builder()
                .rank(k)
                .regParam(reg)
                .implicitPrefs(implicit)
                .alpha(40)
                .build();
        CpuHalfIteration.solve(m, src, dst, p, 1);
        double[] gram = null;
        if (implicit) {
            gram = new double[k * k];
            for (int i = 0; i < cols; i++) {
                for (int a = 0; a < k; a++) {
                    for (int b = 0; b < k; b++) {
                        gram[a * k + b] += (double) src[i * k + a] * src[i * k + b];
                    }
                }
            }
        }
        double worst = 0;
        RowResiduals residuals = new RowResiduals(new SpotCheck.Solution(m, src, dst, p, gram));
        for (int row = 0; row < rows; row++) {
            worst = Math.max(worst, residuals.of(row, new double[k], new double[k]));
        }
        assertTrue(worst < SpotCheck.TOLERANCE / 10, "worst relative residual " + worst);
        assertNull(SpotCheck.check(new SpotCheck.Solution(m, src, dst, p, gram), 3));
        if (implicit) {
            gram[k + 1] += 1e-4 * gram[k + 1];
            assertNotNull(SpotCheck.checkGram(src, cols, k, gram, new SplittableRandom(1)));
        }
    }

    /** A solved half-iteration of {@code rows} rows (every 7th long), explicit, rank 6. */
    private static SpotCheck.Solution solved(int rows, long seed) {
        Csr m = SyntheticMatrix.random(rows, 500, rows * 8L, 2, seed);
        AlsParams p = AlsParams.builder().rank(6).regParam(0.05).build();
        SplittableRandom rng = new SplittableRandom(seed);
        float[] src = new float[m.cols() * 6];
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) rng.nextGaussian() * 0.3f;
        }
        float[] dst = new float[m.rows() * 6];
        CpuHalfIteration.solve(m, src, dst, p, 1);
        return new SpotCheck.Solution(m, src, dst, p, null);
    }

    @Test
    void aWrongRowIsFoundWhereverItIs() {
        SpotCheck.Solution s = solved(300, 4);
        assertNull(SpotCheck.check(s, 1));
        int tried = 0;
        for (int r = 0; r < s.ratings().rows(); r++) {
            if (s.ratings().rowLength(r) > 0) {
                float before = s.dst()[r * 6 + 2];
                s.dst()[r * 6 + 2] = before + 0.01f * (1 + Math.abs(before));
                String f = SpotCheck.check(s, r);
                assertTrue(f != null && f.startsWith("row " + r + " ("), r + ": " + f);
                s.dst()[r * 6 + 2] = before;
                tried++;
            }
        }
        assertEquals(s.ratings().nonEmptyRows().cardinality(), tried);
    }

    @Test
    void theFirstWrongRowIsReportedWhateverTheThreadCount() {
        SpotCheck.Solution s = solved(9000, 6);
        int[] wrong = {8500, 4100, 2300};
        for (int r : wrong) {
            assertTrue(s.ratings().rowLength(r) > 0);
            s.dst()[r * 6] += 0.5f;
        }
        for (int threads : new int[] {1, 2, 5}) {
            String f = SpotCheck.check(s, null, threads, 1);
            assertTrue(f.startsWith("row 2300 ("), threads + " threads: " + f);
        }
    }

    @Test
    void theCgSampleIsDistinctRowsWithEntriesTheLongestFirst() {
        Csr big = SyntheticMatrix.random(3000, 400, 20_000, 2, 8);
        int longest = 0;
        for (int r = 0; r < big.rows(); r++) {
            if (big.rowLength(r) > big.rowLength(longest)) {
                longest = r;
            }
        }
        int[] rows = SpotCheck.sample(big, 5);
        assertEquals(SpotCheck.CG_SAMPLE, rows.length);
        assertEquals(longest, rows[0]);
        java.util.BitSet seen = new java.util.BitSet();
        for (int r : rows) {
            assertTrue(big.rowLength(r) > 0, "row " + r + " has no entries");
            assertTrue(!seen.get(r), "row " + r + " twice");
            seen.set(r);
        }
        // a small matrix is re-solved in full: every row with entries, once
        Csr small = new Csr(5, 2, new int[] {0, 1, 1, 3, 3, 4}, new int[] {0, 0, 1, 1}, new float[] {1, 2, 3, 4});
        int[] all = SpotCheck.sample(small, 5);
        java.util.Arrays.sort(all);
        assertArrayEquals(new int[] {0, 2, 4}, all);
        assertEquals(2, SpotCheck.sample(small, 9)[0], "the longest first");
    }
}
