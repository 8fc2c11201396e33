package encore.serve;

import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters, rendered in the Prometheus text exposition format 0.0.4. Label values come from fixed sets
 * (the endpoints, three method names, the status codes this server sends), never from the request, so the number of
 * series is bounded. Recording is lock-free ({@link LongAdder}s).
 */
final class Metrics {
    /** The latency histogram's upper bounds, in seconds. */
    static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    /** The endpoints, as the {@code endpoint} label; {@code OTHER} is every unknown path. */
    enum Endpoint {
        RECOMMEND("/v1/recommend"),
        SIMILAR("/v1/similar"),
        EXPLAIN("/v1/explain"),
        HEALTHZ("/healthz"),
        METRICS("/metrics"),
        OTHER("other");

        final String path;

        Endpoint(String path) {
            this.path = path;
        }

        static Endpoint of(String path) {
            for (Endpoint e : values()) {
                if (e != OTHER && e.path.equals(path)) {
                    return e;
                }
            }
            return OTHER;
        }
    }

    /** The {@code method} label: GET, POST or other. */
    static String methodLabel(String method) {
        return method.equals("GET") || method.equals("POST") ? method : "other";
    }

    private record Series(Endpoint endpoint, String method, int status) {}

    private static final class Histogram {
        final LongAdder[] buckets = new LongAdder[BUCKETS.length];
        final LongAdder count = new LongAdder();
        final LongAdder nanos = new LongAdder();

        Histogram() {
            for (int b = 0; b < buckets.length; b++) {
                buckets[b] = new LongAdder();
            }
        }

        void add(long ns) {
            double s = ns / 1e9;
            for (int b = 0; b < BUCKETS.length; b++) {
                if (s <= BUCKETS[b]) {
                    buckets[b].increment();
                    break;
                }
            }
            count.increment();
            nanos.add(ns);
        }
    }

    private final ConcurrentHashMap<Series, LongAdder> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Histogram> latency = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    /** A request has started. */
    void started() {
        inFlight.incrementAndGet();
    }

    /** A request has been answered with {@code status} after {@code nanos}. */
    void finished(Endpoint e, String method, int status, long nanos) {
        inFlight.decrementAndGet();
        String m = methodLabel(method);
        requests.computeIfAbsent(new Series(e, m, status), s -> new LongAdder()).increment();
        latency.computeIfAbsent(e.path + "\u0000" + m, k -> new Histogram()).add(nanos);
    }

    /** Requests being handled now. */
    int inFlight() {
        return inFlight.get();
    }

    /** The text exposition of every counter, with the model's gauges from {@code live}. */
    String render(LiveModel live) {
        StringBuilder b = new StringBuilder(4096);
        header(b, "encore_http_requests_total", "counter", "HTTP requests answered, by endpoint, method and status.");
        Map<String, Long> sorted = new TreeMap<>();
        requests.forEach((s, n) -> sorted.put(
                labels("endpoint", s.endpoint().path, "method", s.method()) + "," + "status=\"" + s.status() + "\"",
                n.sum()));
        sorted.forEach((l, n) -> b.append("encore_http_requests_total{")
                .append(l)
                .append("} ")
                .append(n)
                .append('\n'));

        header(
                b,
                "encore_http_request_duration_seconds",
                "histogram",
                "Time from the start of a request to its response sent, by endpoint and method.");
        new TreeMap<>(latency).forEach((key, h) -> {
            int cut = key.indexOf('\u0000');
            String l = labels("endpoint", key.substring(0, cut), "method", key.substring(cut + 1));
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += h.buckets[i].sum();
                b.append("encore_http_request_duration_seconds_bucket{")
                        .append(l)
                        .append(",le=\"")
                        .append(le(BUCKETS[i]))
                        .append("\"} ")
                        .append(cumulative)
                        .append('\n');
            }
            long count = h.count.sum();
            b.append("encore_http_request_duration_seconds_bucket{")
                    .append(l)
                    .append(",le=\"+Inf\"} ")
                    .append(count)
                    .append('\n');
            b.append("encore_http_request_duration_seconds_sum{")
                    .append(l)
                    .append("} ")
                    .append(number(h.nanos.sum() / 1e9))
                    .append('\n');
            b.append("encore_http_request_duration_seconds_count{")
                    .append(l)
                    .append("} ")
                    .append(count)
                    .append('\n');
        });

        gauge(b, "encore_http_requests_in_flight", "Requests being handled now.", inFlight.get());
        LiveModel.Served s = live.current();
        gauge(
                b,
                "encore_model_generation",
                "Generation of the model being served (1 at start, +1 per reload).",
                s.generation());
        gauge(
                b,
                "encore_model_load_duration_seconds",
                "Time to read and index the model being served.",
                s.loadSeconds());
        gauge(
                b,
                "encore_model_loaded_timestamp_seconds",
                "When the model being served was loaded (Unix time).",
                s.loadedAt().toEpochMilli() / 1000.0);
        gauge(
                b,
                "encore_model_users",
                "Users of the model being served.",
                s.model().users().size());
        gauge(
                b,
                "encore_model_items",
                "Items of the model being served.",
                s.model().items().size());
        header(b, "encore_model_reloads_total", "counter", "Models loaded after the first one.");
        b.append("encore_model_reloads_total ").append(live.reloads()).append('\n');
        header(
                b,
                "encore_model_reload_failures_total",
                "counter",
                "Model files that could not be loaded (the previous model kept serving).");
        b.append("encore_model_reload_failures_total ").append(live.failures()).append('\n');
        return b.toString();
    }

    private static void header(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void gauge(StringBuilder b, String name, String help, double value) {
        header(b, name, "gauge", help);
        b.append(name).append(' ').append(number(value)).append('\n');
    }

    private static String labels(String k1, String v1, String k2, String v2) {
        // the values are this class's constants: nothing to escape
        return k1 + "=\"" + v1 + "\"," + k2 + "=\"" + v2 + "\"";
    }

    /** A sample value: integers without a fraction, others as Java writes doubles (valid in the format). */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /** A bucket bound as the {@code le} label: plain decimal ({@code 0.0005}, {@code 1}, {@code 2.5}). */
    static String le(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
