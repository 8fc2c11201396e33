package encore.cpu;

import encore.als.AlsParams;
import encore.als.SingularSystemException;
import encore.matrix.Csr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vector kernels ({@link VectorCholeskyRow}, {@link VectorDualRow}, {@link VectorCgRow}) and the scalar ones: both against the double
 * reference with the engine's tolerance, against each other to rounding, deterministic across thread counts, and the
 * scalar path taken, cleanly, by a JVM without the incubator module.
 */
class VectorKernelsTest {

    @Test
    void theTestJvmRunsTheVectorKernels() {
        // The build passes --add-modules jdk.incubator.vector to every test JVM (as the launchers do); without it the
        // tests below would only exercise the scalar path.
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), SimdKernels.describe());
        assertTrue(SimdKernels.available(), SimdKernels.describe());
        assertTrue(SimdKernels.describe().startsWith("vector ("), SimdKernels.describe());
    }

    /** Ranks around the tile sizes (8 rows × 2 vectors) and row lengths around the gather chunk (128). */
    @ParameterizedTest(name = "rank {0}, {1} ratings, implicit {2}")
    @CsvSource({
        "1, 1, false",
        "3, 5, true",
        "8, 8, false",
        "10, 40, true",
        "16, 16, false",
        "17, 60, true",
        "33, 127, false",
        "64, 128, true",
        "64, 129, false",
        "64, 300, true",
        "100, 257, false",
        "128, 200, true",
        "130, 140, false"
    })
    void vectorAndScalarRowsSolveTheSameSystem(int k, int n, boolean implicit) {
        Random rnd = new Random(31L * k + n);
        int cols = Math.max(2 * n, 8);
        Csr ratings = oneRow(n, cols, rnd, implicit);
        float[] src = gaussian(cols * k, 0.3, rnd);
        AlsParams p = AlsParams.builder()
                .rank(k)
                .regParam(0.05)
                .implicitPrefs(implicit)
                .alpha(2)
                .build();
        double[] gram = implicit ? CpuAlsBackend.gram(src, null, cols, k, 1, false) : null;
        float[] scalar = solve(new CholeskyRow(k), ratings, src, gram, p);
        float[] vector = solve(new VectorCholeskyRow(k), ratings, src, gram, p);
        double[] ref = ReferenceSolve.row(ratings, 0, src, cols, k, p);
        double norm = 0;
        for (double v : ref) {
            norm = Math.max(norm, Math.abs(v));
        }
        for (int d = 0; d < k; d++) {
            // each against the reference with the engine's tolerance, and the two within a few float roundings
            assertEquals(ref[d], scalar[d], 1e-5 * Math.max(1e-3, Math.abs(ref[d])) + 1e-6 * norm, "scalar dim " + d);
            assertEquals(ref[d], vector[d], 1e-5 * Math.max(1e-3, Math.abs(ref[d])) + 1e-6 * norm, "vector dim " + d);
            assertEquals(
                    scalar[d], vector[d], 4 * Math.ulp(Math.abs(scalar[d])) + 1e-6 * norm, "vector vs scalar " + d);
        }
    }

    /**
     * YᵀY by the vector blocks and by the scalar sum: equal to rounding, the strict lower triangle zero in both, absent
     * rows left out, at ranks that are and are not whole tiles, over several blocks and a partial last chunk.
     */
    @ParameterizedTest(name = "rank {0}, {1} rows")
    @CsvSource({"1, 5", "7, 130", "16, 4096", "37, 9000", "64, 4097", "130, 300"})
    void vectorAndScalarGramAgree(int k, int n) {
        Random rnd = new Random(13L * k + n);
        float[] y = gaussian(n * k, 1, rnd);
        java.util.BitSet present = new java.util.BitSet(n);
        for (int r = 0; r < n; r++) {
            present.set(r, rnd.nextInt(5) != 0);
        }
        for (java.util.BitSet which : new java.util.BitSet[] {null, present}) {
            double[] scalar = CpuAlsBackend.gram(y, which, n, k, 2, false);
            double[] vector = CpuAlsBackend.gram(y, which, n, k, 2, true);
            double[] exact = new double[k * k];
            for (int r = 0; r < n; r++) {
                if (which == null || which.get(r)) {
                    for (int i = 0; i < k; i++) {
                        for (int j = i; j < k; j++) {
                            exact[i * k + j] += (double) y[r * k + i] * y[r * k + j];
                        }
                    }
                }
            }
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    String at = "(" + i + ", " + j + ")" + (which == null ? "" : " present rows");
                    if (j < i) {
                        assertEquals(0.0, scalar[i * k + j], "scalar lower " + at);
                        assertEquals(0.0, vector[i * k + j], "vector lower " + at);
                    } else {
                        double tol = 1e-12 * (n + Math.abs(exact[i * k + j]));
                        assertEquals(exact[i * k + j], scalar[i * k + j], tol, "scalar " + at);
                        assertEquals(exact[i * k + j], vector[i * k + j], tol, "vector " + at);
                    }
                }
            }
            assertArrayEquals(vector, CpuAlsBackend.gram(y, which, n, k, 1, true), "vector gram on 1 thread");
        }
    }

    /**
     * The vector Cholesky, left-looking (small n) and blocked by panels with rank-8 trailing updates (n ≥
     * {@link VectorDense#BLOCKED_FROM}), against the scalar solver: same x to rounding on random SPD systems at orders
     * around the panel and tile sizes; a matrix that is not positive definite past the first panel fails on both.
     */
    @ParameterizedTest(name = "n = {0}")
    @CsvSource({"5", "64", "95", "96", "97", "130", "200", "256", "263"})
    void vectorCholeskyBlockedOrNotSolvesAsTheScalarOne(int n) {
        Random rnd = new Random(n);
        int stride = VectorCholeskyRow.stride(n);
        double[] m = new double[n * (n + 3)];
        for (int q = 0; q < m.length; q++) {
            m[q] = rnd.nextGaussian();
        }
        double[] scalarA = new double[n * n];
        double[] vectorA = new double[stride * stride];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double v = i == j ? 0.5 : 0;
                for (int r = 0; r < n + 3; r++) {
                    v += m[r * n + i] * m[r * n + j];
                }
                scalarA[i * n + j] = v;
                vectorA[i * stride + j] = v;
            }
        }
        double[] b = new double[stride];
        for (int i = 0; i < n; i++) {
            b[i] = rnd.nextGaussian();
        }
        double[] scalarB = java.util.Arrays.copyOf(b, n);
        double[] vectorB = b.clone();
        double[] notPd = vectorA.clone();
        assertTrue(DenseSolvers.choleskySolve(scalarA, scalarB, n));
        assertTrue(VectorDense.choleskySolve(
                vectorA, vectorB, n, stride, new double[n], VectorDense.panelScratch(stride)));
        double norm = 0;
        for (int i = 0; i < n; i++) {
            norm = Math.max(norm, Math.abs(scalarB[i]));
        }
        for (int i = 0; i < n; i++) {
            assertEquals(scalarB[i], vectorB[i], 1e-9 * norm, "x " + i);
        }
        for (int i = n; i < stride; i++) {
            assertEquals(0.0, vectorB[i], "padding " + i);
        }
        int bad = Math.min(n - 1, 9);
        notPd[bad * stride + bad] = -1e6;
        assertFalse(
                VectorDense.choleskySolve(notPd, b.clone(), n, stride, new double[n], VectorDense.panelScratch(stride)),
                "pivot " + bad);
    }

    @Test
    void theVectorBuildIsTheNormalEquationUpToRounding() {
        int k = 37;
        Random rnd = new Random(3);
        int cols = 400;
        Csr ratings = oneRow(300, cols, rnd, true);
        float[] src = gaussian(cols * k, 1, rnd);
        AlsParams p = AlsParams.builder()
                .rank(k)
                .regParam(0.1)
                .implicitPrefs(true)
                .alpha(3)
                .build();
        double[] gram = CpuAlsBackend.gram(src, null, cols, k, 2, false);
        HalfStep step = new HalfStep(ratings, src, new float[k], gram, null, p);
        NormalEquation ne = new NormalEquation(k);
        step.buildNormalEquation(0, ne);
        VectorCholeskyRow v = new VectorCholeskyRow(k);
        v.build(0, step);
        int kp = v.kp();
        for (int i = 0; i < kp; i++) {
            for (int j = i; j < kp; j++) {
                double got = v.paddedA()[i * kp + j];
                if (i >= k || j >= k) {
                    assertEquals(0.0, got, "padding (" + i + ", " + j + ")");
                } else {
                    double want = ne.a()[i * k + j];
                    assertEquals(want, got, 1e-12 * Math.abs(want) + 1e-12, "A(" + i + ", " + j + ")");
                }
            }
            if (i < k) {
                assertEquals(ne.b()[i], v.paddedB()[i], 1e-12 * Math.abs(ne.b()[i]) + 1e-12, "b " + i);
            } else {
                assertEquals(0.0, v.paddedB()[i], "b padding " + i);
            }
        }
    }

    /** CG rows from one entry to a hot row (1,500 entries), zero and negative ratings among them, at ranks that are and are not whole vectors. */
    @ParameterizedTest(name = "rank {0}, {1} ratings")
    @CsvSource({"1, 3", "10, 40", "17, 100", "64, 300", "64, 1500", "100, 60", "130, 90", "256, 300"})
    void vectorAndScalarConjugateGradientAgree(int k, int n) {
        Random rnd = new Random(7L * k + n);
        int cols = 2 * n + 8;
        Csr ratings = oneRow(n, cols, rnd, true);
        float[] src = gaussian(cols * k, 0.3, rnd);
        AlsParams p = AlsParams.builder()
                .rank(k)
                .regParam(0.05)
                .implicitPrefs(true)
                .alpha(2)
                .solver(AlsParams.Solver.CG)
                .cgSteps(3)
                .build();
        double[] gram = CpuAlsBackend.gram(src, null, cols, k, 1, false);
        float[] start = gaussian(k, 0.1, rnd);
        float[] scalar = start.clone();
        float[] vector = start.clone();
        new CgRow(k).solve(0, new HalfStep(ratings, src, scalar, gram, null, p));
        new VectorCgRow(k).solve(0, new HalfStep(ratings, src, vector, gram, null, p));
        double norm = 0;
        for (float v : scalar) {
            norm = Math.max(norm, Math.abs(v));
        }
        boolean moved = false;
        for (int d = 0; d < k; d++) {
            assertEquals(scalar[d], vector[d], 4 * Math.ulp(Math.abs(scalar[d])) + 1e-6 * norm, "dim " + d);
            moved |= scalar[d] != start[d];
        }
        assertTrue(moved, "CG left the warm start unchanged");
    }

    /**
     * CG rows solved in groups of one to four (one pass over YᵀY for the group's G·v) are bit for bit the rows solved
     * alone, in any order — also when a row has converged (rᵀr &lt; 1e-20: rank 3, 8 steps) and the others have not;
     * the ranks take every tile of the product (4 and 2 column vectors, single vectors, a scalar tail).
     */
    @ParameterizedTest(name = "rank {0}, {1} steps")
    @CsvSource({"3, 8", "17, 3", "40, 3", "64, 3", "130, 3", "256, 2"})
    void groupedConjugateGradientRowsAreTheRowsSolvedAlone(int k, int steps) {
        Random rnd = new Random(k);
        int rows = 7;
        int cols = 120;
        int[] ptr = new int[rows + 1];
        List<Integer> col = new ArrayList<>();
        List<Float> val = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            Csr one = oneRow(r == 2 ? 1 : 5 + rnd.nextInt(60), cols, rnd, true);
            for (int q = 0; q < one.nnz(); q++) {
                col.add(one.colIdx()[q]);
                val.add(one.values()[q]);
            }
            ptr[r + 1] = col.size();
        }
        int[] c = col.stream().mapToInt(Integer::intValue).toArray();
        float[] v = new float[val.size()];
        for (int q = 0; q < v.length; q++) {
            v[q] = val.get(q);
        }
        Csr ratings = new Csr(rows, cols, ptr, c, v);
        float[] src = gaussian(cols * k, 0.3, rnd);
        AlsParams p = AlsParams.builder()
                .rank(k)
                .regParam(0.05)
                .implicitPrefs(true)
                .alpha(2)
                .solver(AlsParams.Solver.CG)
                .cgSteps(steps)
                .build();
        double[] gram = CpuAlsBackend.gram(src, null, cols, k, 1, true);
        float[] start = gaussian(rows * k, 0.1, rnd);
        float[] alone = start.clone();
        VectorCgRow solver = new VectorCgRow(k);
        HalfStep single = new HalfStep(ratings, src, alone, gram, null, p);
        for (int r = 0; r < rows; r++) {
            solver.solve(r, single);
        }
        float[] paired = start.clone();
        HalfStep both = new HalfStep(ratings, src, paired, gram, null, p);
        solver.solve(new int[] {0, 1}, 2, both);
        solver.solve(new int[] {3, 6, 2, 5}, 4, both);
        solver.solve(new int[] {4}, 1, both);
        assertArrayEquals(alone, paired);
        float[] ranged = start.clone();
        new RowSolvers(k, true).solveRange(0, rows, new HalfStep(ratings, src, ranged, gram, null, p));
        assertArrayEquals(alone, ranged, "RowSolvers.solveRange groups the rows");
    }

    @Test
    void aSingularRowIsTheSameClearErrorOnBothPaths() {
        int k = 4;
        Csr ratings = new Csr(1, 1, new int[] {0, 1}, new int[] {0}, new float[] {1f});
        float[] src = {1f, 0f, 0f, 0f};
        AlsParams p = AlsParams.builder().rank(k).regParam(0).build();
        for (RowSolver s : new RowSolver[] {new CholeskyRow(k), new VectorCholeskyRow(k)}) {
            HalfStep step = new HalfStep(ratings, src, new float[k], null, null, p);
            SingularSystemException e = assertThrows(SingularSystemException.class, () -> s.solve(0, step));
            assertTrue(e.getMessage().contains("0"), e.getMessage());
        }
    }

    /** A whole half-iteration (every strategy the parameters allow) on both kernels: reference, then determinism. */
    @ParameterizedTest(name = "rank {0}, implicit {1}")
    @CsvSource({"17, false", "17, true", "64, false", "64, true"})
    void bothKernelsMatchTheReferenceAndTheThreadCountChangesNothing(int k, boolean implicit) {
        Random rnd = new Random(k * 7L + (implicit ? 1 : 0));
        int users = 70;
        int items = 150;
        SparkStyleData.IntFloatTriples t = new SparkStyleData.IntFloatTriples();
        for (int u = 0; u < users; u++) {
            double density = u % 4 == 0 ? 0.05 : 0.6; // short rows take DUAL / WOODBURY, long ones CHOLESKY
            for (int i = 0; i < items; i++) {
                if (rnd.nextDouble() < density) {
                    t.add(u, i, 1 + rnd.nextInt(5));
                }
            }
        }
        Csr ui = encore.data.Interactions.fromCoordinates(
                        SparkStyleData.labels(users), SparkStyleData.labels(items), t.u(), t.i(), t.v())
                .userItems();
        float[] itemF = gaussian(items * k, 0.3, rnd);
        AlsParams p = AlsParams.builder()
                .rank(k)
                .regParam(0.05)
                .implicitPrefs(implicit)
                .alpha(3)
                .build();
        float[][] byKernel = new float[2][];
        for (boolean simd : new boolean[] {false, true}) {
            float[] one = new float[users * k];
            new CpuAlsBackend(1, simd).solve(ui, itemF, null, one, p);
            for (int threads : new int[] {2, 8}) {
                float[] many = new float[users * k];
                new CpuAlsBackend(threads, simd).solve(ui, itemF, null, many, p);
                assertArrayEquals(one, many, "simd " + simd + ": 1 vs " + threads + " threads");
            }
            for (int u = 0; u < users; u++) {
                double[] ref = ReferenceSolve.row(ui, u, itemF, items, k, p);
                for (int d = 0; d < k; d++) {
                    double rel = Math.abs(one[u * k + d] - ref[d]) / Math.max(1e-3, Math.abs(ref[d]));
                    assertTrue(
                            rel < 1e-5,
                            "simd " + simd + " user " + u + " dim " + d + ": " + one[u * k + d] + " vs " + ref[d]);
                }
            }
            byKernel[simd ? 1 : 0] = one;
        }
        for (int q = 0; q < byKernel[0].length; q++) {
            // both round a double solution to float: they differ, if at all, in the last place
            float sc = byKernel[0][q];
            assertEquals(sc, byKernel[1][q], 2 * Math.ulp(sc), "vector vs scalar at " + q);
        }
    }

    @Test
    void aJvmWithoutTheIncubatorModuleRunsTheScalarKernels() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
        cmd.add(ScalarOnlyMain.class.getName());
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, proc.waitFor(), out);
        assertTrue(out.startsWith("scalar (start Java with --add-modules jdk.incubator.vector"), out);
        assertTrue(out.contains("solved"), out);
    }

    /** Run without the incubator module: says which kernels it has and fits a small model with them. */
    static final class ScalarOnlyMain {
        public static void main(String[] args) {
            System.out.println(SimdKernels.describe());
            int k = 16;
            Random rnd = new Random(1);
            Csr ratings = oneRow(40, 80, rnd, false);
            float[] src = gaussian(80 * k, 1, rnd);
            float[] dst = new float[k];
            new CpuAlsBackend(2)
                    .solve(ratings, src, null, dst, AlsParams.builder().rank(k).build());
            System.out.println(Float.isFinite(dst[0]) ? "solved" : "not finite");
        }
    }

    /** {@code n} floats drawn as N(0, scale²). */
    static float[] gaussian(int n, double scale, Random rnd) {
        float[] f = new float[n];
        for (int q = 0; q < n; q++) {
            f[q] = (float) (rnd.nextGaussian() * scale);
        }
        return f;
    }

    /** One row of {@code n} distinct columns out of {@code cols}; implicit rows include zeros and negatives. */
    static Csr oneRow(int n, int cols, Random rnd, boolean implicit) {
        int[] col = new int[n];
        float[] val = new float[n];
        boolean[] used = new boolean[cols];
        for (int q = 0; q < n; q++) {
            int c;
            do {
                c = rnd.nextInt(cols);
            } while (used[c]);
            used[c] = true;
            col[q] = c;
            int kind = rnd.nextInt(8);
            val[q] = implicit && kind == 0 ? 0f : implicit && kind == 1 ? -2f : 1 + rnd.nextInt(5);
        }
        java.util.Arrays.sort(col);
        return new Csr(1, cols, new int[] {0, n}, col, val);
    }

    private static float[] solve(RowSolver s, Csr ratings, float[] src, double[] gram, AlsParams p) {
        float[] dst = new float[p.rank()];
        s.solve(0, new HalfStep(ratings, src, dst, gram, null, p));
        return dst;
    }
}
