package encore.cuda;

/** A CUDA driver call failed; {@link #code()} is the driver's {@code CUresult}. */
public final class GpuException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;

    GpuException(int code, String message) {
        super(message);
        this.code = code;
    }

    /** The driver's result code ({@code CUresult}), 0 when the failure is not a driver code. */
    public int code() {
        return code;
    }

    /**
     * Whether the context is unusable after this error: the driver reports these "sticky" errors on every later call
     * of the process's context (illegal or misaligned address, launch failure, hardware errors).
     */
    public boolean sticky() {
        return switch (code) {
            case 700, 701, 702, 714, 715, 716, 717, 718, 719, 720 -> true;
            default -> false;
        };
    }
}
