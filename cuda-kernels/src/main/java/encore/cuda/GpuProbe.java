package encore.cuda;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Whether the GPU engine can run here: opens the device as a fit would (natives, driver, device, compute capability,
 * kernel modules) and closes it again. Also the diagnostics behind the reasons {@link GpuDevice#open()} gives.
 *
 * @param reason null when it can, else the one-line reason
 * @param info   the device, when one was found and usable
 */
public record GpuProbe(String reason, GpuDevice.Info info) {
    /** Where {@code libcuda.so.1} is looked for after {@code LD_LIBRARY_PATH}. */
    private static final List<String> DRIVER_DIRS = List.of(
            "/usr/lib/x86_64-linux-gnu",
            "/usr/lib64",
            "/usr/lib",
            "/lib/x86_64-linux-gnu",
            "/usr/lib/wsl/lib",
            "/usr/local/nvidia/lib64",
            "/usr/lib/aarch64-linux-gnu");

    /** Runs the probe. */
    public static GpuProbe run() {
        try (GpuDevice dev = GpuDevice.open()) {
            return new GpuProbe(null, dev.info());
        } catch (GpuUnavailableException e) {
            return new GpuProbe(e.getMessage(), null);
        }
    }

    /**
     * Why JCuda's driver natives did not load. The JVM remembers a failed class initialisation and later attempts
     * only say "Could not initialize class", so the reason is worked out from the machine, the same every time.
     */
    static String nativesFailure() {
        String lib = findLibcuda();
        if (lib == null) {
            return "no CUDA driver: libcuda.so.1 was not found (LD_LIBRARY_PATH, /usr/lib/x86_64-linux-gnu, "
                    + "/usr/lib64, /usr/lib/wsl/lib)";
        }
        return "JCuda's driver natives did not load although " + lib + " exists: java.io.tmpdir ("
                + System.getProperty("java.io.tmpdir")
                + ") must be writable and allow executables, and the driver must "
                + "match this machine (" + System.getProperty("os.arch") + ")";
    }

    private static String findLibcuda() {
        List<String> dirs = new ArrayList<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            dirs.addAll(Arrays.asList(ld.split(":")));
        }
        dirs.addAll(DRIVER_DIRS);
        for (String d : dirs) {
            if (!d.isEmpty() && Files.exists(Path.of(d, "libcuda.so.1"))) {
                return Path.of(d, "libcuda.so.1").toString();
            }
        }
        return null;
    }
}
