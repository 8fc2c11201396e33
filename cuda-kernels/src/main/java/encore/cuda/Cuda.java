package encore.cuda;

import jcuda.driver.CUresult;

/** Checks driver return codes ourselves: JCuda's exception switch is one JVM-wide flag, which a library must not flip. */
final class Cuda {
    private Cuda() {}

    /** Throws a {@link GpuException} naming {@code call} when {@code rc} is not {@code CUDA_SUCCESS}. */
    static void check(int rc, String call) {
        if (rc != CUresult.CUDA_SUCCESS) {
            throw new GpuException(rc, call + " failed: " + describe(rc));
        }
    }

    /** "CUDA_ERROR_NO_DEVICE (100)". */
    static String describe(int rc) {
        return CUresult.stringFor(rc) + " (" + rc + ")";
    }
}
