package encore.cpu;

/**
 * Whether the CPU engine's vector kernels ({@link VectorCholeskyRow}, {@link VectorDualRow}, {@link VectorCgRow}, over
 * {@link VectorDense}) run in this JVM.
 *
 * <p>They use the Java Vector API, an incubator module in Java 17: the JVM must be started with
 * {@code --add-modules jdk.incubator.vector} (Encore's launchers do). Without it, or on hardware whose preferred
 * vector holds fewer than four doubles, or with {@code -Dencore.cpu.simd=false}, the engine runs its scalar kernels,
 * which compute the same systems and agree to rounding. The answer is fixed for the life of the JVM.
 */
public final class SimdKernels {
    private static final String MODULE = "jdk.incubator.vector";
    private static final String SWITCH = "encore.cpu.simd";

    private SimdKernels() {}

    /** True when the vector kernels are used by default. */
    public static boolean available() {
        return Holder.AVAILABLE;
    }

    /**
     * One line for {@code doctor} and reports: {@code "vector (512-bit, jdk.incubator.vector)"} or
     * {@code "scalar (…why…)"}.
     */
    public static String describe() {
        if (Holder.AVAILABLE) {
            return "vector (" + Holder.LANES * 64 + "-bit, " + MODULE + ")";
        }
        if (Holder.LANES < 0) {
            return "scalar (start Java with --add-modules " + MODULE + " for the vector kernels)";
        }
        if (Holder.LANES < 4) {
            return "scalar (this CPU's preferred vector holds " + Holder.LANES + " double(s))";
        }
        return "scalar (-D" + SWITCH + "=false)";
    }

    /** Lanes of the preferred double vector, or −1 when the module is not in the boot layer. */
    private static final class Holder {
        static final int LANES = lanes();
        static final boolean AVAILABLE = LANES >= 4 && !"false".equalsIgnoreCase(System.getProperty(SWITCH));

        private static int lanes() {
            if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
                return -1;
            }
            try {
                return VectorDense.LANES;
            } catch (LinkageError e) {
                return -1;
            }
        }
    }
}
