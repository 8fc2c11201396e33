/** The CUDA ALS engine (JCuda driver API) with its checked CPU fallback. */
// JCuda has no module descriptor: its module name comes from its jar's file name
@SuppressWarnings("requires-automatic")
module encore.cuda {
    requires transitive encore.core;
    requires encore.cpu;
    requires jcuda;

    exports encore.cuda;

    provides encore.als.AlsBackendProvider with encore.cuda.GpuBackendProvider;
}
