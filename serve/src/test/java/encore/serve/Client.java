package encore.serve;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** HTTP/1.1 requests to a server on 127.0.0.1 (the JDK's client). */
final class Client {
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final int port;

    Client(int port) {
        this.port = port;
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET());
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
    }

    HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return http.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Waits (up to 5 s) until {@code s} handles exactly {@code n} requests: a reply reaches its client a moment before
     * the server counts its request as answered, so a scrape right after a reply may not count it yet.
     */
    static void awaitInFlight(EncoreServer s, int n) throws InterruptedException {
        for (long end = System.nanoTime() + 5_000_000_000L; s.inFlight() != n && System.nanoTime() < end; ) {
            Thread.sleep(1);
        }
        org.junit.jupiter.api.Assertions.assertEquals(n, s.inFlight(), "requests being handled after 5 s");
    }
}
