package encore.bench.vs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the report says about the machine: cores, memory, heap, Java, CPU model and GPU (if any). */
public final class Machine {
    private Machine() {}

    /** The facts of this machine and JVM. */
    public static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu", first("/proc/cpuinfo", "model name"));
        m.put("memory", first("/proc/meminfo", "MemTotal"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        m.put("gpu", gpu());
        return m;
    }

    private static String first(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: unknown
        }
        return "unknown";
    }

    private static String gpu() {
        try {
            Process p = new ProcessBuilder(
                            List.of("nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"))
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty()) {
                return out.replace('\n', ';');
            }
        } catch (IOException e) {
            // no nvidia-smi
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "none";
    }
}
