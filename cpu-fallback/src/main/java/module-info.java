/** The multithreaded CPU ALS engine (and the fallback of the GPU engine). */
module encore.cpu {
    requires transitive encore.core;
    // The vector kernels (SimdKernels): used when the JVM resolves the incubator module, scalar kernels otherwise.
    requires static jdk.incubator.vector;

    exports encore.cpu;

    provides encore.als.AlsBackendProvider with encore.cpu.CpuBackendProvider;
}
