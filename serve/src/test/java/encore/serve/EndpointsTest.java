package encore.serve;

import encore.als.ItemFilter;
import encore.als.RankedItems;
import encore.als.ServingModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every endpoint's exact answer on {@link Fixture}'s hand-checked model. */
class EndpointsTest {
    @TempDir
    static Path dir;

    static EncoreServer server;
    static Client client;

    @BeforeAll
    static void start() throws Exception {
        Path model = Fixture.save(dir.resolve("m.encore"));
        server = EncoreServer.start(
                ServeOptions.builder(model).port(0).log(l -> {}).build());
        client = new Client(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String ok(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(
                "application/json; charset=utf-8",
                r.headers().firstValue("Content-Type").orElse(""));
        return r.body();
    }

    private static final String MODEL = ",\"model\":{\"generation\":1}}";

    @Test
    void recommendForATrainingUser() throws Exception {
        assertEquals(
                "{\"user\":\"alice\",\"items\":[{\"item\":\"c\",\"score\":3.0},{\"item\":\"b\",\"score\":2.0},"
                        + "{\"item\":\"a\",\"score\":1.0},{\"item\":\"f\",\"score\":0.0},{\"item\":\"d\",\"score\":0.0}]"
                        + MODEL,
                ok(client.get("/v1/recommend?user=alice")));
        assertEquals(
                "{\"user\":\"alice\",\"items\":[{\"item\":\"c\",\"score\":3.0},{\"item\":\"f\",\"score\":0.0},"
                        + "{\"item\":\"d\",\"score\":0.0}]" + MODEL,
                ok(client.get("/v1/recommend?user=alice&exclude_seen=true")));
        assertEquals(
                "{\"user\":\"bob\",\"items\":[{\"item\":\"d\",\"score\":2.0},{\"item\":\"a\",\"score\":0.5},"
                        + "{\"item\":\"c\",\"score\":-0.5},{\"item\":\"f\",\"score\":-1.0},{\"item\":\"b\",\"score\":-1.0}]"
                        + MODEL,
                ok(client.get("/v1/recommend?user=bob&exclude_seen=false&k=10")));
    }

    @Test
    void recommendUnderFilters() throws Exception {
        assertEquals(
                "{\"user\":\"alice\",\"items\":[{\"item\":\"b\",\"score\":2.0},{\"item\":\"a\",\"score\":1.0}]" + MODEL,
                ok(client.get("/v1/recommend?user=alice&k=2&exclude=c")));
        // only: the known labels among those given (zz is not in the model); exactly min(k, candidates) items
        assertEquals(
                "{\"user\":\"alice\",\"items\":[{\"item\":\"f\",\"score\":0.0},{\"item\":\"d\",\"score\":0.0}]" + MODEL,
                ok(client.get("/v1/recommend?user=alice&only=d&only=f&only=zz&k=5")));
        assertEquals(
                "{\"user\":\"alice\",\"items\":[{\"item\":\"d\",\"score\":0.0}]" + MODEL,
                ok(client.get("/v1/recommend?user=alice&only=d&only=f&exclude=f")));
        // an only-list of unknown labels leaves no candidate
        assertEquals("{\"user\":\"alice\",\"items\":[]" + MODEL, ok(client.get("/v1/recommend?user=alice&only=zz")));
    }

    @Test
    void labelsArePercentDecodedAndEscapedInJson() throws Exception {
        // %61 is "a"; the answer echoes the label as given
        assertEquals(
                "{\"user\":\"alice\",\"items\":[{\"item\":\"c\",\"score\":3.0}]" + MODEL,
                ok(client.get("/v1/recommend?user=%61lice&k=1")));
    }

    @Test
    void recommendForPlaysFoldsThemIn() throws Exception {
        // a:4, b:8 folds in to x = (1, 2): alice's own list
        assertEquals(
                "{\"plays\":{\"used\":2,\"ignored\":0},\"items\":[{\"item\":\"c\",\"score\":3.0},"
                        + "{\"item\":\"b\",\"score\":2.0},{\"item\":\"a\",\"score\":1.0}]" + MODEL,
                ok(client.post(
                        "/v1/recommend",
                        "{\"plays\":[{\"item\":\"a\",\"count\":4},{\"item\":\"b\",\"count\":8}],\"k\":3}")));
        // zz is unknown and e has no factors: both ignored; the played items excluded; b given as 3 + 5
        assertEquals(
                "{\"plays\":{\"used\":2,\"ignored\":2},\"items\":[{\"item\":\"c\",\"score\":3.0},"
                        + "{\"item\":\"f\",\"score\":0.0},{\"item\":\"d\",\"score\":0.0}]" + MODEL,
                ok(
                        client.post(
                                "/v1/recommend",
                                "{\"plays\":[{\"item\":\"a\",\"count\":4},{\"item\":\"b\",\"count\":3},{\"item\":\"zz\"},"
                                        + "{\"item\":\"e\",\"count\":2},{\"item\":\"b\",\"count\":5}],\"exclude_seen\":true}")));
        assertEquals(
                "{\"plays\":{\"used\":2,\"ignored\":0},\"items\":[{\"item\":\"a\",\"score\":1.0}]" + MODEL,
                ok(client.post(
                        "/v1/recommend",
                        "{\"plays\":[{\"item\":\"a\",\"count\":4},{\"item\":\"b\",\"count\":8}],"
                                + "\"only\":[\"a\",\"d\"],\"exclude\":[\"d\"]}")));
        // nothing usable: no factor, an empty list
        assertEquals(
                "{\"plays\":{\"used\":0,\"ignored\":1},\"items\":[]" + MODEL,
                ok(client.post("/v1/recommend", "{\"plays\":[{\"item\":\"e\",\"count\":1}]}")));
    }

    @Test
    void similarItems() throws Exception {
        // cosines with a = (1, 0): d 2/√5, c 1/√2, b 0, f −2/√5; the item itself is left out
        RankedItems want = new ServingModel(Fixture.model(), Fixture.seen(), true).similar(0, 10, ItemFilter.none());
        String[] order = {"d", "c", "b", "f"};
        double[] cosine = {2 / Math.sqrt(5), 1 / Math.sqrt(2), 0, -2 / Math.sqrt(5)};
        StringBuilder items = new StringBuilder();
        for (int r = 0; r < 4; r++) {
            assertEquals(order[r], Fixture.ITEMS[want.item(r)]);
            assertEquals(cosine[r], want.score(r), 1e-6);
            items.append(r == 0 ? "" : ",")
                    .append("{\"item\":\"")
                    .append(order[r])
                    .append("\",\"score\":")
                    .append(want.score(r))
                    .append('}');
        }
        assertEquals(4, want.size());
        assertEquals("{\"item\":\"a\",\"items\":[" + items + "]" + MODEL, ok(client.get("/v1/similar?item=a")));
        assertEquals(
                "{\"item\":\"a\",\"items\":[{\"item\":\"b\",\"score\":" + want.score(2) + "}]" + MODEL,
                ok(client.get("/v1/similar?item=a&k=1&exclude=d&exclude=c")));
    }

    @Test
    void explainATrainingUser() throws Exception {
        String contributions = "\"contributions\":[{\"item\":\"b\",\"value\":2.0,\"share\":" + (2.0 / 3)
                + "},{\"item\":\"a\",\"value\":1.0,\"share\":" + (1.0 / 3) + "}]";
        assertEquals(
                "{\"user\":\"alice\",\"item\":\"c\",\"score\":3.0,\"explained\":3.0," + contributions + MODEL,
                ok(client.get("/v1/explain?user=alice&item=c")));
        assertEquals(
                "{\"user\":\"alice\",\"item\":\"c\",\"score\":3.0,\"explained\":3.0,\"contributions\":[{\"item\":\"b\","
                        + "\"value\":2.0,\"share\":" + (2.0 / 3) + "}]" + MODEL,
                ok(client.get("/v1/explain?user=alice&item=c&top=1")));
        assertEquals(
                "{\"item\":\"c\",\"score\":3.0,\"explained\":3.0," + contributions + MODEL,
                ok(client.post(
                        "/v1/explain",
                        "{\"plays\":[{\"item\":\"a\",\"count\":4},{\"item\":\"b\",\"count\":8}],\"item\":\"c\"}")));
    }

    @Test
    void healthSaysWhatIsServed() throws Exception {
        String body = ok(client.get("/healthz"));
        String file = dir.resolve("m.encore").toAbsolutePath().toString();
        String fixed = body.replaceFirst("\"loaded_at\":\"[0-9T:.Z-]+\"", "\"loaded_at\":\"T\"")
                .replaceFirst("\"load_seconds\":[0-9.E-]+,", "\"load_seconds\":S,");
        assertEquals(
                "{\"status\":\"ok\",\"model\":{\"generation\":1,\"file\":\"" + file.replace("\\", "\\\\")
                        + "\",\"loaded_at\":\"T\",\"load_seconds\":S,\"users\":3,\"items\":6,\"rank\":2,"
                        + "\"implicit\":false,\"seen\":true,\"seen_counts\":true},\"reloads\":0,\"reload_failures\":0}",
                fixed);
        assertTrue(server.address().getAddress().isLoopbackAddress(), "binds to 127.0.0.1 by default");
    }
}
