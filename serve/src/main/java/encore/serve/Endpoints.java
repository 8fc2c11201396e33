package encore.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import encore.als.AlsModel;
import encore.als.FoldIn;
import encore.als.ItemFilter;
import encore.als.RankedItems;
import encore.als.ServingModel;
import encore.data.LabelIndex;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What each endpoint answers: labels in, labels and scores out, on the model a request started with. Every
 * response carries {@code "model": {"generation": N}}. Unknown or cold users and items are 404; labels the model does
 * not know in {@code exclude}/{@code only} are ignored (as {@code encore recommend} ignores them); unknown labels in
 * plays are counted in {@code ignored}.
 */
final class Endpoints {
    static final List<String> RECOMMEND_QUERY = List.of("user", "k", "exclude_seen", "exclude", "only");
    static final List<String> SIMILAR_QUERY = List.of("item", "k", "exclude", "only");
    static final List<String> EXPLAIN_QUERY = List.of("user", "item", "top");
    static final Set<String> LISTS = Set.of("exclude", "only");
    static final int DEFAULT_K = 10;

    private final JsonFactory json;

    Endpoints(JsonFactory json) {
        this.json = json;
    }

    /** {@code GET /v1/recommend}: a training user's list. */
    byte[] recommend(LiveModel.Served s, Query q) throws ApiException {
        AlsModel m = s.model();
        String label = q.required("user");
        int user = user(m, label);
        int k = q.integer("k", DEFAULT_K, 1, ServeOptions.MAX_K);
        boolean excludeSeen = q.bool("exclude_seen", false);
        if (excludeSeen && !s.serving().hasSeen()) {
            throw noSeen();
        }
        ItemFilter filter = filter(m, q.list("only"), q.list("exclude"));
        RankedItems r = call(() -> s.serving().recommend(user, k, filter, excludeSeen));
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("user", label);
            items(g, "items", m.items(), r);
            model(g, s);
            g.writeEndObject();
        });
    }

    /** {@code POST /v1/recommend}: plays folded in, then their list. */
    byte[] recommendPlays(LiveModel.Served s, JsonBody b) throws ApiException {
        AlsModel m = s.model();
        Plays p = plays(m, b.plays());
        int k = b.k() < 0 ? DEFAULT_K : b.k();
        boolean excludePlayed = Boolean.TRUE.equals(b.excludeSeen());
        ItemFilter filter = filter(m, b.only(), b.exclude());
        ServingModel.PlaysRecommendation r =
                call(() -> s.serving().recommendForPlays(p.items, p.counts, k, filter, excludePlayed));
        return write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("plays");
            g.writeNumberField("used", r.user().used());
            g.writeNumberField("ignored", r.user().ignored() + p.unknown);
            g.writeEndObject();
            items(g, "items", m.items(), r.items());
            model(g, s);
            g.writeEndObject();
        });
    }

    /** {@code GET /v1/similar}: the items most like one item (cosine of item factors), the item itself left out. */
    byte[] similar(LiveModel.Served s, Query q) throws ApiException {
        AlsModel m = s.model();
        String label = q.required("item");
        int item = item(m, label);
        int k = q.integer("k", DEFAULT_K, 1, ServeOptions.MAX_K);
        ItemFilter filter = filter(m, q.list("only"), q.list("exclude"));
        RankedItems r = call(() -> s.serving().similar(item, k, filter));
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("item", label);
            items(g, "items", m.items(), r);
            model(g, s);
            g.writeEndObject();
        });
    }

    /** {@code GET /v1/explain}: why a training user gets an item. */
    byte[] explain(LiveModel.Served s, Query q) throws ApiException {
        AlsModel m = s.model();
        String userLabel = q.required("user");
        String itemLabel = q.required("item");
        int user = user(m, userLabel);
        int item = item(m, itemLabel);
        int top = q.integer("top", DEFAULT_K, 0, ServeOptions.MAX_K);
        FoldIn.Explanation e = call(() -> s.serving().explain(user, item, top));
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("user", userLabel);
            explanation(g, m.items(), itemLabel, e);
            model(g, s);
            g.writeEndObject();
        });
    }

    /** {@code POST /v1/explain}: why a user with these plays gets an item. */
    byte[] explainPlays(LiveModel.Served s, JsonBody b) throws ApiException {
        AlsModel m = s.model();
        if (b.item() == null) {
            throw new ApiException(400, "field 'item' is required");
        }
        int item = item(m, b.item());
        Plays p = plays(m, b.plays());
        int top = b.top() < 0 ? DEFAULT_K : b.top();
        FoldIn.Explanation e = call(() -> s.serving().explain(p.items, p.counts, item, top));
        return write(g -> {
            g.writeStartObject();
            explanation(g, m.items(), b.item(), e);
            model(g, s);
            g.writeEndObject();
        });
    }

    /** {@code GET /healthz}: the model being served and the reload counters. */
    byte[] health(LiveModel live) {
        LiveModel.Served s = live.current();
        AlsModel m = s.model();
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("status", "ok");
            g.writeObjectFieldStart("model");
            g.writeNumberField("generation", s.generation());
            g.writeStringField("file", live.path().toString());
            g.writeStringField("loaded_at", s.loadedAt().toString());
            g.writeNumberField("load_seconds", s.loadSeconds());
            g.writeNumberField("users", m.users().size());
            g.writeNumberField("items", m.items().size());
            g.writeNumberField("rank", m.rank());
            g.writeBooleanField("implicit", m.params().implicitPrefs());
            g.writeBooleanField("seen", s.serving().hasSeen());
            g.writeBooleanField("seen_counts", s.serving().hasSeenCounts());
            g.writeEndObject();
            g.writeNumberField("reloads", live.reloads());
            g.writeNumberField("reload_failures", live.failures());
            g.writeEndObject();
        });
    }

    /** {@code {"error": message}}. */
    byte[] error(String message) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("error", message);
            g.writeEndObject();
        });
    }

    private static int user(AlsModel m, String label) throws ApiException {
        int u = m.users().indexOf(label);
        if (u == m.users().size()) {
            throw new ApiException(404, "user '" + Query.clip(label) + "' is not in the model");
        }
        if (!m.hasUser(u)) {
            throw new ApiException(404, "user '" + Query.clip(label) + "' has no factors (no training plays)");
        }
        return u;
    }

    private static int item(AlsModel m, String label) throws ApiException {
        int i = m.items().indexOf(label);
        if (i == m.items().size()) {
            throw new ApiException(404, "item '" + Query.clip(label) + "' is not in the model");
        }
        if (!m.hasItem(i)) {
            throw new ApiException(404, "item '" + Query.clip(label) + "' has no factors (no training plays)");
        }
        return i;
    }

    private static ApiException noSeen() {
        return new ApiException(
                400, "exclude_seen=true needs the training items, and this model was saved without them");
    }

    /** The known plays by index (unknown labels left out and counted per entry, as the library counts). */
    private record Plays(int[] items, float[] counts, int unknown) {}

    private static Plays plays(AlsModel m, JsonBody.Plays p) {
        LabelIndex index = m.items();
        int[] items = new int[p.items().length];
        float[] counts = new float[items.length];
        int unknown = 0;
        int n = 0;
        for (int j = 0; j < items.length; j++) {
            int i = index.indexOf(p.items()[j]);
            if (i == index.size()) {
                unknown++;
            } else {
                items[n] = i;
                counts[n] = p.counts()[j];
                n++;
            }
        }
        return new Plays(java.util.Arrays.copyOf(items, n), java.util.Arrays.copyOf(counts, n), unknown);
    }

    /**
     * The filter of the {@code only} labels (null: every item is a candidate; given, even empty: only the known ones
     * among them) and the {@code exclude} labels (null or empty: none).
     */
    private static ItemFilter filter(AlsModel m, List<String> only, List<String> exclude) {
        ItemFilter f = ItemFilter.none();
        if (only != null) {
            f = f.andOnly(known(m.items(), only));
        }
        if (exclude != null && !exclude.isEmpty()) {
            f = f.andExcluding(known(m.items(), exclude));
        }
        return f;
    }

    private static int[] known(LabelIndex index, List<String> labels) {
        int[] out = new int[labels.size()];
        int n = 0;
        for (String l : labels) {
            int i = index.indexOf(l);
            if (i != index.size()) {
                out[n++] = i;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** A library call whose {@link IllegalArgumentException}s are about the request (400). */
    private static <T> T call(Supplier<T> c) throws ApiException {
        try {
            return c.get();
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private byte[] write(Body b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = json.createGenerator(out)) {
            b.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    private static void model(JsonGenerator g, LiveModel.Served s) throws IOException {
        g.writeObjectFieldStart("model");
        g.writeNumberField("generation", s.generation());
        g.writeEndObject();
    }

    private static void items(JsonGenerator g, String name, LabelIndex labels, RankedItems r) throws IOException {
        g.writeArrayFieldStart(name);
        for (int i = 0; i < r.size(); i++) {
            g.writeStartObject();
            g.writeStringField("item", labels.label(r.item(i)));
            g.writeFieldName("score");
            number(g, r.score(i));
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void explanation(JsonGenerator g, LabelIndex labels, String item, FoldIn.Explanation e)
            throws IOException {
        g.writeStringField("item", item);
        g.writeFieldName("score");
        number(g, e.score());
        g.writeFieldName("explained");
        number(g, e.explained());
        g.writeArrayFieldStart("contributions");
        for (FoldIn.Contribution c : e.top()) {
            g.writeStartObject();
            g.writeStringField("item", labels.label(c.item()));
            g.writeFieldName("value");
            number(g, c.value());
            g.writeFieldName("share");
            number(g, c.share());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** A float as Java's shortest round-trip form ({@code 1.25}, {@code 3.0E-5}); null if not finite. */
    private static void number(JsonGenerator g, float v) throws IOException {
        if (Float.isFinite(v)) {
            g.writeNumber(v);
        } else {
            g.writeNull();
        }
    }

    private static void number(JsonGenerator g, double v) throws IOException {
        if (Double.isFinite(v)) {
            g.writeNumber(v);
        } else {
            g.writeNull();
        }
    }
}
