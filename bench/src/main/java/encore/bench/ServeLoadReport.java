package encore.bench;

import encore.serve.EncoreServer;
import encore.util.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The figures of one {@code serve-load} run: per endpoint, over the whole run and over the reload. */
final class ServeLoadReport {
    private static final String[] NAMES = {"GET /v1/recommend", "POST /v1/recommend"};

    private final LoadClient.Samples[] all = new LoadClient.Samples[2];
    private final LoadClient.Samples[] reload = new LoadClient.Samples[2];
    private final long errors;
    private final List<String> errorSamples = new ArrayList<>();
    private final long[] byGeneration = new long[4];
    private final double elapsed;
    private final double reloadSeconds;
    private final double windowSeconds;

    ServeLoadReport(List<LoadClient.Result> results, double elapsed, LoadClient.Window window, double reloadSeconds) {
        long e = 0;
        for (int k = 0; k < 2; k++) {
            List<LoadClient.Samples> a = new ArrayList<>();
            List<LoadClient.Samples> r = new ArrayList<>();
            for (LoadClient.Result res : results) {
                a.add(res.all()[k]);
                r.add(res.reload()[k]);
            }
            all[k] = LoadClient.Samples.merge(a);
            reload[k] = LoadClient.Samples.merge(r);
        }
        for (LoadClient.Result res : results) {
            e += res.errors();
            for (String s : res.errorSamples()) {
                if (errorSamples.size() < 5) {
                    errorSamples.add(s);
                }
            }
            for (int g = 0; g < 4; g++) {
                byGeneration[g] += res.byGeneration()[g];
            }
        }
        this.errors = e;
        this.elapsed = elapsed;
        this.reloadSeconds = reloadSeconds;
        this.windowSeconds = window.to() == Long.MAX_VALUE ? 0 : (window.to() - window.from()) / 1e9;
    }

    long errors() {
        return errors;
    }

    private static Map<String, Object> stats(LoadClient.Samples s, double seconds) {
        Map<String, Object> m = Json.object();
        m.put("requests", s.n);
        m.put("per_second", seconds > 0 ? s.n / seconds : null);
        m.put("p50_ms", s.quantileMillis(0.5));
        m.put("p99_ms", s.quantileMillis(0.99));
        m.put("max_ms", s.quantileMillis(1));
        return m;
    }

    Map<String, Object> json(ServeLoadBenchmark.Settings s, EncoreServer server) {
        Map<String, Object> r = Json.object();
        r.put("clients", s.clients());
        r.put("seconds", elapsed);
        r.put("items", s.items());
        r.put("users", s.users());
        r.put("rank", s.rank());
        r.put("post_share", s.postShare());
        r.put("cores", Runtime.getRuntime().availableProcessors());
        r.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
        r.put("java", System.getProperty("java.version"));
        Map<String, Object> whole = Json.object();
        Map<String, Object> during = Json.object();
        for (int k = 0; k < 2; k++) {
            whole.put(NAMES[k], stats(all[k], elapsed));
            during.put(NAMES[k], stats(reload[k], windowSeconds));
        }
        r.put("run", whole);
        r.put("during_reload", during);
        r.put("reload_seconds", reloadSeconds);
        r.put("generation_at_end", server.generation());
        r.put("answers_generation_1", byGeneration[1]);
        r.put("answers_generation_2", byGeneration[2]);
        r.put("errors", errors);
        r.put("error_samples", errorSamples);
        return r;
    }

    String table(ServeLoadBenchmark.Settings s, EncoreServer server) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "serve-load: %d clients, %.1f s, %,d items × rank %d, %,d users; %d cores, heap %d MiB, Java %s%n",
                s.clients(),
                elapsed,
                s.items(),
                s.rank(),
                s.users(),
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version")));
        String header = String.format(
                Locale.ROOT, "%-30s %9s %8s %8s %8s %8s%n", "", "requests", "req/s", "p50 ms", "p99 ms", "max ms");
        b.append(header);
        rows(b, all, elapsed, "");
        b.append(String.format(
                Locale.ROOT, "during the reload (%.1f s from the rename to generation 2):%n", windowSeconds));
        rows(b, reload, windowSeconds, "  ");
        b.append(String.format(
                Locale.ROOT,
                "reload: generation %d at the end; answers from generation 1: %,d, from generation 2: %,d%n",
                server.generation(),
                byGeneration[1],
                byGeneration[2]));
        b.append(
                String.format(Locale.ROOT, "errors: %d%s%n", errors, errorSamples.isEmpty() ? "" : " " + errorSamples));
        return b.toString();
    }

    private static void rows(StringBuilder b, LoadClient.Samples[] s, double seconds, String indent) {
        long n = 0;
        for (int k = 0; k < 2; k++) {
            n += s[k].n;
            b.append(String.format(
                    Locale.ROOT,
                    "%-30s %9d %8.1f %8.2f %8.2f %8.2f%n",
                    indent + NAMES[k],
                    s[k].n,
                    seconds > 0 ? s[k].n / seconds : Double.NaN,
                    s[k].quantileMillis(0.5),
                    s[k].quantileMillis(0.99),
                    s[k].quantileMillis(1)));
        }
        b.append(String.format(
                Locale.ROOT, "%-30s %9d %8.1f%n", indent + "all", n, seconds > 0 ? n / seconds : Double.NaN));
    }
}
