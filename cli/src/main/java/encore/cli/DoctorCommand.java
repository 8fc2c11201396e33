package encore.cli;

import encore.als.Backends;
import encore.cpu.SimdKernels;
import encore.cuda.GpuProbe;
import encore.cuda.GpuSelfTest;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code encore doctor}: what this machine offers Encore, and which backend {@code --backend auto} would use. */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description =
                "Show the Java runtime, heap and cores, which ALS backends are available (and why not), and which "
                        + "one --backend auto would pick. Exit 0 when a working backend exists.")
final class DoctorCommand implements Callable<Integer> {
    @CommandLine.Option(
            names = "--selftest",
            description = "Also run the GPU self-test: every kernel against a CPU "
                    + "double-precision reference on fresh random inputs (needs a GPU; a minute or two). Exit 1 when a case fails "
                    + "or no GPU is usable.")
    boolean selftest;

    @CommandLine.Option(names = "--quick", description = "With --selftest: fewer ranks and smaller inputs.")
    boolean quick;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        Runtime rt = Runtime.getRuntime();
        w.printf(
                Locale.ROOT,
                "java      %s (%s, %s)%n",
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                System.getProperty("java.vendor"));
        w.printf(
                Locale.ROOT,
                "os        %s %s (%s)%n",
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                System.getProperty("os.arch"));
        w.printf(Locale.ROOT, "cores     %d%n", rt.availableProcessors());
        w.printf(Locale.ROOT, "cpu simd  %s%n", SimdKernels.describe());
        w.printf(Locale.ROOT, "heap      max %s (set ENCORE_HEAP to change it)%n", Format.bytes(rt.maxMemory()));
        w.printf(Locale.ROOT, "cache     %s%n", DemoCommand.home());
        Map<String, String> status = Backends.status();
        w.println("backends");
        for (var e : status.entrySet()) {
            w.printf(
                    Locale.ROOT,
                    "  %-6s %s%n",
                    e.getKey(),
                    e.getValue() == null ? "available" : "unavailable: " + e.getValue());
        }
        if (!status.containsKey("gpu")) {
            w.printf(Locale.ROOT, "  %-6s unavailable: no GPU engine is installed in this build%n", "gpu");
        } else if (status.get("gpu") == null) {
            GpuProbe probe = GpuProbe.run();
            w.printf(
                    Locale.ROOT,
                    "gpu       %s%n",
                    probe.info() == null ? probe.reason() : probe.info().describe());
        }
        if (selftest) {
            w.flush();
            int failed = GpuSelfTest.run(w, quick);
            w.flush();
            if (failed != 0) {
                return EncoreCli.EXIT_ERROR;
            }
        }
        try (Backends.Choice c = Backends.choose("auto")) {
            w.printf(
                    Locale.ROOT,
                    "auto      -> %s%s%n",
                    c.name(),
                    c.skipped() == null ? "" : " (skipped: " + c.skipped() + ")");
            w.flush();
            return 0;
        } catch (IllegalStateException e) {
            w.printf("auto      -> none: %s%n", e.getMessage());
            w.flush();
            return EncoreCli.EXIT_ERROR;
        }
    }
}
