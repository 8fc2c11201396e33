package encore.cuda;

import encore.als.AlsBackend;
import encore.als.AlsException;
import encore.als.AlsParams;
import encore.als.Backends;
import encore.als.EngineOptions;
import encore.als.TopKScorer;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The probe and the provider on this machine; most of it is about machines without a usable GPU (CI, laptops). */
class GpuProbeTest {

    static boolean nvccPresent() {
        String home = System.getenv("CUDA_HOME");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "nvcc"))) {
            return true;
        }
        if (Files.isExecutable(Path.of("/usr/local/cuda/bin/nvcc"))) {
            return true;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nvcc"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theKernelsAreBuiltWhereverNvccIs() {
        assertEquals(nvccPresent(), KernelImages.present(), "nvcc present = kernel images in the jar");
    }

    @Test
    void theProbeGivesOneLineReasonOrADevice() {
        GpuProbe probe = GpuProbe.run();
        if (probe.reason() == null) {
            assertNotNull(probe.info());
            assertTrue(probe.info().ccMajor() * 10 + probe.info().ccMinor() >= GpuDevice.MIN_CC);
        } else {
            assertFalse(probe.reason().isBlank());
            assertFalse(probe.reason().contains("\n"), probe.reason());
            if (!Files.exists(Path.of("/dev/nvidia0")) && KernelImages.present()) {
                assertTrue(
                        probe.reason().startsWith("no CUDA driver")
                                || probe.reason().startsWith("no CUDA device"),
                        probe.reason());
            }
        }
    }

    @Test
    void withoutAGpuAutoUsesTheCpuAndGpuFailsWithTheReason() {
        String reason = new GpuBackendProvider().unavailableReason();
        assumeTrue(reason != null, "a usable GPU is present");
        Backends.Choice auto = Backends.choose("auto");
        assertEquals("cpu", auto.name());
        AlsParams p = AlsParams.builder().rank(4).build();
        try (AlsBackend cpu = auto.open(p, 1)) {
            assertTrue(auto.fallbackReason(cpu).startsWith("gpu: "), auto.fallbackReason(cpu));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.choose("gpu"));
        assertEquals("backend gpu is unavailable: " + reason, e.getMessage());

        try (AlsBackend b = new GpuBackendProvider().open(p, new EngineOptions(1, true))) {
            assertEquals("cpu", b.name());
            assertEquals(reason, b.fallbackReason());
        }
        assertThrows(AlsException.class, () -> new GpuBackendProvider().open(p, new EngineOptions(1, false)));

        // one provider (one Backends.Choice): the probe, the backend and the scorer try to open the device once
        try (GpuBackendProvider provider = new GpuBackendProvider()) {
            assertEquals(reason, provider.unavailableReason());
            try (AlsBackend b = provider.open(p, new EngineOptions(1, true));
                    TopKScorer s = provider.openScorer(new EngineOptions(1, true))) {
                assertEquals("cpu", b.name());
                assertEquals("cpu", s.name());
                assertEquals(reason, s.fallbackReason());
            }
            assertEquals(reason, provider.unavailableReason());
            assertEquals(1, provider.deviceOpens());
        }
    }

    @Test
    void withAGpuAutoAndGpuChooseIt() {
        String reason = new GpuBackendProvider().unavailableReason();
        assumeTrue(reason == null, () -> "no usable GPU here (" + reason + ")");
        AlsParams p = AlsParams.builder().rank(4).build();
        for (String name : new String[] {"auto", "gpu"}) {
            try (Backends.Choice choice = Backends.choose(name);
                    AlsBackend b = choice.open(p, 1);
                    TopKScorer s = choice.openScorer(1)) {
                assertEquals("gpu", choice.name(), name);
                assertEquals("gpu", b.name(), b.fallbackReason());
                assertEquals("gpu", s.name(), s.fallbackReason());
            }
        }
    }

    @Test
    void unsupportedParametersAreNamed() {
        AlsParams nn = AlsParams.builder().nonnegative(true).build();
        assertEquals("nonnegative=true (NNLS) is not implemented on the GPU", GpuBackendProvider.unsupported(nn));
        try (AlsBackend b = new GpuBackendProvider().open(nn, new EngineOptions(1, true))) {
            assertEquals("cpu", b.name());
            assertEquals("nonnegative=true (NNLS) is not implemented on the GPU", b.fallbackReason());
        }
    }

    @Test
    void rowsAreSolvedLongestFirst() {
        encore.matrix.Csr m = encore.matrix.Csr.fromCoordinates(
                5, 3, new int[] {0, 1, 1, 3, 3, 3, 4, 4}, new int[] {0, 0, 1, 0, 1, 2, 0, 2}, new float[8]);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {3, 1, 4, 0}, DeviceCsr.longestFirst(m));
    }
}
