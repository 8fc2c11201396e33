package encore.cuda;

import encore.als.AlsParams;
import encore.als.Recommendations;
import encore.als.spi.TopKScorer;
import encore.cpu.CpuHalfIteration;
import encore.matrix.Csr;
import encore.matrix.Factors;
import encore.data.IngestOptions;
import encore.data.Interactions;
import encore.data.Prepare;
import encore.data.PrepareOptions;
import encore.data.SplitSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The GPU training and recommend-all benchmark of the device check ({@code cuda-kernels/device-check.sh}):
 * milliseconds per ALS iteration at each rank on (a) generated listenings (the seed's 50/50 split, training half) and
 * (b) a Last.fm-360K-shaped matrix, the CPU engine on the same host for the ratio, and top-10 for all users. Prints
 * progress lines and a Markdown table last, and writes the table to {@code --out}.
 *
 * <pre>
 * java -cp encore.jar encore.cuda.DeviceCheck [--listenings FILE] [--ranks 10,64,128] [--iters 5]
 *      [--cpu-ranks 64] [--cpu-iters 1] [--modes explicit,implicit] [--lastfm-scale 1] [--out FILE] [--cpu-only]
 * </pre>
 * {@code --cpu-only} runs the same harness on the CPU engine alone (to check the harness on a machine without a GPU).
 */
public final class DeviceCheck {
    private final PrintWriter out;
    private final List<String> table = new ArrayList<>();

    private DeviceCheck(PrintWriter out) {
        this.out = out;
    }

    public static void main(String[] args) throws IOException {
        Path listenings = null;
        int[] ranks = {10, 64, 128};
        int[] cpuRanks = {64};
        int iters = 5;
        int cpuIters = 1;
        String[] modes = {"explicit", "implicit"};
        double scale = 1;
        Path outFile = null;
        boolean cpuOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--listenings" -> listenings = Path.of(args[++i]);
                case "--ranks" -> ranks = ints(args[++i]);
                case "--cpu-ranks" -> {
                    String v = args[++i];
                    cpuRanks = v.isEmpty() ? new int[0] : ints(v);
                }
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--cpu-iters" -> cpuIters = Integer.parseInt(args[++i]);
                case "--modes" -> modes = args[++i].split(",");
                case "--lastfm-scale" -> scale = Double.parseDouble(args[++i]);
                case "--out" -> outFile = Path.of(args[++i]);
                case "--cpu-only" -> cpuOnly = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        PrintWriter w = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        DeviceCheck c = new DeviceCheck(w);
        int rc = c.run(listenings, ranks, cpuRanks, iters, cpuIters, modes, scale, cpuOnly);
        w.println();
        w.println("| data | mode | f | engine | ms/iteration | kernel ms/iteration | CPU/GPU | top-10 all users s |");
        w.println("|---|---|---|---|---|---|---|---|");
        c.table.forEach(w::println);
        if (outFile != null) {
            Files.writeString(outFile, String.join("\n", c.table) + "\n");
        }
        w.flush();
        System.exit(rc);
    }

    private static int[] ints(String s) {
        return java.util.Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private int run(Path listenings, int[] ranks, int[] cpuRanks, int iters, int cpuIters, String[] modes,
                    double scale, boolean cpuOnly) throws IOException {
        GpuDevice dev = null;
        if (!cpuOnly) {
            try {
                dev = GpuDevice.open();
                out.println("device: " + dev.info().describe());
            } catch (GpuUnavailableException e) {
                out.println("no usable GPU: " + e.getMessage());
                return 1;
            }
        }
        try {
            List<Object[]> data = new ArrayList<>();
            if (listenings != null) {
                long t0 = System.nanoTime();
                Interactions t = Prepare.run(listenings, new PrepareOptions(IngestOptions.defaults(), -1,
                    SplitSpec.random(0.5, 42))).train();
                out.printf(Locale.ROOT, "(a) %s: training half %d users x %d items, %d pairs (prepared in %.1f s)%n",
                    listenings.getFileName(), t.users().size(), t.items().size(), t.nnz(),
                    (System.nanoTime() - t0) / 1e9);
                data.add(new Object[] {"(a) listenings", t.userItems(), t.itemUsers()});
            }
            long t0 = System.nanoTime();
            Csr ui = SyntheticMatrix.lastFmShaped(scale, 360);
            Csr iu = ui.transpose();
            out.printf(Locale.ROOT, "(b) Last.fm-360K-shaped: %d users x %d items, %d entries (built in %.1f s)%n",
                ui.rows(), ui.cols(), ui.nnz(), (System.nanoTime() - t0) / 1e9);
            data.add(new Object[] {"(b) Last.fm-360K shape", ui, iu});
            for (Object[] d : data) {
                for (String mode : modes) {
                    for (int f : ranks) {
                        bench(dev, (String) d[0], (Csr) d[1], (Csr) d[2], mode.equals("implicit"), f, iters,
                            contains(cpuRanks, f) ? cpuIters : 0);
                    }
                }
            }
        } finally {
            if (dev != null) {
                dev.close();
            }
        }
        return 0;
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    private void bench(GpuDevice dev, String name, Csr ui, Csr iu, boolean implicit, int f, int iters, int cpuIters) {
        int threads = Runtime.getRuntime().availableProcessors();
        AlsParams p = AlsParams.builder().rank(f).regParam(0.01).implicitPrefs(implicit).alpha(1).build();
        float[] u = init(ui.rows(), f, 1);
        float[] it = new float[iu.rows() * f];
        String mode = implicit ? "implicit" : "explicit";
        double gpuMs = Double.NaN;
        double kernelMs = Double.NaN;
        double topkS = Double.NaN;
        if (dev != null) {
            try (GpuAlsEngine e = new GpuAlsEngine(dev, false)) {
                e.solve(iu, u, it, p); // warm-up: uploads both matrices, loads the kernels' code
                e.solve(ui, it, u, p);
                double kernel = 0;
                long t0 = System.nanoTime();
                for (int i = 0; i < iters; i++) {
                    e.solve(iu, u, it, p);
                    kernel += e.lastKernelMillis();
                    e.solve(ui, it, u, p);
                    kernel += e.lastKernelMillis();
                }
                gpuMs = (System.nanoTime() - t0) / 1e6 / iters;
                kernelMs = kernel / iters;
            } catch (RuntimeException ex) {
                out.printf(Locale.ROOT, "%s %s f=%d: GPU failed: %s%n", name, mode, f, ex.getMessage());
            }
            if (!implicit) {
                topkS = topk(dev, ui, u, it, f);
            }
        }
        double cpuMs = Double.NaN;
        if (cpuIters > 0) {
            float[] cu = init(ui.rows(), f, 1);
            float[] ci = new float[iu.rows() * f];
            long t0 = System.nanoTime();
            for (int i = 0; i < cpuIters; i++) {
                CpuHalfIteration.solve(iu, cu, ci, p, threads);
                CpuHalfIteration.solve(ui, ci, cu, p, threads);
            }
            cpuMs = (System.nanoTime() - t0) / 1e6 / cpuIters;
        }
        out.printf(Locale.ROOT, "%s %s f=%d: GPU %.1f ms/iter (kernels %.1f), CPU %.1f ms/iter, top-10 %.3f s%n", name,
            mode, f, gpuMs, kernelMs, cpuMs, topkS);
        table.add(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s |", name, mode, f,
            dev == null ? "cpu (" + threads + " threads)" : "gpu", fmt(dev == null ? cpuMs : gpuMs), fmt(kernelMs),
            Double.isNaN(cpuMs) || Double.isNaN(gpuMs) ? "-" : String.format(Locale.ROOT, "%.1fx", cpuMs / gpuMs),
            Double.isNaN(topkS) ? "-" : String.format(Locale.ROOT, "%.3f", topkS)));
        out.flush();
    }

    /** Top-10 for every user on the GPU (after one warm-up call); seconds, or NaN on failure. */
    private double topk(GpuDevice dev, Csr ui, float[] u, float[] it, int f) {
        BitSet uHas = new BitSet();
        uHas.set(0, ui.rows());
        BitSet iHas = new BitSet();
        for (int r = 0; r < ui.rows(); r++) {
            for (int q = ui.rowStart(r); q < ui.rowEnd(r); q++) {
                iHas.set(ui.colIdx()[q]);
            }
        }
        TopKScorer s = new GpuTopKScorer(dev, false);
        try {
            int[] warm = {0, 1, 2, 3};
            Factors uf = Factors.wrap(u, ui.rows(), f, uHas);
            Factors itf = Factors.wrap(it, ui.cols(), f, iHas);
            s.topK(uf, itf, 10, null, warm);
            long t0 = System.nanoTime();
            Recommendations r = s.topK(uf, itf, 10, null, null);
            double secs = (System.nanoTime() - t0) / 1e9;
            String check = CheckedTopKScorer.check(r, u, uHas, ui.rows(), it, iHas, ui.cols(), f, 10, null, null, 7);
            if (check != null) {
                out.println("top-k check FAILED: " + check);
            }
            return secs;
        } catch (RuntimeException ex) {
            out.println("top-k failed: " + ex.getMessage());
            return Double.NaN;
        }
    }

    private static float[] init(int rows, int f, long seed) {
        float[] a = new float[rows * f];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int r = 0; r < rows; r++) {
            double n = 0;
            for (int d = 0; d < f; d++) {
                a[r * f + d] = (float) rng.nextGaussian();
                n += (double) a[r * f + d] * a[r * f + d];
            }
            float inv = (float) (1 / Math.sqrt(n));
            for (int d = 0; d < f; d++) {
                a[r * f + d] *= inv;
            }
        }
        return a;
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }
}
