package encore.bench;

import encore.data.IngestOptions;
import encore.data.Prepare;
import encore.data.PrepareOptions;
import encore.data.Prepared;
import encore.data.SplitSpec;
import encore.synth.GeneratorConfig;
import encore.synth.ListeningsGenerator;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Times the CPU front end (read + clean, aggregate, index, split, CSR) on one listenings file: one warm-up run, then
 * {@code --repeat} timed runs; prints the median of each stage and the peak heap seen (the sum of each heap pool's
 * peak usage: an upper bound on the true peak).
 */
final class FrontEndBenchmark {
    private FrontEndBenchmark() {}

    static int run(String[] args) throws IOException {
        Path data = null;
        long rows = 13_758_905L;
        long seed = 1;
        int repeat = 3;
        int threads = Runtime.getRuntime().availableProcessors();
        Path report = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--data" -> {
                    data = Path.of(need(a, v));
                    i++;
                }
                case "--rows" -> {
                    rows = Long.parseLong(need(a, v));
                    i++;
                }
                case "--seed" -> {
                    seed = Long.parseLong(need(a, v));
                    i++;
                }
                case "--repeat" -> {
                    repeat = Integer.parseInt(need(a, v));
                    i++;
                }
                case "--threads" -> {
                    threads = Integer.parseInt(need(a, v));
                    i++;
                }
                case "--report" -> {
                    report = Path.of(need(a, v));
                    i++;
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat must be >= 1");
        }
        if (data == null) {
            data = cachedListenings(rows, seed);
        }
        IngestOptions ingest = IngestOptions.defaults().withThreads(threads);
        PrepareOptions options = new PrepareOptions(ingest, -1, SplitSpec.random(0.5, 42));
        System.out.printf(
                Locale.ROOT,
                "front end on %s (%,d bytes), %d threads, %d cores, max heap %d MiB, Java %s%n",
                data,
                Files.size(data),
                threads,
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version"));
        List<Map<String, Double>> runs = new ArrayList<>();
        List<Double> walls = new ArrayList<>();
        long peak = 0;
        Prepared last = null;
        for (int r = 0; r <= repeat; r++) {
            last = null;
            System.gc();
            resetPeaks();
            long t0 = System.nanoTime();
            last = Prepare.run(data, options);
            double wall = (System.nanoTime() - t0) / 1e9;
            long p = heapPeak();
            String label = r == 0 ? "warm-up" : "run " + r;
            System.out.printf(
                    Locale.ROOT, "  %-8s %6.2f s  %s  peak heap %,d MiB%n", label, wall, last.timings(), p >> 20);
            if (r > 0) {
                runs.add(last.timings());
                walls.add(wall);
                peak = Math.max(peak, p);
            }
        }
        Map<String, Double> median = new LinkedHashMap<>();
        for (String stage : runs.get(0).keySet()) {
            double[] v = runs.stream().mapToDouble(m -> m.get(stage)).toArray();
            median.put(stage, median(v));
        }
        double wallMedian =
                median(walls.stream().mapToDouble(Double::doubleValue).toArray());
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                Locale.ROOT,
                "Front end on `%s`: %,d bytes, %,d rows read, %,d rows kept, %,d pairs, "
                        + "%,d users, %,d items; %d threads on %d cores, max heap %d MiB, Java %s; median of %d runs after a "
                        + "warm-up.%n%n",
                data.getFileName(),
                Files.size(data),
                last.ingest().rowsRead(),
                last.ingest().rowsKept(),
                last.plays().pairs(),
                last.plays().users().size(),
                last.plays().items().size(),
                threads,
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version"),
                repeat));
        md.append("| stage | median s |\n|---|---:|\n");
        for (var e : median.entrySet()) {
            md.append(String.format(Locale.ROOT, "| %s | %.2f |%n", e.getKey(), e.getValue()));
        }
        md.append(String.format(Locale.ROOT, "| **total (wall)** | **%.2f** |%n", wallMedian));
        md.append(String.format(Locale.ROOT, "%nPeak heap (sum of pool peaks, upper bound): %,d MiB.%n", peak >> 20));
        System.out.println();
        System.out.print(md);
        if (report != null) {
            Files.writeString(report, md.toString(), StandardCharsets.UTF_8);
        }
        return 0;
    }

    /** A generated listenings file, cached under {@code ~/.cache/encore/bench}. */
    static Path cachedListenings(long rows, long seed) throws IOException {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "encore", "bench");
        Path data = cache.resolve("listenings-" + rows + "-seed" + seed + ".csv");
        if (!Files.exists(data)) {
            System.out.printf(Locale.ROOT, "generating %s (%,d rows, seed %d) ...%n", data, rows, seed);
            new ListeningsGenerator(GeneratorConfig.forRows(rows, seed)).write(data);
        }
        return data;
    }

    private static String need(String opt, String v) {
        if (v == null) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return v;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    private static long heapPeak() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
