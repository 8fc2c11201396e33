/** The multithreaded CPU ALS engine (and the fallback of the GPU engine). */
module encore.cpu {
    requires transitive encore.core;

    exports encore.cpu;

    provides encore.als.AlsBackendProvider with encore.cpu.CpuBackendProvider;
}
