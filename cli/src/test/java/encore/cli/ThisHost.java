package encore.cli;

import encore.cuda.GpuBackendProvider;

/**
 * What the CLI should do on the machine the tests run on: the GPU engine is chosen by {@code --backend auto} exactly
 * when it is usable here (a CUDA device, a driver and kernels built into the jar). The CLI tests expect what this
 * says, so the suite passes on a CPU-only CI runner and on a GPU host alike, and checks the right thing on each.
 */
final class ThisHost {
    private ThisHost() {}

    /** Null when a usable GPU is present, else the one-line reason the GPU backend gives (probed once). */
    static String gpuUnavailableReason() {
        return Probe.REASON;
    }

    /** The probe, run on first use (it opens the device where there is one). */
    private static final class Probe {
        static final String REASON = probe();

        private static String probe() {
            try (GpuBackendProvider provider = new GpuBackendProvider()) {
                return provider.unavailableReason();
            }
        }
    }

    static boolean hasUsableGpu() {
        return gpuUnavailableReason() == null;
    }

    /** The engine {@code --backend auto} trains with for parameters the GPU engine implements. */
    static String autoBackend() {
        return hasUsableGpu() ? "gpu" : "cpu";
    }
}
