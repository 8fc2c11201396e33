package encore.serve;

import encore.als.io.ModelStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every kind of bad request gets its status and a one-line JSON error, and the server keeps answering. */
class BadInputTest {
    @TempDir
    static Path dir;

    static EncoreServer server;
    static Client client;
    static final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path model = Fixture.save(dir.resolve("m.encore"));
        server = EncoreServer.start(ServeOptions.builder(model)
                .port(0)
                .threads(4)
                .maxPlays(5)
                .maxBodyBytes(4096)
                .log(log::add)
                .admitted(endpoint -> {
                    if (Thread.currentThread().getName().startsWith("encore-serve") && failNext) {
                        failNext = false;
                        throw new IllegalStateException("planted failure at encore.serve.Secret");
                    }
                })
                .build());
        client = new Client(server.port());
    }

    static volatile boolean failNext;

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void refused(int status, String error, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(
                "application/json; charset=utf-8",
                r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("{\"error\":\"" + error + "\"}", r.body());
    }

    private static HttpResponse<String> post(String path, String json) throws Exception {
        return client.post(path, json);
    }

    @Test
    void unknownAndColdUsersAndItemsAre404() throws Exception {
        refused(404, "user 'nobody' is not in the model", client.get("/v1/recommend?user=nobody"));
        refused(404, "user 'carol' has no factors (no training plays)", client.get("/v1/recommend?user=carol"));
        refused(404, "item 'zz' is not in the model", client.get("/v1/similar?item=zz"));
        refused(404, "item 'e' has no factors (no training plays)", client.get("/v1/similar?item=e"));
        refused(404, "user 'nobody' is not in the model", client.get("/v1/explain?user=nobody&item=c"));
        refused(404, "item 'zz' is not in the model", client.get("/v1/explain?user=alice&item=zz"));
        refused(
                404,
                "item 'e' has no factors (no training plays)",
                post("/v1/explain", "{\"plays\":[{\"item\":\"a\"}],\"item\":\"e\"}"));
    }

    @Test
    void kOutOfRangeOrNotANumber() throws Exception {
        refused(400, "k must be an integer in 1..1000, got '0'", client.get("/v1/recommend?user=alice&k=0"));
        refused(400, "k must be an integer in 1..1000, got '1001'", client.get("/v1/recommend?user=alice&k=1001"));
        refused(400, "k must be an integer in 1..1000, got '-3'", client.get("/v1/similar?item=a&k=-3"));
        refused(400, "k must be an integer in 1..1000, got 'ten'", client.get("/v1/recommend?user=alice&k=ten"));
        refused(
                400,
                "k must be an integer in 1..1000, got '99999999999999999999'",
                client.get("/v1/recommend?user=alice&k=99999999999999999999"));
        refused(
                400,
                "top must be an integer in 0..1000, got '1001'",
                client.get("/v1/explain?user=alice&item=c&top=1001"));
        refused(400, "k must be an integer in 1..1000, got 0", post("/v1/recommend", "{\"plays\":[],\"k\":0}"));
        refused(400, "k must be an integer in 1..1000, got 5000", post("/v1/recommend", "{\"plays\":[],\"k\":5000}"));
        refused(
                400,
                "k must be an integer in 1..1000, got 123456789012345678901234567890",
                post("/v1/recommend", "{\"plays\":[],\"k\":123456789012345678901234567890}"));
    }

    @Test
    void queryParametersAreChecked() throws Exception {
        refused(
                400,
                "unknown parameter 'usr' (this endpoint takes user, k, exclude_seen, exclude, only)",
                client.get("/v1/recommend?usr=alice"));
        refused(
                400,
                "unknown parameter 'x' (this endpoint takes item, k, exclude, only)",
                client.get("/v1/similar?item=a&x=1"));
        refused(400, "parameter 'user' is given more than once", client.get("/v1/recommend?user=alice&user=bob"));
        refused(400, "parameter 'user' is required", client.get("/v1/recommend?k=3"));
        refused(400, "parameter 'item' is required", client.get("/v1/explain?user=alice"));
        refused(
                400,
                "exclude_seen must be true or false, got 'yes'",
                client.get("/v1/recommend?user=alice&exclude_seen=yes"));
        refused(400, "unknown parameter 'verbose' (this endpoint takes )", client.get("/healthz?verbose=1"));
        refused(
                400,
                "POST takes its parameters in the JSON body, not in the query string",
                client.send(HttpRequest.newBuilder(client.uri("/v1/recommend?k=3"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"plays\":[]}"))));
        refused(
                413,
                "the query has more than 5 parameters",
                client.get("/v1/recommend?user=alice" + "&exclude=a".repeat(5)));
    }

    @Test
    void malformedJsonAndWrongTypesAre400() throws Exception {
        refused(400, "the request body is empty: expected a JSON object", post("/v1/recommend", ""));
        HttpResponse<String> r = post("/v1/recommend", "{\"plays\":[{\"item\":\"a\",}]}");
        assertEquals(400, r.statusCode());
        assertTrue(
                r.body().startsWith("{\"error\":\"malformed JSON at line 1, column 23: Unexpected character"),
                r.body());
        refused(400, "the request body must be a JSON object", post("/v1/recommend", "[1,2]"));
        refused(400, "malformed JSON: content after the object", post("/v1/recommend", "{\"plays\":[]} {}"));
        refused(
                400,
                "unknown field 'user' (this endpoint takes plays, k, exclude, only, exclude_seen)",
                post("/v1/recommend", "{\"plays\":[],\"user\":\"alice\"}"));
        refused(
                400,
                "unknown field 'k' (this endpoint takes plays, item, top)",
                post("/v1/explain", "{\"plays\":[],\"item\":\"c\",\"k\":3}"));
        refused(
                400,
                "unknown field 'weight' in plays[0] (takes item, count)",
                post("/v1/recommend", "{\"plays\":[{\"item\":\"a\",\"weight\":1}]}"));
        refused(400, "field 'plays' is required", post("/v1/recommend", "{\"k\":3}"));
        refused(400, "field 'item' is required", post("/v1/explain", "{\"plays\":[]}"));
        refused(
                400,
                "plays[1].item is required",
                post("/v1/recommend", "{\"plays\":[{\"item\":\"a\"},{\"count\":2}]}"));
        refused(400, "k must be an integer in 1..1000", post("/v1/recommend", "{\"plays\":[],\"k\":\"10\"}"));
        refused(400, "k must be an integer in 1..1000", post("/v1/recommend", "{\"plays\":[],\"k\":2.5}"));
        refused(400, "k must be an integer in 1..1000", post("/v1/recommend", "{\"plays\":[],\"k\":null}"));
        refused(
                400,
                "plays must be an array of {\\\"item\\\": label, \\\"count\\\": number}",
                post("/v1/recommend", "{\"plays\":{\"item\":\"a\"}}"));
        refused(
                400,
                "plays must be an array of {\\\"item\\\": label, \\\"count\\\": number}",
                post("/v1/recommend", "{\"plays\":[\"a\",\"b\"]}"));
        refused(
                400,
                "plays[0].count must be a number",
                post("/v1/recommend", "{\"plays\":[{\"item\":\"a\",\"count\":\"3\"}]}"));
        refused(
                400,
                "plays[0].item must be a string (an item label)",
                post("/v1/recommend", "{\"plays\":[{\"item\":7}]}"));
        refused(
                400,
                "plays[0].count must be a finite float32 number",
                post("/v1/recommend", "{\"plays\":[{\"item\":\"a\",\"count\":1e39}]}"));
        refused(400, "exclude_seen must be true or false", post("/v1/recommend", "{\"plays\":[],\"exclude_seen\":1}"));
        refused(
                400,
                "exclude must be an array of item labels",
                post("/v1/recommend", "{\"plays\":[],\"exclude\":\"a\"}"));
        refused(
                400,
                "only[1] must be a string (an item label)",
                post("/v1/recommend", "{\"plays\":[],\"only\":[\"a\",2]}"));
        r = post("/v1/recommend", "{\"plays\":[],\"k\":3,\"k\":4}");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("Duplicate field 'k'"), r.body());
        r = client.send(HttpRequest.newBuilder(client.uri("/v1/recommend"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'})));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("{\"error\":\"malformed JSON at line 1"), r.body());
        refused(
                415,
                "Content-Type must be application/json, got 'text/plain'",
                client.send(HttpRequest.newBuilder(client.uri("/v1/recommend"))
                        .header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"plays\":[]}"))));
    }

    @Test
    void theParsersLimitsHoldWithinTheBodyLimit() {
        // a label longer than 16 Ki characters, in a body the 1 MiB default would let through
        byte[] longLabel =
                ("{\"plays\":[],\"exclude\":[\"" + "x".repeat(20_000) + "\"]}").getBytes(StandardCharsets.UTF_8);
        ApiException e = org.junit.jupiter.api.Assertions.assertThrows(
                ApiException.class, () -> JsonBody.parse(JsonBody.factory(1 << 20), longLabel, JsonBody.RECOMMEND, 10));
        assertEquals(400, e.status());
        assertTrue(
                e.getMessage().startsWith("the JSON body is outside the limits: String value length (20000)"),
                e.getMessage());
        byte[] deep = ("{\"exclude\":[" + "[".repeat(10) + "]".repeat(10) + "]}").getBytes(StandardCharsets.UTF_8);
        e = org.junit.jupiter.api.Assertions.assertThrows(
                ApiException.class, () -> JsonBody.parse(JsonBody.factory(1 << 20), deep, JsonBody.RECOMMEND, 10));
        assertEquals("exclude[0] must be a string (an item label)", e.getMessage());
        byte[] nested = ("{\"plays\":[{\"item\":\"a\",\"count\":" + "[".repeat(10) + "]".repeat(10) + "}]}")
                .getBytes(StandardCharsets.UTF_8);
        e = org.junit.jupiter.api.Assertions.assertThrows(
                ApiException.class, () -> JsonBody.parse(JsonBody.factory(1 << 20), nested, JsonBody.RECOMMEND, 10));
        assertEquals("plays[0].count must be a number", e.getMessage());
    }

    @Test
    void oversizedBodiesAndTooManyPlaysAre413() throws Exception {
        String big = "{\"plays\":[],\"exclude\":[\"" + "x".repeat(5000) + "\"]}";
        HttpResponse<String> r = post("/v1/recommend", big);
        refused(413, "the request body is larger than 4096 bytes", r);
        assertEquals("close", r.headers().firstValue("Connection").orElse(""));
        // no Content-Length (chunked): the limit holds while reading
        InputStream stream = new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8));
        refused(
                413,
                "the request body is larger than 4096 bytes",
                client.send(HttpRequest.newBuilder(client.uri("/v1/recommend"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> stream))));
        refused(
                413,
                "plays has more than 5 entries",
                post("/v1/recommend", "{\"plays\":[" + "{\"item\":\"a\"},".repeat(5) + "{\"item\":\"b\"}]}"));
        refused(
                413,
                "exclude has more than 5 entries",
                post("/v1/recommend", "{\"plays\":[],\"exclude\":[\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]}"));
        // exactly the limit is fine
        assertEquals(
                200,
                post("/v1/recommend", "{\"plays\":[" + "{\"item\":\"a\"},".repeat(4) + "{\"item\":\"b\"}]}")
                        .statusCode());
    }

    @Test
    void wrongMethodsAndUnknownPaths() throws Exception {
        HttpResponse<String> r = client.send(
                HttpRequest.newBuilder(client.uri("/v1/recommend?user=alice")).DELETE());
        refused(405, "method DELETE is not allowed here", r);
        assertEquals("GET, POST", r.headers().firstValue("Allow").orElse(""));
        r = post("/v1/similar", "{}");
        refused(405, "method POST is not allowed here", r);
        assertEquals("GET", r.headers().firstValue("Allow").orElse(""));
        refused(405, "method POST is not allowed here", post("/healthz", "{}"));
        refused(
                405,
                "method PUT is not allowed here",
                client.send(HttpRequest.newBuilder(client.uri("/metrics")).PUT(HttpRequest.BodyPublishers.noBody())));
        String notFound = "no such endpoint (try /v1/recommend, /v1/similar, /v1/explain, /healthz or /metrics)";
        refused(404, notFound, client.get("/"));
        refused(404, notFound, client.get("/v1/recommend/"));
        refused(404, notFound, client.get("/v2/recommend?user=alice"));
        refused(404, notFound, client.get("/v1/../etc/passwd"));
    }

    @Test
    void requestsTheModelCannotAnswer(@TempDir Path other) throws Exception {
        // saved without training items: no exclude_seen; saved without their counts: no explanation of a user
        Path noSeen = other.resolve("no-seen.encore");
        ModelStore.save(noSeen, Fixture.model(), null, Map.of());
        Path noCounts = other.resolve("no-counts.encore");
        ModelStore.save(noCounts, Fixture.model(), Fixture.seen(), false, Map.of());
        try (EncoreServer a = EncoreServer.start(
                        ServeOptions.builder(noSeen).port(0).log(l -> {}).build());
                EncoreServer b = EncoreServer.start(
                        ServeOptions.builder(noCounts).port(0).log(l -> {}).build())) {
            Client ca = new Client(a.port());
            refused(
                    400,
                    "exclude_seen=true needs the training items, and this model was saved without them",
                    ca.get("/v1/recommend?user=alice&exclude_seen=true"));
            assertEquals(200, ca.get("/v1/recommend?user=alice").statusCode());
            HttpResponse<String> r = new Client(b.port()).get("/v1/explain?user=alice&item=c");
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("saved without its training counts"), r.body());
        }
        // plays of which none can be used cannot be explained
        refused(
                400,
                "no play has an item with factors: nothing to explain",
                post("/v1/explain", "{\"plays\":[{\"item\":\"e\"},{\"item\":\"zz\"}],\"item\":\"c\"}"));
    }

    @Test
    void anInternalErrorIs500WithoutItsStackTrace() throws Exception {
        failNext = true;
        refused(500, "internal error (logged by the server)", client.get("/v1/recommend?user=alice"));
        assertTrue(
                log.stream()
                        .anyMatch(l -> l.startsWith("internal error on GET /v1/recommend: ")
                                && l.contains("planted failure at encore.serve.Secret")
                                && l.contains("at encore.serve.Api")),
                log.toString());
        assertEquals(200, client.get("/v1/recommend?user=alice").statusCode());
    }

    /** What a raw socket gets back for {@code request}: the status line, or null when the server closed. */
    private static String statusLine(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            s.setSoTimeout(30_000);
            byte[] buf = new byte[64];
            int n = s.getInputStream().read(buf);
            if (n < 0) {
                return null;
            }
            String head = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
            return head.substring(0, Math.max(0, head.indexOf("\r\n")));
        }
    }

    @Test
    void requestsTheHttpLayerCannotParseAreRefusedByIt() throws Exception {
        // the JDK server answers these itself (400, its own short text) before any handler runs
        assertEquals("HTTP/1.1 400 Bad Request", statusLine("\u0000\u0001 NONSENSE\r\n\r\n"));
        assertEquals("HTTP/1.1 400 Bad Request", statusLine("GET /v1/recommend?user=%zz HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertEquals(
                "HTTP/1.1 400 Bad Request",
                statusLine("POST /v1/recommend HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"));
        assertEquals(200, client.get("/healthz").statusCode());
        assertFalse(log.stream().anyMatch(l -> l.contains("NONSENSE")));
    }
}
