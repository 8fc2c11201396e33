package encore.bench.gpu;

import encore.als.AlsBackend;
import encore.als.AlsFit;
import encore.als.AlsParams;
import encore.als.Recommendations;
import encore.cpu.CpuBackendProvider;
import encore.cuda.GpuFit;
import encore.cuda.GpuUnavailableException;
import encore.cuda.SyntheticMatrix;
import encore.cuda.UncheckedGpu;
import encore.data.IngestOptions;
import encore.data.Interactions;
import encore.data.Prepare;
import encore.data.PrepareOptions;
import encore.data.SplitSpec;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The GPU training and recommend-all benchmark of the device check ({@code cuda-kernels/device-check.sh}):
 * milliseconds per ALS iteration at each rank on (a) generated listenings (the seed's 50/50 split, training half) and
 * (b) a Last.fm-360K-shaped matrix (358 K users, 292 K items, 17.5 M entries; counts, not the real data), on the raw
 * GPU engine ({@link UncheckedGpu}: the fit handle keeps everything on the device, no spot-checks), the CPU engine on
 * the same host for the ratio, and top-10 for all users. Prints progress lines and a Markdown table last, and writes
 * the table to {@code --out}.
 *
 * <pre>
 * bench/run device-check [--listenings FILE] [--ranks 10,64,128] [--iters 5] [--cpu-ranks 64] [--cpu-iters 1]
 *      [--modes explicit,implicit] [--lastfm-scale 1] [--out FILE] [--cpu-only]
 * </pre>
 * {@code --cpu-only} runs the same harness on the CPU engine alone (to check the harness on a machine without a GPU).
 */
public final class DeviceCheck {
    private static final int THREADS = Runtime.getRuntime().availableProcessors();
    private static final String HEADER =
            "| data | mode | f | engine | ms/iteration | kernel ms/iteration | CPU/GPU " + "| top-10 all users s |";

    /** The command line. */
    private static final class Options {
        Path listenings;
        int[] ranks = {10, 64, 128};
        int[] cpuRanks = {64};
        int iters = 5;
        int cpuIters = 1;
        String[] modes = {"explicit", "implicit"};
        double scale = 1;
        Path out;
        boolean cpuOnly;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--listenings" -> o.listenings = Path.of(args[++i]);
                    case "--ranks" -> o.ranks = ints(args[++i]);
                    case "--cpu-ranks" -> o.cpuRanks = args[++i].isEmpty() ? new int[0] : ints(args[i]);
                    case "--iters" -> o.iters = Integer.parseInt(args[++i]);
                    case "--cpu-iters" -> o.cpuIters = Integer.parseInt(args[++i]);
                    case "--modes" -> o.modes = args[++i].split(",");
                    case "--lastfm-scale" -> o.scale = Double.parseDouble(args[++i]);
                    case "--out" -> o.out = Path.of(args[++i]);
                    case "--cpu-only" -> o.cpuOnly = true;
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            return o;
        }

        private static int[] ints(String s) {
            return Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
        }
    }

    /** A benchmark matrix in both orientations. */
    private record Dataset(String name, Csr userItems, Csr itemUsers) {}

    /** One (data, mode, rank) measurement; NaN where not measured. */
    private record Row(double gpuMs, double kernelMs, double cpuMs, double topKSeconds) {}

    private final PrintWriter out;
    private final Options options;
    private final UncheckedGpu gpu;
    private final List<String> table = new ArrayList<>();

    private DeviceCheck(PrintWriter out, Options options, UncheckedGpu gpu) {
        this.out = out;
        this.options = options;
        this.gpu = gpu;
    }

    /** {@code bench/run device-check ARGS}: returns the exit status (1 when there is no usable GPU). */
    public static int run(String[] args) throws IOException {
        Options o = Options.parse(args);
        PrintWriter w = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        UncheckedGpu gpu = null;
        if (!o.cpuOnly) {
            try {
                gpu = UncheckedGpu.open();
                w.println("device: " + gpu.info().describe());
            } catch (GpuUnavailableException e) {
                w.println("no usable GPU: " + e.getMessage());
                return 1;
            }
        }
        DeviceCheck c = new DeviceCheck(w, o, gpu);
        try {
            for (Dataset d : c.datasets()) {
                for (String mode : o.modes) {
                    for (int f : o.ranks) {
                        c.bench(d, mode.equals("implicit"), f);
                    }
                }
            }
        } finally {
            if (gpu != null) {
                gpu.close();
            }
        }
        w.println();
        w.println(HEADER);
        w.println("|---|---|---|---|---|---|---|---|");
        c.table.forEach(w::println);
        if (o.out != null) {
            Files.writeString(o.out, String.join("\n", c.table) + "\n");
        }
        w.flush();
        return 0;
    }

    private List<Dataset> datasets() throws IOException {
        List<Dataset> data = new ArrayList<>();
        if (options.listenings != null) {
            long t0 = System.nanoTime();
            Interactions t = Prepare.run(
                            options.listenings,
                            new PrepareOptions(IngestOptions.defaults(), -1, SplitSpec.random(0.5, 42)))
                    .train();
            out.printf(
                    Locale.ROOT,
                    "(a) %s: training half %d users x %d items, %d pairs (prepared in %.1f s)%n",
                    options.listenings.getFileName(),
                    t.users().size(),
                    t.items().size(),
                    t.nnz(),
                    (System.nanoTime() - t0) / 1e9);
            data.add(new Dataset("(a) listenings", t.userItems(), t.itemUsers()));
        }
        long t0 = System.nanoTime();
        double s = options.scale;
        Csr ui = SyntheticMatrix.random((int) (358_000 * s), (int) (292_000 * s), (long) (17_500_000 * s), 2.2, 360);
        out.printf(
                Locale.ROOT,
                "(b) Last.fm-360K-shaped: %d users x %d items, %d entries (built in %.1f s)%n",
                ui.rows(),
                ui.cols(),
                ui.nnz(),
                (System.nanoTime() - t0) / 1e9);
        data.add(new Dataset("(b) Last.fm-360K shape", ui, ui.transpose()));
        return data;
    }

    private void bench(Dataset d, boolean implicit, int f) {
        AlsParams p = AlsParams.builder()
                .rank(f)
                .regParam(0.01)
                .implicitPrefs(implicit)
                .alpha(1)
                .build();
        String mode = implicit ? "implicit" : "explicit";
        Row gpuRow = gpu == null ? new Row(Double.NaN, Double.NaN, Double.NaN, Double.NaN) : onGpu(d, p);
        double cpuMs = Double.NaN;
        if (contains(options.cpuRanks, f) && options.cpuIters > 0) {
            cpuMs = onCpu(d, p);
        }
        Row r = new Row(gpuRow.gpuMs(), gpuRow.kernelMs(), cpuMs, gpuRow.topKSeconds());
        out.printf(
                Locale.ROOT,
                "%s %s f=%d: GPU %.1f ms/iter (kernels %.1f), CPU %.1f ms/iter, top-10 %.3f s%n",
                d.name(),
                mode,
                f,
                r.gpuMs(),
                r.kernelMs(),
                r.cpuMs(),
                r.topKSeconds());
        table.add(String.format(
                Locale.ROOT,
                "| %s | %s | %d | %s | %s | %s | %s | %s |",
                d.name(),
                mode,
                f,
                gpu == null ? "cpu (" + THREADS + " threads)" : "gpu",
                fmt(gpu == null ? r.cpuMs() : r.gpuMs()),
                fmt(r.kernelMs()),
                Double.isNaN(r.cpuMs()) || Double.isNaN(r.gpuMs())
                        ? "-"
                        : String.format(Locale.ROOT, "%.1fx", r.cpuMs() / r.gpuMs()),
                Double.isNaN(r.topKSeconds()) ? "-" : String.format(Locale.ROOT, "%.3f", r.topKSeconds())));
        out.flush();
    }

    /** ms per iteration and kernel ms per iteration after one warm-up iteration, then top-10 (explicit only). */
    private Row onGpu(Dataset d, AlsParams p) {
        AlsFit.State last;
        double wallMs;
        double kernel = 0;
        try (GpuFit fit = gpu.startFit(d.userItems(), d.itemUsers(), initial(d, p.rank()), p)) {
            fit.solveItems(); // warm-up: loads the kernels' code
            fit.solveUsers();
            long t0 = System.nanoTime();
            for (int i = 0; i < options.iters; i++) {
                fit.solveItems();
                kernel += fit.lastKernelMillis();
                fit.solveUsers();
                kernel += fit.lastKernelMillis();
            }
            wallMs = (System.nanoTime() - t0) / 1e6 / options.iters;
            last = fit.finish();
        } catch (RuntimeException ex) {
            out.printf(Locale.ROOT, "%s f=%d: GPU failed: %s%n", d.name(), p.rank(), ex.getMessage());
            return new Row(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double topK = p.implicitPrefs() ? Double.NaN : topK(last);
        return new Row(wallMs, kernel / options.iters, Double.NaN, topK);
    }

    private double onCpu(Dataset d, AlsParams p) {
        try (AlsBackend cpu = CpuBackendProvider.open(THREADS);
                AlsFit fit = cpu.startFit(d.userItems(), d.itemUsers(), initial(d, p.rank()), p)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < options.cpuIters; i++) {
                fit.solveItems();
                fit.solveUsers();
            }
            return (System.nanoTime() - t0) / 1e6 / options.cpuIters;
        }
    }

    /** Top-10 for every user on the GPU (after one warm-up call), checked; seconds, or NaN on failure. */
    private double topK(AlsFit.State s) {
        try {
            gpu.topK(s.users(), s.items(), 10, null, new int[] {0, 1, 2, 3});
            long t0 = System.nanoTime();
            Recommendations r = gpu.topK(s.users(), s.items(), 10, null, null);
            double secs = (System.nanoTime() - t0) / 1e9;
            String check = UncheckedGpu.checkTopK(r, s.users(), s.items(), 10, null, null, 7);
            if (check != null) {
                out.println("top-k check FAILED: " + check);
            }
            return secs;
        } catch (RuntimeException ex) {
            out.println("top-k failed: " + ex.getMessage());
            return Double.NaN;
        }
    }

    /** Unit Gaussian user vectors (seed 1) for the rows with ratings, zero item factors (solved first). */
    private static AlsFit.State initial(Dataset d, int f) {
        Csr ui = d.userItems();
        float[] a = new float[ui.rows() * f];
        SplittableRandom rng = new SplittableRandom(1);
        for (int r = 0; r < ui.rows(); r++) {
            double n = 0;
            for (int k = 0; k < f; k++) {
                a[r * f + k] = (float) rng.nextGaussian();
                n += (double) a[r * f + k] * a[r * f + k];
            }
            float inv = (float) (1 / Math.sqrt(n));
            for (int k = 0; k < f; k++) {
                a[r * f + k] *= inv;
            }
        }
        return new AlsFit.State(
                Factors.wrap(a, ui.rows(), f, ui.nonEmptyRows()),
                Factors.zeros(d.itemUsers().rows(), f, d.itemUsers().nonEmptyRows()));
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }
}
