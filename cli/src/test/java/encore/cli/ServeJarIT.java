package encore.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code encore serve} from the shaded jar in its own JVM: prints the port it picked, answers, reloads when
 * {@code encore train} writes a new model at the path and on SIGHUP, and stops on SIGTERM.
 */
class ServeJarIT {
    @TempDir
    Path dir;

    private static final String TRAIN = "alice\ta\t5\nalice\tb\t3\nbob\ta\t2\nbob\tc\t4\ncarol\tb\t6\ncarol\tc\t1\n";

    private void train(Path data, Path model, String rank) {
        EncoreCliTest.Result r = EncoreCliTest.run(
                "train",
                "--format",
                "triples",
                "--train",
                data.toString(),
                "--model",
                model.toString(),
                "--rank",
                rank,
                "--max-iter",
                "4",
                "--implicit");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void servesReloadsAndStops() throws Exception {
        Path data = Files.writeString(dir.resolve("t.tsv"), TRAIN, StandardCharsets.UTF_8);
        Path model = dir.resolve("m.encore");
        train(data, model, "2");
        Process p = Jar.builder(dir, "512m", "serve", "--model", model.toString(), "--port", "0", "--poll-ms", "200")
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            Matcher m = Pattern.compile("encore serve: listening on http://127\\.0\\.0\\.1:(\\d+) \\(.*m\\.encore, "
                            + "generation 1: 3 users, 3 items, rank 2, implicit\\); SIGHUP reloads")
                    .matcher(String.valueOf(line));
            assertTrue(m.matches(), line);
            String base = "http://127.0.0.1:" + m.group(1);
            StringBuilder log = new StringBuilder();
            Thread reader = new Thread(() -> out.lines().forEach(l -> {
                synchronized (log) {
                    log.append(l).append('\n');
                }
            }));
            reader.start();
            String body = get(base + "/v1/recommend?user=alice&k=1&exclude_seen=true");
            assertTrue(
                    body.matches("\\{\"user\":\"alice\",\"items\":\\[\\{\"item\":\"c\",\"score\":[-0-9.E]+\\}\\],"
                            + "\"model\":\\{\"generation\":1\\}\\}"),
                    body);
            train(data, model, "3"); // written atomically at the same path
            awaitGeneration(base, 2);
            new ProcessBuilder("kill", "-HUP", Long.toString(p.pid()))
                    .inheritIO()
                    .start()
                    .waitFor();
            awaitGeneration(base, 3);
            p.destroy(); // SIGTERM: the shutdown hook closes the server
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running after SIGTERM");
            reader.join(60_000);
            String rest;
            synchronized (log) {
                rest = log.toString();
            }
            assertTrue(rest.contains("generation 2") && rest.contains("generation 3"), rest);
            assertTrue(!rest.contains("\tat "), rest);
        } finally {
            p.destroyForcibly();
        }
    }

    /** The body of a 200 answer to GET {@code url}. */
    private static String get(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(30_000);
        c.setReadTimeout(30_000);
        assertEquals(200, c.getResponseCode(), url);
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void awaitGeneration(String base, int generation) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String want = "\"model\":{\"generation\":" + generation + ",";
        String body = "";
        while (System.nanoTime() < end) {
            body = get(base + "/healthz");
            if (body.contains(want)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("generation " + generation + " not served within 60 s: " + body);
    }
}
