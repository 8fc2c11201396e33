package encore.bench;

import encore.als.Als;
import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.FoldIn;
import encore.als.ItemFilter;
import encore.als.RankedItems;
import encore.als.ServingModel;
import encore.cuda.SyntheticMatrix;
import encore.data.IngestOptions;
import encore.data.LabelIndex;
import encore.data.Prepare;
import encore.data.PrepareOptions;
import encore.data.Prepared;
import encore.data.SplitSpec;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Latency of the serving path, one request at a time on one thread: fold-in alone ({@link AlsModel#foldIn}) and
 * fold-in + top-10 with the played items excluded ({@link ServingModel#recommendForPlays}), for users with 10 / 100 /
 * 1,000 plays drawn by item popularity, at rank 64 (implicit, the listening data's model). Models:
 *
 * <ul>
 *   <li>{@code --model listenings}: trained (2 iterations, alpha 10, regParam 0.1) on the generated listenings
 *       ({@code --rows}, default the 13.7 M rows: ~1 M items), so the factor norms are real ones, which decides how
 *       much the norm-bound early stop prunes;</li>
 *   <li>{@code --model lastfm360k}: trained the same way on the Last.fm-360K-shaped matrix (292 K items;
 *       {@code --scale} for a fraction);</li>
 *   <li>{@code --model random --items N}: Gaussian factors with log-normal norms (no training; a worst-ish case for
 *       pruning).</li>
 * </ul>
 * Every configuration first runs {@code --queries} untimed requests (all of them before any is timed), then
 * {@code --queries} timed ones; p50, p99 and max in milliseconds.
 */
final class ServingBenchmark {
    private ServingBenchmark() {}

    static int run(String[] args) throws IOException {
        String kind = "listenings";
        long rows = 13_758_905L;
        double scale = 1;
        int items = 1_000_000;
        int rank = 64;
        int queries = 2000;
        int threads = Runtime.getRuntime().availableProcessors();
        int[] playCounts = {10, 100, 1000};
        Path report = null;
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--model" -> kind = v;
                case "--rows" -> rows = Long.parseLong(v);
                case "--scale" -> scale = Double.parseDouble(v);
                case "--items" -> items = Integer.parseInt(v);
                case "--rank" -> rank = Integer.parseInt(v);
                case "--queries" -> queries = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--plays" -> playCounts = AlsBenchmark.ints(v);
                case "--report" -> report = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        AlsParams params = AlsParams.builder()
                .rank(rank)
                .maxIter(2)
                .regParam(0.1)
                .implicitPrefs(true)
                .alpha(10)
                .build();
        long t0 = System.nanoTime();
        AlsModel model;
        double[] popularity;
        String what;
        switch (kind) {
            case "listenings" -> {
                Path file = FrontEndBenchmark.cachedListenings(rows, 1);
                Prepared p = Prepare.run(file, new PrepareOptions(IngestOptions.defaults(), -1, SplitSpec.none()));
                model = Als.with(params)
                        .backend("cpu")
                        .threads(threads)
                        .fit(p.train())
                        .model();
                popularity = columnCounts(p.train().userItems());
                what = String.format(Locale.ROOT, "trained on `%s`", file.getFileName());
            }
            case "lastfm360k" -> {
                Csr ui = SyntheticMatrix.random(
                        (int) (358_000 * scale), (int) (292_000 * scale), (long) (17_500_000 * scale), 2.2, 360);
                model = Als.with(params).backend("cpu").threads(threads).fit(ui).model();
                popularity = columnCounts(ui);
                what = "trained on the Last.fm-360K-shaped matrix" + (scale == 1 ? "" : " at scale " + scale);
            }
            case "random" -> {
                model = randomModel(items, rank, params);
                popularity = new double[items];
                Arrays.fill(popularity, 1);
                what = "random factors (log-normal norms)";
            }
            default -> throw new IllegalArgumentException("unknown --model " + kind);
        }
        ServingModel serving = new ServingModel(model, null, false).warmUp();
        String head = String.format(
                Locale.ROOT,
                "Serving latency, rank %d implicit, %s: %,d items with factors (model ready in %.1f s); one request at "
                        + "a time on one thread, %,d timed requests per row after as many untimed; Java %s, %d cores",
                rank,
                what,
                model.itemsWithFactors(),
                (System.nanoTime() - t0) / 1e9,
                queries,
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        System.out.println(head);
        StringBuilder md = new StringBuilder(head).append("\n\n");
        md.append("| plays | fold-in p50 ms | p99 | max | fold-in + top-10 p50 ms | p99 | max |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|\n");
        double[] cumulative = cumulative(popularity);
        SplittableRandom rnd = new SplittableRandom(42);
        int[][][] users = new int[playCounts.length][][];
        float[][][] counts = new float[playCounts.length][][];
        for (int c = 0; c < playCounts.length; c++) {
            users[c] = new int[2 * queries][];
            counts[c] = new float[2 * queries][];
            for (int q = 0; q < 2 * queries; q++) {
                users[c][q] = draw(rnd, cumulative, playCounts[c]);
                counts[c][q] = new float[users[c][q].length];
                for (int j = 0; j < counts[c][q].length; j++) {
                    counts[c][q][j] = 1 + (float) Math.floor(Math.exp(rnd.nextDouble() * 4));
                }
            }
        }
        // warm-up: the first half of every configuration, untimed, before anything is timed
        long sink = 0;
        for (int c = 0; c < playCounts.length; c++) {
            for (int q = 0; q < queries; q++) {
                sink += time(model, serving, users[c][q], counts[c][q], null, null, 0);
            }
        }
        for (int c = 0; c < playCounts.length; c++) {
            double[] fold = new double[queries];
            double[] both = new double[queries];
            for (int q = 0; q < queries; q++) {
                sink += time(model, serving, users[c][queries + q], counts[c][queries + q], fold, both, q);
            }
            Arrays.sort(fold);
            Arrays.sort(both);
            String row = String.format(
                    Locale.ROOT,
                    "| %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |",
                    playCounts[c],
                    pct(fold, 0.5),
                    pct(fold, 0.99),
                    fold[fold.length - 1],
                    pct(both, 0.5),
                    pct(both, 0.99),
                    both[both.length - 1]);
            System.out.println(row);
            md.append(row).append('\n');
        }
        if (sink == 42) {
            System.out.println(); // keeps the results alive
        }
        if (report != null) {
            Files.writeString(report, md.toString(), StandardCharsets.UTF_8);
        }
        return 0;
    }

    /** One fold-in, then one fold-in + top-10; their milliseconds into {@code fold[q]}/{@code both[q]} when given. */
    private static long time(
            AlsModel model, ServingModel serving, int[] items, float[] counts, double[] fold, double[] both, int q) {
        long a = System.nanoTime();
        FoldIn.User u = model.foldIn(items, counts);
        long b = System.nanoTime();
        RankedItems r = serving.recommendForPlays(items, counts, 10, ItemFilter.none(), true)
                .items();
        long c = System.nanoTime();
        if (fold != null) {
            fold[q] = (b - a) / 1e6;
            both[q] = (c - b) / 1e6;
        }
        return r.size() + (u.solved() ? 1 : 0);
    }

    private static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static double[] columnCounts(Csr ui) {
        double[] c = new double[ui.cols()];
        for (int col : ui.colIdx()) {
            c[col]++;
        }
        return c;
    }

    private static double[] cumulative(double[] w) {
        double[] c = new double[w.length];
        double s = 0;
        for (int i = 0; i < w.length; i++) {
            s += w[i];
            c[i] = s;
        }
        return c;
    }

    /** {@code n} distinct items drawn by weight (fewer when the catalogue is smaller). */
    private static int[] draw(SplittableRandom rnd, double[] cumulative, int n) {
        BitSet picked = new BitSet();
        int want = Math.min(n, cumulative.length);
        double total = cumulative[cumulative.length - 1];
        int[] out = new int[want];
        int got = 0;
        for (int tries = 0; got < want && tries < 50 * want; tries++) {
            int i = Arrays.binarySearch(cumulative, rnd.nextDouble() * total);
            i = i < 0 ? -i - 1 : i;
            i = Math.min(i, cumulative.length - 1);
            if (!picked.get(i)) {
                picked.set(i);
                out[got++] = i;
            }
        }
        return Arrays.copyOf(out, got);
    }

    private static AlsModel randomModel(int items, int rank, AlsParams params) {
        SplittableRandom rnd = new SplittableRandom(7);
        float[] f = new float[items * rank];
        for (int i = 0; i < items; i++) {
            double scale = Math.exp(0.5 * rnd.nextGaussian()) / Math.sqrt(rank);
            for (int d = 0; d < rank; d++) {
                f[i * rank + d] = (float) (scale * rnd.nextGaussian());
            }
        }
        BitSet all = new BitSet();
        all.set(0, items);
        String[] labels = new String[items];
        for (int i = 0; i < items; i++) {
            labels[i] = "i" + i;
        }
        BitSet one = new BitSet();
        one.set(0);
        return new AlsModel(
                params,
                LabelIndex.ofOrdered(new String[] {"u"}, new int[1]),
                LabelIndex.ofOrdered(labels, new int[items]),
                Factors.wrap(new float[rank], 1, rank, one),
                Factors.wrap(f, items, rank, all));
    }
}
