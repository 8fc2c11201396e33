package encore.cuda;

import encore.als.AlsBackend;
import encore.als.AlsFit;
import encore.als.AlsParams;
import encore.als.CpuTopKScorer;
import encore.als.EngineOptions;
import encore.als.Objective;
import encore.als.Recommendations;
import encore.als.TopKScorer;
import encore.cpu.CpuBackendProvider;
import encore.data.Interactions;
import encore.matrix.Csr;
import encore.matrix.Factors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.BitSet;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real GPU engine, scorer and self-test against the CPU engine, within the tolerances of {@code docs/gpu.md}
 * ("GPU against CPU: tolerances"); every test is skipped, with the probe's reason, where no usable GPU is present (CI,
 * laptops). Everything runs with backend {@code gpu} semantics (no fallback), so a result the checker refuses fails
 * the test instead of quietly running on the CPU.
 */
class GpuEngineOnDeviceTest {
    /** Worst per-row relative factor difference after a fit (rounding compounds through the iterations). */
    static final double FACTOR_TOL = GpuSelfTest.FIT_TOL;
    /** Relative difference of the training RMSE (explicit) or objective (implicit) after a fit. */
    static final double FIT_METRIC_TOL = 1e-4;
    /** Worst per-row relative difference of one exact row solve. */
    static final double SOLVE_TOL = KernelCases.SOLVE_TOL;
    /** Smallest mean overlap of the GPU's top-10 lists with the CPU's (they differ only within ties). */
    static final double TOP10_OVERLAP = 0.99;

    static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());

    @BeforeEach
    void aUsableGpu() {
        try (GpuBackendProvider provider = new GpuBackendProvider()) {
            String reason = provider.unavailableReason();
            assumeTrue(reason == null, () -> "no usable GPU here (" + reason + ")");
        }
    }

    private static EngineOptions noFallback() {
        return new EngineOptions(THREADS, false);
    }

    @ParameterizedTest
    @CsvSource({"10,false,false", "10,true,false", "32,false,false", "32,true,false", "64,true,true"})
    void aFitOnTheGpuMatchesTheCpuEngine(int rank, boolean implicit, boolean cg) {
        Interactions t = TrainingSets.of(SyntheticMatrix.random(20_000, 6000, 300_000, 2, rank));
        AlsParams p = cg ? TrainingSets.cgParams(rank) : TrainingSets.params(rank, implicit);
        AlsFit.State cpu = FitDriver.fit(CpuBackendProvider.open(THREADS), t, p);
        AlsFit.State gpu;
        try (GpuBackendProvider provider = new GpuBackendProvider()) {
            AlsBackend b = provider.open(p, noFallback());
            assertEquals("gpu", b.name(), b.fallbackReason());
            gpu = FitDriver.fit(b, t, p);
        }
        double users = GpuSelfTest.worstRowError(gpu.users(), cpu.users());
        double items = GpuSelfTest.worstRowError(gpu.items(), cpu.items());
        assertTrue(users <= FACTOR_TOL && items <= FACTOR_TOL, "factor difference users " + users + ", items " + items);
        double c = fitMetric(t, cpu, p);
        double g = fitMetric(t, gpu, p);
        assertTrue(
                Math.abs(g - c) <= FIT_METRIC_TOL * Math.abs(c),
                String.format(Locale.ROOT, "%s: GPU %.9g, CPU %.9g", implicit ? "objective" : "RMSE", g, c));
    }

    /** The training RMSE (explicit) or the objective (implicit). */
    private static double fitMetric(Interactions t, AlsFit.State s, AlsParams p) {
        if (p.implicitPrefs()) {
            return Objective.of(t.userItems(), s.users(), s.items(), p);
        }
        Csr m = t.userItems();
        double sum = 0;
        for (int u = 0; u < m.rows(); u++) {
            for (int q = m.rowStart(u); q < m.rowEnd(u); q++) {
                double e = m.values()[q] - dot(s.users(), u, s.items(), m.colIdx()[q]);
                sum += e * e;
            }
        }
        return Math.sqrt(sum / m.nnz());
    }

    @ParameterizedTest
    @CsvSource({"16,false,false", "16,true,false", "100,true,false", "24,true,true"})
    void aRowSolveOnTheGpuMatchesTheCpuEngine(int rank, boolean implicit, boolean cg) {
        Interactions t = TrainingSets.of(SyntheticMatrix.random(8000, 3000, 120_000, 2, 7));
        AlsParams p = cg ? TrainingSets.cgParams(rank) : TrainingSets.params(rank, implicit);
        Factors src = FitDriver.unitRows(t.itemUsers(), rank, 3);
        Factors warm = cg ? FitDriver.unitRows(t.userItems(), rank, 4) : null;
        Factors cpu;
        try (AlsBackend c = CpuBackendProvider.open(THREADS)) {
            cpu = c.solveRows(t.userItems(), src, warm, p);
        }
        try (GpuBackendProvider provider = new GpuBackendProvider();
                AlsBackend b = provider.open(p, noFallback())) {
            Factors gpu = b.solveRows(t.userItems(), src, warm, p);
            assertEquals("gpu", b.name(), b.fallbackReason());
            double worst = GpuSelfTest.worstRowError(gpu, cpu);
            double tol = cg ? SpotCheck.CG_TOLERANCE : SOLVE_TOL;
            assertTrue(worst <= tol, "worst row difference " + worst + " > " + tol);
        }
    }

    @ParameterizedTest
    @CsvSource({"10,false", "10,true", "100,true"})
    void topKOnTheGpuMatchesTheCpuScorer(int k, boolean exclude) {
        SplittableRandom rng = new SplittableRandom(k);
        int nq = 5000;
        int nc = 3000;
        int rank = 32;
        Factors queries = gaussian(nq, rank, rng, 41);
        Factors candidates = gaussian(nc, rank, rng, 29);
        Csr seen = exclude ? SyntheticMatrix.random(nq, nc, nq * 30L, 1.5, 5) : null;
        Recommendations cpu;
        try (TopKScorer c = new CpuTopKScorer(THREADS)) {
            cpu = c.topK(queries, candidates, k, seen, null);
        }
        Recommendations gpu;
        try (GpuBackendProvider provider = new GpuBackendProvider();
                TopKScorer s = provider.openScorer(noFallback())) {
            gpu = s.topK(queries, candidates, k, seen, null);
            assertEquals("gpu", s.name(), s.fallbackReason());
        }
        double maxNorm = 0;
        for (int j = candidates.nextPresent(0); j >= 0; j = candidates.nextPresent(j + 1)) {
            maxNorm = Math.max(maxNorm, Math.sqrt(dot(candidates, j, candidates, j)));
        }
        long overlap = 0;
        long listed = 0;
        for (int i = 0; i < nq; i++) {
            assertEquals(cpu.count(i), gpu.count(i), "list length of query " + i);
            double tol = 2 * GpuTopKScorer.TIE * Math.sqrt(dot(queries, i, queries, i)) * maxNorm;
            BitSet ids = new BitSet(nc);
            for (int j = 0; j < cpu.count(i); j++) {
                ids.set(cpu.id(i, j));
                // the j-th best score does not depend on how ties are ordered
                assertTrue(
                        Math.abs(cpu.score(i, j) - gpu.score(i, j)) <= tol,
                        "query " + i + " position " + j + ": GPU " + gpu.score(i, j) + ", CPU " + cpu.score(i, j));
            }
            for (int j = 0; j < gpu.count(i); j++) {
                overlap += ids.get(gpu.id(i, j)) ? 1 : 0;
            }
            listed += cpu.count(i);
        }
        assertTrue(listed > 0);
        if (k == 10) {
            assertTrue((double) overlap / listed >= TOP10_OVERLAP, "top-10 overlap " + overlap + "/" + listed);
        }
    }

    @Test
    void theQuickSelfTestPasses() {
        StringWriter out = new StringWriter();
        int failed = GpuSelfTest.run(new PrintWriter(out, true), true);
        assertEquals(0, failed, out.toString());
    }

    /** Gaussian factors, every {@code absentEvery}-th row absent (cold). */
    private static Factors gaussian(int rows, int rank, SplittableRandom rng, int absentEvery) {
        float[] f = new float[rows * rank];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) rng.nextGaussian();
        }
        BitSet present = new BitSet(rows);
        for (int r = 0; r < rows; r++) {
            if (r % absentEvery != 1) {
                present.set(r);
            }
        }
        return Factors.wrap(f, rows, rank, present);
    }

    private static double dot(Factors a, int i, Factors b, int j) {
        double s = 0;
        for (int d = 0; d < a.rank(); d++) {
            s += (double) a.get(i, d) * b.get(j, d);
        }
        return s;
    }
}
