package encore.serve;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Serving" section, run: every {@code curl} command of its bash blocks is sent to a server on
 * {@link Fixture}'s model — parsed into an HTTP request, and also run by {@code curl} itself where it is installed —
 * and must succeed; where a json block follows, the answer must be exactly that.
 */
class ReadmeServingTest {
    @TempDir
    static Path dir;

    static EncoreServer server;

    @BeforeAll
    static void start() throws Exception {
        Path model = Fixture.save(dir.resolve("model.encore"));
        server = EncoreServer.start(
                ServeOptions.builder(model).port(0).log(l -> {}).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A curl command of the README (its words, as the shell splits them) and the answer shown after it, or null. */
    record Example(List<String> words, String answer) {}

    static String section() throws Exception {
        Path readme = Path.of("").toAbsolutePath().getParent().resolve("README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int from = text.indexOf("\n## Serving\n");
        assertTrue(from >= 0, "README.md has no '## Serving' section");
        int to = text.indexOf("\n## ", from + 1);
        return text.substring(from, to < 0 ? text.length() : to);
    }

    static List<Example> examples(String section) {
        List<Example> out = new ArrayList<>();
        String[] lines = section.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].equals("```bash")) {
                continue;
            }
            List<List<String>> commands = new ArrayList<>();
            StringBuilder command = new StringBuilder();
            for (i++; !lines[i].equals("```"); i++) {
                String l = lines[i];
                if (l.endsWith("\\")) {
                    command.append(l, 0, l.length() - 1);
                    continue;
                }
                command.append(l);
                if (command.toString().strip().startsWith("curl ")) {
                    commands.add(words(command.toString()));
                }
                command.setLength(0);
            }
            String answer = null;
            if (i + 1 < lines.length && lines[i + 1].equals("```json")) {
                answer = lines[i + 2];
                assertEquals("```", lines[i + 3], "a json block of one line follows a curl command");
            }
            for (int c = 0; c < commands.size(); c++) {
                out.add(new Example(commands.get(c), c == commands.size() - 1 ? answer : null));
            }
        }
        return out;
    }

    /** The words of a shell command: single and double quotes, backslash escapes outside single quotes. */
    static List<String> words(String command) {
        List<String> out = new ArrayList<>();
        StringBuilder w = null;
        char quote = 0;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\' && i + 1 < command.length()) {
                    w.append(command.charAt(++i));
                } else {
                    w.append(c);
                }
            } else if (Character.isWhitespace(c)) {
                if (w != null) {
                    out.add(w.toString());
                    w = null;
                }
            } else {
                w = w == null ? new StringBuilder() : w;
                if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '\\' && i + 1 < command.length()) {
                    w.append(command.charAt(++i));
                } else {
                    w.append(c);
                }
            }
        }
        assertEquals(0, quote, "unbalanced quotes in: " + command);
        if (w != null) {
            out.add(w.toString());
        }
        return out;
    }

    /** The request a curl command makes (the options the README uses: -s, -X, -H, -d). */
    static HttpRequest.Builder request(List<String> words, int port) {
        String method = null;
        String body = null;
        String url = null;
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < words.size(); i++) {
            String w = words.get(i);
            switch (w) {
                case "-s" -> {}
                case "-X" -> method = words.get(++i);
                case "-H" -> {
                    String h = words.get(++i);
                    int colon = h.indexOf(':');
                    headers.add(new String[] {
                        h.substring(0, colon).strip(), h.substring(colon + 1).strip()
                    });
                }
                case "-d", "--data" -> body = words.get(++i);
                default -> {
                    assertTrue(!w.startsWith("-"), "curl option " + w + " is not understood by this test");
                    url = w;
                }
            }
        }
        assertTrue(url != null && url.startsWith("http://127.0.0.1:8080/"), "URL of " + words);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.replace(":8080/", ":" + port + "/")));
        headers.forEach(h -> b.header(h[0], h[1]));
        method = method != null ? method : body != null ? "POST" : "GET";
        return b.method(
                method,
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    @Test
    void everyCurlExampleGetsItsAnswer() throws Exception {
        List<Example> examples = examples(section());
        assertTrue(examples.size() >= 7, "curl examples found: " + examples.size());
        assertTrue(examples.stream().filter(e -> e.answer() != null).count() >= 5);
        Client client = new Client(server.port());
        for (Example e : examples) {
            HttpResponse<String> r = client.send(request(e.words(), server.port()));
            assertEquals(200, r.statusCode(), e.words() + " → " + r.body());
            if (e.answer() != null) {
                assertEquals(e.answer(), r.body(), String.join(" ", e.words()));
            }
        }
    }

    @Test
    void theExamplesRunWithCurlItself() throws Exception {
        String curl = null;
        for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!p.isEmpty() && Files.isExecutable(Path.of(p, "curl"))) {
                curl = Path.of(p, "curl").toString();
                break;
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(curl != null, "curl is not installed");
        for (Example e : examples(section())) {
            List<String> cmd = new ArrayList<>(e.words());
            cmd.set(0, curl);
            cmd.replaceAll(w -> w.replace("127.0.0.1:8080/", "127.0.0.1:" + server.port() + "/"));
            cmd.add(1, "--fail");
            cmd.add(2, "--max-time");
            cmd.add(3, "60");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(90, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), cmd + "\n" + out);
            if (e.answer() != null) {
                assertEquals(e.answer(), out, String.join(" ", cmd));
            }
        }
    }
}
