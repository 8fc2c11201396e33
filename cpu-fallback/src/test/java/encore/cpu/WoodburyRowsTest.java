package encore.cpu;

import encore.als.AlsParams;
import encore.als.SingularSystemException;
import encore.matrix.Csr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Woodbury rows (implicit rows with few confident entries): {@link GramEigen}'s decomposition, and
 * {@link VectorWoodburyRow} and the scalar {@link WoodburyRow} against the double reference with the engine's
 * tolerance, against each other to rounding, bit for bit the same in any batch, and handing over to the k × k system
 * where they must.
 */
class WoodburyRowsTest {

    /** Q·diag(μ)·Qᵀ gives YᵀY back and Q is orthogonal, to rounding, at ranks around the vector width. */
    @ParameterizedTest(name = "rank {0}")
    @CsvSource({"1", "2", "7", "8", "9", "33", "64", "130"})
    void theEigendecompositionReconstructsTheGram(int k) {
        Random rnd = new Random(5L * k);
        int n = 3 * k + 5;
        float[] y = VectorKernelsTest.gaussian(n * k, 0.7, rnd);
        double[] gram = CpuAlsBackend.gram(y, null, n, k, 1, false);
        GramEigen e = GramEigen.of(gram, k, VectorDense.stride(k));
        assertNotNull(e);
        assertReconstructs(gram, e, k);
    }

    /**
     * Degenerate spectra: a multiple of the identity (every pair already diagonal), a repeated eigenvalue and a Gram of
     * rank 2 at rank 6 (zero eigenvalues, which {@link GramEigen#inverseDiagonal} refuses without regularisation).
     */
    @Test
    void degenerateSpectraDecomposeToo() {
        int k = 6;
        double[] identity = new double[k * k];
        for (int i = 0; i < k; i++) {
            identity[i * k + i] = 3;
        }
        GramEigen id = GramEigen.of(identity, k, VectorDense.stride(k));
        assertReconstructs(identity, id, k);
        for (int i = 0; i < k; i++) {
            assertEquals(3, id.value(i));
        }
        float[] two = {1, 2, 0, -1, 3, 1, 2, 4, 0, -2, 6, 2}; // two rows: rank 2
        double[] low = CpuAlsBackend.gram(two, null, 2, k, 1, false);
        GramEigen e = GramEigen.of(low, k, VectorDense.stride(k));
        assertReconstructs(low, e, k);
        double[] d = new double[VectorDense.stride(k)];
        assertFalse(e.inverseDiagonal(0, d), "a singular B has no inverse");
        assertTrue(e.inverseDiagonal(0.5, d));
        for (int i = 0; i < k; i++) {
            assertEquals(1 / (e.value(i) + 0.5), d[i], 1e-15);
        }
        for (int i = k; i < d.length; i++) {
            assertEquals(0, d[i], "padding " + i);
        }
        double[] bad = identity.clone();
        bad[1] = Double.NaN;
        assertNull(GramEigen.of(bad, k, VectorDense.stride(k)));
    }

    /**
     * One implicit row of n entries (some negative, some zero) by the vector and the scalar Woodbury form and the
     * vector Cholesky: each against the reference with the engine's tolerance, the three to rounding.
     */
    @ParameterizedTest(name = "rank {0}, {1} entries")
    @CsvSource({"4, 1", "10, 1", "10, 4", "17, 3", "17, 7", "32, 15", "64, 1", "64, 2", "64, 16", "130, 5", "130, 32"})
    void theWoodburyFormsSolveTheRowsSystem(int k, int n) {
        Random rnd = new Random(71L * k + n);
        int cols = Math.max(2 * n, 3 * k);
        Csr ratings = rows(new int[] {n}, cols, rnd);
        float[] src = VectorKernelsTest.gaussian(cols * k, 0.3, rnd);
        AlsParams p = params(k);
        double[] gram = CpuAlsBackend.gram(src, null, cols, k, 1, false);
        assertTrue(n <= RowSolvers.vectorWoodburyMax(k), "the vector form takes the row");
        float[] vector = new float[k];
        float[] scalar = new float[k];
        float[] cholesky = new float[k];
        new VectorWoodburyRow(k, failing())
                .solve(0, new HalfStep(ratings, src, vector, gram, WoodburyBase.of(gram, p, true), p));
        new WoodburyRow(k, failing())
                .solve(0, new HalfStep(ratings, src, scalar, gram, WoodburyBase.of(gram, p, false), p));
        new VectorCholeskyRow(k).solve(0, new HalfStep(ratings, src, cholesky, gram, null, p));
        double[] ref = ReferenceSolve.row(ratings, 0, src, cols, k, p);
        double norm = 0;
        for (double v : ref) {
            norm = Math.max(norm, Math.abs(v));
        }
        for (int d = 0; d < k; d++) {
            double tol = 1e-5 * Math.max(1e-3, Math.abs(ref[d])) + 1e-6 * norm;
            assertEquals(ref[d], vector[d], tol, "vector Woodbury dim " + d);
            assertEquals(ref[d], scalar[d], tol, "scalar Woodbury dim " + d);
            assertEquals(cholesky[d], vector[d], 4 * Math.ulp(Math.abs(cholesky[d])) + 1e-6 * norm, "vs Cholesky " + d);
        }
    }

    /**
     * Rows of many lengths solved by {@link RowSolvers#solveRange} (Woodbury rows four at a time, with longer rows,
     * a row whose B is singular and declined rows between them) and each alone: bit for bit the same.
     */
    @ParameterizedTest(name = "rank {0}")
    @CsvSource({"10", "64"})
    void batchesGiveEveryRowTheBitsItGetsAlone(int k) {
        Random rnd = new Random(3L * k);
        int max = RowSolvers.vectorWoodburyMax(k);
        int[] lengths = new int[41];
        for (int r = 0; r < lengths.length; r++) {
            lengths[r] = r % 7 == 3 ? max + 1 + rnd.nextInt(3 * k) : 1 + rnd.nextInt(max);
        }
        int cols = 4 * k + 50;
        Csr ratings = rows(lengths, cols, rnd);
        float[] src = VectorKernelsTest.gaussian(cols * k, 0.3, rnd);
        AlsParams p = params(k);
        double[] gram = CpuAlsBackend.gram(src, null, cols, k, 1, false);
        WoodburyBase base = WoodburyBase.of(gram, p, true);
        float[] batched = new float[lengths.length * k];
        new RowSolvers(k, true).solveRange(0, lengths.length, new HalfStep(ratings, src, batched, gram, base, p));
        float[] alone = new float[lengths.length * k];
        for (int r = 0; r < lengths.length; r++) {
            new RowSolvers(k, true).solve(r, new HalfStep(ratings, src, alone, gram, base, p));
        }
        assertArrayEquals(alone, batched);
        for (int r = 0; r < lengths.length; r++) {
            double[] ref = ReferenceSolve.row(ratings, r, src, cols, k, p);
            for (int d = 0; d < k; d++) {
                assertEquals(ref[d], batched[r * k + d], 1e-5 * Math.max(1e-3, Math.abs(ref[d])) + 1e-5, r + "/" + d);
            }
        }
    }

    /**
     * A row whose entries are all negative (n⁺ = 0: B = YᵀY, singular here, two source rows at rank 6) is declined by
     * the Woodbury form and handed to the k × k system, which finds A singular too and says so, as it does when it
     * gets the row directly.
     */
    @Test
    void aSingularBaseHandsTheRowToTheKByKSystem() {
        int k = 6;
        Csr ratings = new Csr(1, 2, new int[] {0, 2}, new int[] {0, 1}, new float[] {-2, -1});
        float[] src = {1, 2, 0, -1, 3, 1, 2, 4, 0, -2, 6, 2};
        AlsParams p = params(k);
        double[] gram = CpuAlsBackend.gram(src, null, 2, k, 1, false);
        int[] calls = {0};
        RowSolver counting = (row, step) -> {
            calls[0]++;
            new VectorCholeskyRow(k).solve(row, step);
        };
        WoodburyBase base = WoodburyBase.of(gram, p, true);
        assertThrows(
                SingularSystemException.class,
                () -> new VectorWoodburyRow(k, counting)
                        .solve(0, new HalfStep(ratings, src, new float[k], gram, base, p)));
        assertEquals(1, calls[0], "handed to the k × k system");
        assertThrows(
                SingularSystemException.class,
                () -> new VectorCholeskyRow(k).solve(0, new HalfStep(ratings, src, new float[k], gram, null, p)));
    }

    private static AlsParams params(int k) {
        return AlsParams.builder()
                .rank(k)
                .regParam(0.05)
                .implicitPrefs(true)
                .alpha(2)
                .build();
    }

    /** Rows of the given lengths over distinct random columns: play counts, a few negative or zero. */
    private static Csr rows(int[] lengths, int cols, Random rnd) {
        int[] ptr = new int[lengths.length + 1];
        for (int r = 0; r < lengths.length; r++) {
            ptr[r + 1] = ptr[r] + lengths[r];
        }
        int[] col = new int[ptr[lengths.length]];
        float[] val = new float[col.length];
        for (int r = 0; r < lengths.length; r++) {
            boolean[] used = new boolean[cols];
            int[] picked = new int[lengths[r]];
            for (int j = 0; j < lengths[r]; j++) {
                int c;
                do {
                    c = rnd.nextInt(cols);
                } while (used[c]);
                used[c] = true;
                picked[j] = c;
            }
            java.util.Arrays.sort(picked);
            for (int j = 0; j < lengths[r]; j++) {
                int q = ptr[r] + j;
                col[q] = picked[j];
                int kind = rnd.nextInt(10);
                val[q] = kind == 0 ? -1 - rnd.nextInt(3) : kind == 1 && j > 0 ? 0 : 1 + rnd.nextInt(200);
            }
        }
        return new Csr(lengths.length, cols, ptr, col, val);
    }

    /** A fallback that must not be reached. */
    private static RowSolver failing() {
        return (row, step) -> {
            throw new AssertionError("row " + row + " fell back to the k × k system");
        };
    }

    private static void assertReconstructs(double[] gram, GramEigen e, int k) {
        int st = e.stride();
        double scale = 0;
        for (int i = 0; i < k; i++) {
            for (int j = i; j < k; j++) {
                scale = Math.max(scale, Math.abs(gram[i * k + j]));
            }
        }
        for (int i = 0; i < k; i++) {
            for (int j = i; j < k; j++) {
                double s = 0;
                double o = 0;
                for (int p = 0; p < k; p++) {
                    s += e.q()[i * st + p] * e.value(p) * e.q()[j * st + p];
                    o += e.q()[i * st + p] * e.q()[j * st + p];
                    assertEquals(e.q()[i * st + p], e.qt()[p * st + i], "Qᵀ is Q transposed");
                }
                assertEquals(gram[i * k + j], s, 1e-13 * k * Math.max(scale, 1e-300), "QΛQᵀ " + i + "," + j);
                assertEquals(i == j ? 1 : 0, o, 1e-13 * k, "QQᵀ " + i + "," + j);
            }
            for (int p = k; p < st; p++) {
                assertEquals(0, e.q()[i * st + p], "padding");
            }
        }
    }
}
