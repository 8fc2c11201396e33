package encore.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /metrics} parses as the Prometheus text format 0.0.4 and counts what was asked. */
class MetricsTest {
    @TempDir
    Path dir;

    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"[^\"\\\\\\n]*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"\\\\\\n]*\")*)\\})? "
                    + "(-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?|\\+Inf|-Inf|NaN)");
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)");

    /** Samples by "name{labels}", checking the grammar, and that each family's HELP and TYPE come first. */
    static Map<String, Double> parse(String text) {
        assertTrue(text.endsWith("\n"));
        Map<String, Double> samples = new LinkedHashMap<>();
        Map<String, String> types = new HashMap<>();
        Map<String, Boolean> help = new HashMap<>();
        for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
            Matcher c = COMMENT.matcher(line);
            if (c.matches()) {
                if (c.group(1).equals("TYPE")) {
                    assertTrue(List.of("counter", "gauge", "histogram").contains(c.group(3)), line);
                    assertTrue(types.put(c.group(2), c.group(3)) == null, "TYPE twice: " + line);
                } else {
                    assertTrue(help.put(c.group(2), true) == null, "HELP twice: " + line);
                }
                continue;
            }
            Matcher s = SAMPLE.matcher(line);
            assertTrue(s.matches(), "not a sample line: '" + line + "'");
            String name = s.group(1);
            String family = name.replaceFirst("_(bucket|sum|count)$", "");
            String type = types.containsKey(name) ? types.get(name) : types.get(family);
            assertTrue(
                    type != null && help.containsKey(types.containsKey(name) ? name : family),
                    "no TYPE/HELP before " + line);
            if (!types.containsKey(name)) {
                assertEquals("histogram", type, line);
            }
            String key = name + (s.group(2) == null ? "" : s.group(2));
            assertTrue(
                    samples.put(key, Double.parseDouble(s.group(5).replace("Inf", "Infinity"))) == null,
                    "twice: " + key);
        }
        return samples;
    }

    @Test
    void countsHistogramsAndModelGauges() throws Exception {
        Path m = Fixture.save(dir.resolve("m.encore"));
        try (EncoreServer s =
                EncoreServer.start(ServeOptions.builder(m).port(0).log(l -> {}).build())) {
            Client c = new Client(s.port());
            assertEquals(200, c.get("/v1/recommend?user=alice").statusCode());
            assertEquals(200, c.get("/v1/recommend?user=bob&k=2").statusCode());
            assertEquals(404, c.get("/v1/recommend?user=nobody").statusCode());
            assertEquals(
                    200,
                    c.post("/v1/recommend", "{\"plays\":[{\"item\":\"a\"}]}").statusCode());
            assertEquals(200, c.get("/v1/similar?item=a").statusCode());
            assertEquals(404, c.get("/nothing/here").statusCode());
            assertEquals(405, c.post("/healthz", "{}").statusCode());
            Client.awaitInFlight(s, 0); // all seven counted
            HttpResponse<String> r = c.get("/metrics");
            assertEquals(200, r.statusCode());
            assertEquals(
                    "text/plain; version=0.0.4; charset=utf-8",
                    r.headers().firstValue("Content-Type").orElse(""));
            Map<String, Double> v = parse(r.body());
            String rec = "endpoint=\"/v1/recommend\",method=\"GET\"";
            assertEquals(2.0, v.get("encore_http_requests_total{" + rec + ",status=\"200\"}"));
            assertEquals(1.0, v.get("encore_http_requests_total{" + rec + ",status=\"404\"}"));
            assertEquals(
                    1.0,
                    v.get("encore_http_requests_total{endpoint=\"/v1/recommend\",method=\"POST\",status=\"200\"}"));
            assertEquals(
                    1.0, v.get("encore_http_requests_total{endpoint=\"/v1/similar\",method=\"GET\",status=\"200\"}"));
            assertEquals(1.0, v.get("encore_http_requests_total{endpoint=\"other\",method=\"GET\",status=\"404\"}"));
            assertEquals(
                    1.0, v.get("encore_http_requests_total{endpoint=\"/healthz\",method=\"POST\",status=\"405\"}"));
            // this request is in flight and not counted yet
            assertEquals(
                    null, v.get("encore_http_requests_total{endpoint=\"/metrics\",method=\"GET\",status=\"200\"}"));
            assertEquals(1.0, v.get("encore_http_requests_in_flight"));
            long requests = v.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("encore_http_requests_total{"))
                    .mapToLong(e -> e.getValue().longValue())
                    .sum();
            assertEquals(7, requests);
            // the histogram: cumulative buckets in order, +Inf = count = the requests of its series
            List<Double> buckets = new ArrayList<>();
            for (double le : Metrics.BUCKETS) {
                buckets.add(v.get(
                        "encore_http_request_duration_seconds_bucket{" + rec + ",le=\"" + Metrics.le(le) + "\"}"));
            }
            for (int b = 1; b < buckets.size(); b++) {
                assertTrue(buckets.get(b) >= buckets.get(b - 1), buckets.toString());
            }
            assertEquals(3.0, v.get("encore_http_request_duration_seconds_bucket{" + rec + ",le=\"+Inf\"}"));
            assertEquals(3.0, v.get("encore_http_request_duration_seconds_count{" + rec + "}"));
            assertTrue(v.get("encore_http_request_duration_seconds_sum{" + rec + "}") > 0);
            assertTrue(buckets.get(buckets.size() - 1) <= 3.0);
            assertEquals(1.0, v.get("encore_model_generation"));
            assertEquals(0.0, v.get("encore_model_reloads_total"));
            assertEquals(0.0, v.get("encore_model_reload_failures_total"));
            assertEquals(3.0, v.get("encore_model_users"));
            assertEquals(6.0, v.get("encore_model_items"));
            assertTrue(v.get("encore_model_load_duration_seconds") >= 0);
            assertTrue(v.get("encore_model_loaded_timestamp_seconds") > 1.6e9);
            // the next scrape counts the first
            Client.awaitInFlight(s, 0);
            v = parse(c.get("/metrics").body());
            assertEquals(1.0, v.get("encore_http_requests_total{endpoint=\"/metrics\",method=\"GET\",status=\"200\"}"));
        }
    }

    @Test
    void bucketBoundsAreWrittenPlainly() {
        assertEquals("0.0005", Metrics.le(0.0005));
        assertEquals("1", Metrics.le(1));
        assertEquals("2.5", Metrics.le(2.5));
        assertEquals("10", Metrics.le(10));
        assertEquals("3", Metrics.number(3.0));
        assertEquals("0.25", Metrics.number(0.25));
    }
}
