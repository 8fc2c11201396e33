package encore.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The fatbin images nvcc built into this jar ({@code encore/cuda/als.fatbin}, {@code encore/cuda/topk.fatbin}): SASS
 * for sm_75 … sm_120 plus compute_75 PTX (ISA 9.0, so a CUDA 13 driver, r580 or newer, is needed).
 */
final class KernelImages {
    static final String ALS = "als";
    static final String TOPK = "topk";
    /** The oldest driver the images load on: {@code cuDriverGetVersion} 13000 = CUDA 13.0. */
    static final int MIN_DRIVER = 13000;

    private KernelImages() {}

    /** Whether both images are in the jar (false when the build found no nvcc). */
    static boolean present() {
        return KernelImages.class.getResource(resource(ALS)) != null
                && KernelImages.class.getResource(resource(TOPK)) != null;
    }

    /** The bytes of one image. */
    static byte[] load(String name) {
        try (InputStream in = KernelImages.class.getResourceAsStream(resource(name))) {
            if (in == null) {
                throw new IllegalStateException("kernels not built: " + resource(name) + " is missing from the jar "
                        + "(nvcc was not found when encore-cuda was built)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource(name), e);
        }
    }

    private static String resource(String name) {
        return "/encore/cuda/" + name + ".fatbin";
    }
}
