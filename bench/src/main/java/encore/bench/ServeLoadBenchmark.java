package encore.bench;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.io.ModelStore;
import encore.data.LabelIndex;
import encore.matrix.Csr;
import encore.matrix.Factors;
import encore.serve.EncoreServer;
import encore.serve.ServeOptions;
import encore.util.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code bench/run serve-load}: {@code encore serve} under load on loopback. Two models of {@code --items} items
 * (default 1 M) and {@code --users} users (50 K) at {@code --rank} (64) with random factors — Gaussian directions,
 * log-normal norms, as trained item factors have (popular items longer), which decides how much the searcher's norm
 * bound prunes — and 20 training items per user are written once (implicit, alpha 10, regParam 0.1). The server runs
 * in this JVM on the first; {@code --clients} (16) client threads, each with one keep-alive connection, send for
 * {@code --seconds} (30) a mix of {@code GET /v1/recommend?user=…&k=10&exclude_seen=true} (known users) and
 * {@code POST /v1/recommend} with 10–100 random plays, k 10, the plays excluded ({@code --post-share}, 0.5). Halfway
 * the second model is renamed over the first (what {@code encore train} does), and the server reloads it while the
 * clients go on. Prints throughput, p50/p99/max latency and errors per endpoint (all requests, and those sent during
 * the reload) as a table, last, after {@code --warmup} (5) untimed seconds of the same load, and writes them as JSON ({@code --out}, default
 * {@code bench-out/serve-load/serve-load.json}). Bounded: the clients stop at the deadline; it exits 1 on any error.
 */
final class ServeLoadBenchmark {
    private ServeLoadBenchmark() {}

    /** The benchmark's settings. */
    record Settings(int clients, int seconds, int items, int users, int rank, double postShare) {}

    static int run(String[] args) throws Exception {
        int clients = 16;
        int seconds = 30;
        int warmup = 5;
        int items = 1_000_000;
        int users = 50_000;
        int rank = 64;
        double postShare = 0.5;
        Path out = Path.of("bench-out/serve-load");
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--clients" -> clients = Integer.parseInt(v);
                case "--seconds" -> seconds = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--items" -> items = Integer.parseInt(v);
                case "--users" -> users = Integer.parseInt(v);
                case "--rank" -> rank = Integer.parseInt(v);
                case "--post-share" -> postShare = Double.parseDouble(v);
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (clients < 1 || clients > 256 || seconds < 2 || seconds > 600 || items < 1000 || users < 100) {
            throw new IllegalArgumentException(
                    "need 1..256 clients, 2..600 seconds, at least 1000 items and 100 users");
        }
        Settings s = new Settings(clients, seconds, items, users, rank, postShare);
        Files.createDirectories(out);
        Path model = out.resolve("serve-load.encore");
        Path next = out.resolve("serve-load-next.encore");
        long t0 = System.nanoTime();
        write(model, s, 1);
        write(next, s, 2);
        System.out.printf(
                Locale.ROOT,
                "serve-load: two models of %,d items × rank %d, %,d users, written in %.1f s%n",
                items,
                rank,
                users,
                (System.nanoTime() - t0) / 1e9);
        ServeOptions options = ServeOptions.builder(model)
                .port(0)
                .maxConcurrent(Math.max(32, 2 * clients))
                .log(l -> System.out.println("server: " + l))
                .build();
        t0 = System.nanoTime();
        try (EncoreServer server = EncoreServer.start(options)) {
            System.out.printf(
                    Locale.ROOT,
                    "serve-load: server on 127.0.0.1:%d, %s, started in %.1f s; %d clients for %d s%n",
                    server.port(),
                    server.describe(),
                    (System.nanoTime() - t0) / 1e9,
                    clients,
                    seconds);
            if (warmup > 0) { // the JIT compiles the server's paths and the clients' before the timed run
                System.out.printf(Locale.ROOT, "serve-load: %d s warm-up (untimed)%n", warmup);
                warm(server, s, warmup);
            }
            return drive(server, s, model, next, out);
        }
    }

    private static void warm(EncoreServer server, Settings s, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(s.clients());
        List<Future<LoadClient.Result>> futures = new ArrayList<>();
        for (int c = 0; c < s.clients(); c++) {
            LoadClient client = new LoadClient(server.port(), s, 1 + c, new LoadClient.Window());
            futures.add(pool.submit(() -> client.run(deadline)));
        }
        for (Future<LoadClient.Result> f : futures) {
            f.get();
        }
        pool.shutdown();
    }

    private static int drive(EncoreServer server, Settings s, Path model, Path next, Path out) throws Exception {
        long start = System.nanoTime();
        long deadline = start + s.seconds() * 1_000_000_000L;
        LoadClient.Window reload = new LoadClient.Window();
        ExecutorService pool = Executors.newFixedThreadPool(s.clients());
        List<Future<LoadClient.Result>> futures = new ArrayList<>();
        for (int c = 0; c < s.clients(); c++) {
            LoadClient client = new LoadClient(server.port(), s, 1000 + c, reload);
            futures.add(pool.submit(() -> client.run(deadline)));
        }
        // halfway: the second model renamed over the first, as encore train replaces a model
        Thread.sleep(s.seconds() * 500L);
        reload.open(System.nanoTime());
        Files.move(next, model, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        long swapped = -1;
        while (System.nanoTime() < deadline) {
            if (server.generation() == 2) {
                swapped = System.nanoTime();
                break;
            }
            Thread.sleep(5);
        }
        reload.close(swapped < 0 ? deadline : swapped);
        List<LoadClient.Result> results = new ArrayList<>();
        for (Future<LoadClient.Result> f : futures) {
            results.add(f.get());
        }
        pool.shutdown();
        double elapsed = (System.nanoTime() - start) / 1e9;
        ServeLoadReport r =
                new ServeLoadReport(results, elapsed, reload, swapped < 0 ? -1 : (swapped - reload.from()) / 1e9);
        Map<String, Object> json = r.json(s, server);
        Files.writeString(out.resolve("serve-load.json"), Json.write(json), StandardCharsets.UTF_8);
        System.out.println();
        System.out.print(r.table(s, server));
        System.out.println("JSON: " + out.resolve("serve-load.json"));
        return r.errors() == 0 && server.generation() == 2 ? 0 : 1;
    }

    /** Writes a model with random factors ({@code variant} seeds them) and 20 training items per user. */
    static void write(Path file, Settings s, int variant) throws IOException {
        AlsParams params = AlsParams.builder()
                .rank(s.rank())
                .implicitPrefs(true)
                .alpha(10)
                .regParam(0.1)
                .build();
        SplittableRandom rnd = new SplittableRandom(42L * variant);
        Factors itemFactors = randomFactors(rnd, s.items(), s.rank());
        Factors userFactors = randomFactors(rnd, s.users(), s.rank());
        int perUser = 20;
        int[] ptr = new int[s.users() + 1];
        int[] cols = new int[s.users() * perUser];
        float[] vals = new float[cols.length];
        for (int u = 0; u < s.users(); u++) {
            ptr[u + 1] = ptr[u] + perUser;
            int[] row =
                    rnd.ints(0, s.items()).distinct().limit(perUser).sorted().toArray();
            for (int j = 0; j < perUser; j++) {
                cols[u * perUser + j] = row[j];
                vals[u * perUser + j] = 1 + rnd.nextInt(30);
            }
        }
        AlsModel m = new AlsModel(
                params,
                LabelIndex.ofOrdered(labels("u", s.users()), new int[s.users()]),
                LabelIndex.ofOrdered(labels("t", s.items()), new int[s.items()]),
                userFactors,
                itemFactors);
        ModelStore.save(file, m, new Csr(s.users(), s.items(), ptr, cols, vals), Map.of("source", "serve-load"));
    }

    /** The label of user or item {@code i}: {@code u000042}, {@code t0000042}. */
    static String label(String prefix, int i) {
        String digits = Integer.toString(i);
        int width = prefix.equals("u") ? 6 : 7;
        return prefix + "0".repeat(Math.max(0, width - digits.length())) + digits;
    }

    private static String[] labels(String prefix, int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = label(prefix, i);
        }
        return out;
    }

    private static Factors randomFactors(SplittableRandom rnd, int rows, int rank) {
        float[] data = new float[rows * rank];
        for (int r = 0; r < rows; r++) {
            double sq = 0;
            for (int d = 0; d < rank; d++) {
                double g = rnd.nextGaussian();
                data[r * rank + d] = (float) g;
                sq += g * g;
            }
            double scale = Math.exp(0.5 * rnd.nextGaussian()) / Math.sqrt(sq);
            for (int d = 0; d < rank; d++) {
                data[r * rank + d] *= (float) scale;
            }
        }
        BitSet all = new BitSet(rows);
        all.set(0, rows);
        return Factors.wrap(data, rows, rank, all);
    }
}
