package encore.cuda;

import encore.als.AlsBackend;
import encore.als.AlsException;
import encore.als.AlsFit;
import encore.als.AlsParams;
import encore.als.EngineOptions;
import encore.als.SingularSystemException;
import encore.cpu.CpuBackendProvider;
import encore.data.Interactions;
import encore.matrix.Csr;
import encore.matrix.Factors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checked wrapper ({@link GpuAlsBackend} with its {@link CheckedFit}) over a CPU stand-in for the GPU engine
 * ({@link CpuTwinEngine}), with faults planted: what the wrapper does — passes a correct engine's results through
 * unchanged, refuses a faulty half-iteration, redoes it on the CPU from the last good state, releases the engine —
 * not how the GPU computes. The stand-in <em>is</em> the CPU engine, so where the factors equal a CPU-only run's bit
 * for bit that shows the wrapper altered nothing, not that the GPU matches the CPU: that is
 * {@code GpuEngineOnDeviceTest}, on a machine with a GPU. How often the check finds a fault in a random row is
 * {@code AlsCheckDetectionTest}.
 */
class CheckedAlsBackendOverCpuStandInTest {
    private static AlsFit.State fit(Interactions t, AlsParams p, AlsBackend b) {
        return FitDriver.fit(b, t, p);
    }

    private static AlsFit.State cpuFit(Interactions t, AlsParams p) {
        return fit(t, p, CpuBackendProvider.open(2));
    }

    private static GpuAlsBackend checked(AlsParams p, CpuTwinEngine.Fault fault, int onCall, boolean fallback) {
        return new GpuAlsBackend(
                new CpuTwinEngine(fault, c -> c == onCall), null, new EngineOptions(2, fallback), p.seed());
    }

    @ParameterizedTest
    @CsvSource({"1,false", "3,true", "8,false", "17,true", "32,true"})
    void theWrapperPassesACorrectStandInsFactorsThroughUnchanged(int rank, boolean implicit) {
        Interactions t = TrainingSets.randomTrain(rank, 120, 90, 25, implicit);
        AlsParams p = TrainingSets.params(rank, implicit);
        AlsFit.State cpu = cpuFit(t, p);
        CpuTwinEngine twin = new CpuTwinEngine(CpuTwinEngine.Fault.NONE, c -> false);
        GpuAlsBackend b = new GpuAlsBackend(twin, null, new EngineOptions(2, true), p.seed());
        AlsFit.State gpu = fit(t, p, b);
        assertNull(b.fallbackReason());
        assertEquals("gpu", b.name());
        assertTrue(b.checkedRows() > 0);
        // the check's one copy per half-iteration (of the side just solved); the finiteness checks and the final
        // factors come from those host copies, not from the engine
        assertEquals(2 * p.maxIter(), twin.sideSnapshots);
        assertEquals(0, twin.fullSnapshots + twin.finishes);
        assertEquals(1, twin.fitsClosed);
        assertEquals(cpu.users(), gpu.users());
        assertEquals(cpu.items(), gpu.items());
    }

    @ParameterizedTest
    @CsvSource({
        "PERTURB_LONGEST_ROW,false,2,fails the CPU check",
        "PERTURB_LONGEST_ROW,true,5,fails the CPU check",
        "PERTURB_RANDOM_ROW,false,2,fails the CPU check",
        "PERTURB_RANDOM_ROW,true,5,fails the CPU check",
        "THROW_STICKY,false,0,GPU error: solve_rows failed: CUDA_ERROR_ILLEGAL_ADDRESS",
        "THROW_STICKY,true,3,GPU error",
        "PERTURB_GRAM,true,1,Gram matrix",
        "NAN_ROW,false,4,non-finite",
        "REPORT_SINGULAR,false,2,singular"
    })
    void aPlantedFaultFallsBackAndTheCpuRedoesTheHalfIteration(
            CpuTwinEngine.Fault fault, boolean implicit, int onCall, String expected) {
        Interactions t = TrainingSets.randomTrain(7, 150, 80, 30, implicit);
        AlsParams p = TrainingSets.params(10, implicit);
        AlsFit.State cpu = cpuFit(t, p);
        GpuAlsBackend b = checked(p, fault, onCall, true);
        AlsFit.State gpu = fit(t, p, b);
        assertEquals("cpu", b.name());
        assertTrue(b.fallbackReason().contains(expected), b.fallbackReason());
        assertTrue(b.fallbackReason().startsWith("GPU half-iteration " + (onCall + 1) + ": "), b.fallbackReason());
        // the failed half-iteration is solved again from the last good factors: the final model is the CPU's, bit
        // for bit (the good half-iterations before it were the stand-in's, i.e. the CPU's, too)
        assertEquals(cpu.users(), gpu.users());
        assertEquals(cpu.items(), gpu.items());
    }

    @ParameterizedTest
    @CsvSource({"NONE,-1,", "PERTURB_LONGEST_ROW,3,differs from the CPU engine's CG", "THROW_STICKY,2,GPU error"})
    void aStandInsConjugateGradientIsCheckedAgainstTheCpuEnginesCg(
            CpuTwinEngine.Fault fault, int onCall, String expected) {
        Interactions t = TrainingSets.randomTrain(11, 140, 90, 30, true);
        AlsParams p = TrainingSets.cgParams(12);
        AlsFit.State cpu = cpuFit(t, p);
        GpuAlsBackend b = checked(p, fault, onCall, true);
        AlsFit.State gpu = fit(t, p, b);
        if (expected == null) {
            assertNull(b.fallbackReason());
        } else {
            assertTrue(b.fallbackReason().contains(expected), b.fallbackReason());
        }
        // the failed CG half-iteration restarts from the saved warm starts: the CPU result, bit for bit
        assertEquals(cpu.users(), gpu.users());
        assertEquals(cpu.items(), gpu.items());
    }

    @Test
    void withoutFallbackTheReasonIsAnError() {
        Interactions t = TrainingSets.randomTrain(3, 60, 40, 10, false);
        AlsParams p = TrainingSets.params(4, false);
        GpuAlsBackend b = checked(p, CpuTwinEngine.Fault.PERTURB_LONGEST_ROW, 1, false);
        AlsException e = assertThrows(AlsException.class, () -> fit(t, p, b));
        assertTrue(e.getMessage().startsWith("backend gpu failed: GPU half-iteration 2: row "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" (backend=auto would continue on the CPU)"), e.getMessage());
    }

    @Test
    void aSingularSystemTheCpuConfirmsIsTheUsersError() {
        // regParam 0 and a user with fewer ratings than the rank: singular for every engine
        Interactions t = TrainingSets.randomTrain(5, 40, 30, 3, false);
        AlsParams p = AlsParams.builder().rank(8).maxIter(2).regParam(0).build();
        GpuAlsBackend b = checked(p, CpuTwinEngine.Fault.NONE, -1, true);
        // the fit handle reports it as the CPU engine does (the estimator names the entity in an AlsException)
        assertThrows(SingularSystemException.class, () -> fit(t, p, b));
        assertEquals("cpu", b.name());
        assertTrue(b.fallbackReason().contains("singular"), b.fallbackReason());
        AlsBackend plain = new GpuAlsBackend(null, "x", new EngineOptions(1, true), 1);
        Csr ratings = t.itemUsers();
        java.util.BitSet all = new java.util.BitSet();
        all.set(0, ratings.cols());
        assertThrows(
                SingularSystemException.class,
                () -> plain.solveRows(ratings, Factors.zeros(ratings.cols(), 8, all), null, p));
    }

    @Test
    void anEngineThatCannotStartAFitFallsBackBeforeTheFirstHalfIteration() {
        Interactions t = TrainingSets.randomTrain(13, 80, 60, 15, false);
        AlsParams p = TrainingSets.params(6, false);
        AlsFit.State cpu = cpuFit(t, p);
        GpuAlsBackend b = checked(p, CpuTwinEngine.Fault.FAIL_START, -1, true);
        AlsFit.State gpu = fit(t, p, b);
        assertEquals("cpu", b.name());
        assertTrue(
                b.fallbackReason().startsWith("GPU fit start: GPU error: not enough GPU memory"), b.fallbackReason());
        assertEquals(cpu.users(), gpu.users());
        assertEquals(cpu.items(), gpu.items());
    }

    @ParameterizedTest
    @CsvSource({
        "NONE,false,false,",
        "NONE,true,false,",
        "NONE,true,true,",
        "PERTURB_LONGEST_ROW,false,false,fails the CPU check",
        "PERTURB_RANDOM_ROW,true,false,fails the CPU check",
        "THROW_STICKY,true,false,GPU error",
        "PERTURB_GRAM,true,false,Gram matrix",
        "PERTURB_LONGEST_ROW,true,true,differs from the CPU engine's CG"
    })
    void theWrappersRowSolveIsCheckedAndFallsBackToTheCpuResult(
            CpuTwinEngine.Fault fault, boolean implicit, boolean cg, String expected) {
        Interactions t = TrainingSets.randomTrain(17, 90, 70, 20, implicit);
        AlsParams p = cg ? TrainingSets.cgParams(9) : TrainingSets.params(9, implicit);
        Factors src = FitDriver.unitRows(t.itemUsers(), 9, 3);
        Factors warm = cg ? FitDriver.unitRows(t.userItems(), 9, 4) : null;
        Factors cpu;
        try (AlsBackend c = CpuBackendProvider.open(2)) {
            cpu = c.solveRows(t.userItems(), src, warm, p);
        }
        try (GpuAlsBackend b = checked(p, fault, 0, true)) {
            Factors gpu = b.solveRows(t.userItems(), src, warm, p);
            if (expected == null) {
                assertNull(b.fallbackReason());
                assertEquals("gpu", b.name());
            } else {
                assertEquals("cpu", b.name());
                assertTrue(b.fallbackReason().startsWith("GPU row solve 1: "), b.fallbackReason());
                assertTrue(b.fallbackReason().contains(expected), b.fallbackReason());
            }
            assertEquals(cpu, gpu);
            // the caller's warm start is not written
            if (warm != null) {
                assertEquals(FitDriver.unitRows(t.userItems(), 9, 4), warm);
            }
        }
    }

    @Test
    void theEngineIsReleasedOnFallbackAndClose() {
        Interactions t = TrainingSets.randomTrain(9, 50, 40, 10, false);
        AlsParams p = TrainingSets.params(4, false);
        CpuTwinEngine twin = new CpuTwinEngine(CpuTwinEngine.Fault.THROW_STICKY, c -> c == 1);
        GpuAlsBackend b = new GpuAlsBackend(twin, null, new EngineOptions(2, true), 1);
        fit(t, p, b);
        assertTrue(twin.closed);
    }
}
