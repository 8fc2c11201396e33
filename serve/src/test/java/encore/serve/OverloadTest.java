package encore.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Admission (503 beyond --max-concurrent, at once), shutting down, and slow clients cut off by the JDK server. */
class OverloadTest {
    @TempDir
    Path dir;

    @Test
    void oneRequestTooManyGets503AtOnceAndMonitoringStillAnswers() throws Exception {
        Path m = Fixture.save(dir.resolve("m.encore"));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ServeOptions options = ServeOptions.builder(m)
                .port(0)
                .maxConcurrent(1)
                .threads(3)
                .log(l -> {})
                .admitted(endpoint -> {
                    if (endpoint.equals("/v1/explain")) { // the request to hold
                        entered.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                })
                .build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (EncoreServer s = EncoreServer.start(options)) {
            Client c = new Client(s.port());
            Future<HttpResponse<String>> held = pool.submit(() -> c.get("/v1/explain?user=alice&item=c&top=0"));
            assertTrue(entered.await(60, TimeUnit.SECONDS));
            // the one permit is taken: every model request is refused, whatever the endpoint
            for (String path : new String[] {"/v1/recommend?user=alice", "/v1/similar?item=a"}) {
                HttpResponse<String> r = c.get(path);
                assertEquals(503, r.statusCode());
                assertEquals("{\"error\":\"too many concurrent requests (at most 1): retry\"}", r.body());
                assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
            }
            HttpResponse<String> post = c.post("/v1/recommend", "{\"plays\":[{\"item\":\"a\"}]}");
            assertEquals(503, post.statusCode());
            assertEquals(200, c.get("/healthz").statusCode());
            Client.awaitInFlight(s, 1); // the held one
            String metrics = c.get("/metrics").body();
            assertTrue(metrics.contains("\nencore_http_requests_in_flight 2\n"), metrics); // the held one and this
            release.countDown();
            HttpResponse<String> r = held.get(60, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(200, c.get("/v1/recommend?user=alice").statusCode());
            Client.awaitInFlight(s, 0);
            metrics = c.get("/metrics").body();
            assertTrue(
                    metrics.contains(
                            "encore_http_requests_total{endpoint=\"/v1/recommend\",method=\"GET\",status=\"503\"} 1\n"),
                    metrics);
            assertTrue(
                    metrics.contains(
                            "encore_http_requests_total{endpoint=\"/v1/recommend\",method=\"POST\",status=\"503\"} 1\n"),
                    metrics);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aClosingServerRefusesNewRequests() throws Exception {
        Path m = Fixture.save(dir.resolve("m.encore"));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ServeOptions options = ServeOptions.builder(m)
                .port(0)
                .log(l -> {})
                .admitted(endpoint -> {
                    if (endpoint.equals("/v1/explain")) {
                        entered.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                })
                .build();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        EncoreServer s = EncoreServer.start(options);
        try {
            Client c = new Client(s.port());
            Future<HttpResponse<String>> held = pool.submit(() -> c.get("/v1/explain?user=alice&item=c"));
            assertTrue(entered.await(60, TimeUnit.SECONDS));
            Future<?> closing = pool.submit(() -> s.close(60_000)); // waits for the held request
            ReloadTest.await(
                    () -> {
                        try {
                            return c.get("/v1/recommend?user=alice").statusCode() == 503;
                        } catch (Exception e) {
                            return false;
                        }
                    },
                    "503 while closing");
            HttpResponse<String> refused = c.get("/v1/similar?item=a");
            assertEquals("{\"error\":\"the server is shutting down\"}", refused.body());
            release.countDown();
            assertEquals(200, held.get(60, TimeUnit.SECONDS).statusCode());
            closing.get(60, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            s.close(0);
            pool.shutdownNow();
        }
    }

    @Test
    void aClientThatSendsTooSlowlyIsDisconnected() throws Exception {
        // the JDK server's sun.net.httpserver.maxReqTime (2 s in this module's tests, 10 s by default) covers the
        // headers and the body; meanwhile the other handler threads keep answering
        Path m = Fixture.save(dir.resolve("m.encore"));
        try (EncoreServer s =
                EncoreServer.start(ServeOptions.builder(m).port(0).log(l -> {}).build())) {
            assertEquals("2", System.getProperty("sun.net.httpserver.maxReqTime"));
            String[] partial = {
                "GET /v1/recommend?user=alice HTTP/1.1\r\nHost: x\r\n",
                "POST /v1/recommend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                        + "{\"plays\":["
            };
            for (String request : partial) {
                try (Socket slow = new Socket("127.0.0.1", s.port())) {
                    OutputStream out = slow.getOutputStream();
                    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    assertEquals(
                            200,
                            new Client(s.port()).get("/v1/recommend?user=alice").statusCode());
                    slow.setSoTimeout(60_000);
                    // the server closes the connection without an answer (a read timeout here would fail the test)
                    assertEquals(-1, slow.getInputStream().read());
                }
            }
            assertEquals(200, new Client(s.port()).get("/healthz").statusCode());
        }
    }
}
