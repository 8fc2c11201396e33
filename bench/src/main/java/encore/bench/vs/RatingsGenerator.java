package encore.bench.vs;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Small explicit ratings with planted low-rank structure ({@code user<TAB>item<TAB>rating}, ratings 1–5), for the CI
 * smoke run of {@code bench/run vs explicit}: a well-determined problem on which both engines reach the same RMSE,
 * so the parity check means something even on a few thousand ratings.
 */
public final class RatingsGenerator {
    private RatingsGenerator() {}

    /** {@code ratings --out FILE [--users 300] [--items 200] [--per-user 40] [--rank 5] [--seed 7]}. */
    public static int run(String[] args) throws IOException {
        Opts o = new Opts(args);
        Path out = Path.of(o.need("out"));
        write(
                out,
                o.integer("users", 300),
                o.integer("items", 200),
                o.integer("per-user", 40),
                o.integer("rank", 5),
                o.longValue("seed", 7));
        System.out.println("wrote " + out);
        return 0;
    }

    /** Writes the file: each user rates {@code perUser} distinct random items. */
    public static void write(Path out, int users, int items, int perUser, int rank, long seed) throws IOException {
        if (perUser > items) {
            throw new IllegalArgumentException("--per-user exceeds --items");
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] u = gaussian(rnd, users * rank, 1 / Math.sqrt(rank));
        double[] v = gaussian(rnd, items * rank, 1);
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            int[] perm = new int[items];
            for (int i = 0; i < items; i++) {
                perm[i] = i;
            }
            for (int a = 0; a < users; a++) {
                for (int q = 0; q < perUser; q++) { // partial Fisher–Yates: perUser distinct items
                    int j = q + rnd.nextInt(items - q);
                    int t = perm[q];
                    perm[q] = perm[j];
                    perm[j] = t;
                    int i = perm[q];
                    double dot = 0;
                    for (int d = 0; d < rank; d++) {
                        dot += u[a * rank + d] * v[i * rank + d];
                    }
                    long r = Math.max(1, Math.min(5, Math.round(3 + 1.2 * dot + 0.3 * rnd.nextDouble() - 0.15)));
                    w.write("u" + a + "\ti" + i + "\t" + r + "\n");
                }
            }
        }
    }

    private static double[] gaussian(SplittableRandom rnd, int n, double scale) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            // Box–Muller
            double r = Math.sqrt(-2 * Math.log(1 - rnd.nextDouble()));
            x[i] = scale * r * Math.cos(2 * Math.PI * rnd.nextDouble());
        }
        return x;
    }
}
