package encore.cuda;

/**
 * Whether the GPU engine can run here: opens the device as a fit would (natives, driver, device, compute capability,
 * kernel modules) and closes it again.
 *
 * @param reason null when it can, else the one-line reason
 * @param info   the device, when one was found and usable
 */
public record GpuProbe(String reason, GpuDevice.Info info) {
    /** Runs the probe. */
    public static GpuProbe run() {
        try (GpuDevice dev = GpuDevice.open()) {
            return new GpuProbe(null, dev.info());
        } catch (GpuUnavailableException e) {
            return new GpuProbe(e.getMessage(), null);
        }
    }
}
