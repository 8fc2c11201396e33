package encore.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON body of {@code POST /v1/recommend} and {@code POST /v1/explain}, read with jackson-core's streaming parser
 * under tight {@link StreamReadConstraints} (nesting, string, name and number lengths, document length): one object
 * whose fields are among those the endpoint takes, each of its type, no duplicate keys, nothing after the object.
 *
 * <pre>{"plays": [{"item": "label", "count": 3}, …], "k": 10, "exclude": ["label", …], "only": [...],
 *  "exclude_seen": true, "item": "label", "top": 10}</pre>
 *
 * {@code count} may be left out (1). Absent fields are null (or -1 for {@code k} and {@code top}).
 */
record JsonBody(
        Plays plays, int k, List<String> exclude, List<String> only, Boolean excludeSeen, String item, int top) {

    /** The fields {@code POST /v1/recommend} takes. */
    static final List<String> RECOMMEND = List.of("plays", "k", "exclude", "only", "exclude_seen");
    /** The fields {@code POST /v1/explain} takes. */
    static final List<String> EXPLAIN = List.of("plays", "item", "top");

    private static final int MAX_LABEL_CHARS = 16 * 1024;

    /** The parser factory for bodies of at most {@code maxBytes}. */
    static JsonFactory factory(int maxBytes) {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(4)
                        .maxStringLength(MAX_LABEL_CHARS)
                        .maxNameLength(64)
                        .maxNumberLength(32)
                        .maxDocumentLength(maxBytes)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                .build();
    }

    /**
     * Reads a body.
     *
     * @param fields   the fields the endpoint takes
     * @param maxPlays the most entries of any list (413 beyond)
     * @throws ApiException 400 for anything but a well-formed object of the known fields with their types
     */
    static JsonBody parse(JsonFactory json, byte[] body, List<String> fields, int maxPlays) throws ApiException {
        if (body.length == 0) {
            throw new ApiException(400, "the request body is empty: expected a JSON object");
        }
        try (JsonParser p = json.createParser(body)) {
            return read(p, fields, maxPlays);
        } catch (StreamConstraintsException e) {
            throw new ApiException(400, "the JSON body is outside the limits: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new ApiException(
                    400,
                    "malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiException(400, "the JSON body cannot be read: " + e.getMessage());
        }
    }

    private static JsonBody read(JsonParser p, List<String> fields, int maxPlays) throws IOException, ApiException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new ApiException(400, "the request body must be a JSON object");
        }
        Plays plays = null;
        int k = -1;
        int top = -1;
        List<String> exclude = null;
        List<String> only = null;
        Boolean excludeSeen = null;
        String item = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (!fields.contains(name)) {
                throw new ApiException(
                        400,
                        "unknown field '" + Query.clip(name) + "' (this endpoint takes " + String.join(", ", fields)
                                + ")");
            }
            JsonToken t = p.nextToken();
            switch (name) {
                case "plays" -> plays = plays(p, t, maxPlays);
                case "k" -> k = integer(p, t, "k", 1, ServeOptions.MAX_K);
                case "top" -> top = integer(p, t, "top", 0, ServeOptions.MAX_K);
                case "exclude" -> exclude = labels(p, t, "exclude", maxPlays);
                case "only" -> only = labels(p, t, "only", maxPlays);
                case "exclude_seen" -> {
                    if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
                        throw new ApiException(400, "exclude_seen must be true or false");
                    }
                    excludeSeen = t == JsonToken.VALUE_TRUE;
                }
                case "item" -> item = string(t, p, "item");
                default -> throw new IllegalStateException("field " + name + " is listed but not read");
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new ApiException(400, "malformed JSON: expected a field name or the end of the object");
        }
        if (p.nextToken() != null) {
            throw new ApiException(400, "malformed JSON: content after the object");
        }
        if (plays == null) {
            throw new ApiException(400, "field 'plays' is required");
        }
        return new JsonBody(plays, k, exclude, only, excludeSeen, item, top);
    }

    /** The plays: item labels and their counts, in request order. */
    record Plays(String[] items, float[] counts) {}

    private static Plays plays(JsonParser p, JsonToken t, int maxPlays) throws IOException, ApiException {
        if (t != JsonToken.START_ARRAY) {
            throw new ApiException(400, "plays must be an array of {\"item\": label, \"count\": number}");
        }
        List<String> items = new ArrayList<>();
        float[] counts = new float[16];
        while (p.nextToken() == JsonToken.START_OBJECT) {
            int j = items.size();
            if (j == maxPlays) {
                throw new ApiException(413, "plays has more than " + maxPlays + " entries");
            }
            String item = null;
            float count = 1f;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("item")) {
                    item = string(v, p, "plays[" + j + "].item");
                } else if (name.equals("count")) {
                    count = count(p, v, j);
                } else {
                    throw new ApiException(
                            400, "unknown field '" + Query.clip(name) + "' in plays[" + j + "] (takes item, count)");
                }
            }
            if (item == null) {
                throw new ApiException(400, "plays[" + j + "].item is required");
            }
            if (j == counts.length) {
                counts = java.util.Arrays.copyOf(counts, Math.min(maxPlays, 2 * j));
            }
            items.add(item);
            counts[j] = count;
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw new ApiException(400, "plays must be an array of {\"item\": label, \"count\": number}");
        }
        return new Plays(items.toArray(String[]::new), java.util.Arrays.copyOf(counts, items.size()));
    }

    private static float count(JsonParser p, JsonToken v, int j) throws IOException, ApiException {
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new ApiException(400, "plays[" + j + "].count must be a number");
        }
        double d = p.getDoubleValue();
        if (!Double.isFinite(d) || Math.abs(d) > Float.MAX_VALUE) {
            throw new ApiException(400, "plays[" + j + "].count must be a finite float32 number");
        }
        return (float) d;
    }

    private static List<String> labels(JsonParser p, JsonToken t, String name, int max)
            throws IOException, ApiException {
        if (t != JsonToken.START_ARRAY) {
            throw new ApiException(400, name + " must be an array of item labels");
        }
        List<String> out = new ArrayList<>();
        JsonToken v;
        while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
            if (out.size() == max) {
                throw new ApiException(413, name + " has more than " + max + " entries");
            }
            out.add(string(v, p, name + "[" + out.size() + "]"));
        }
        return out;
    }

    private static String string(JsonToken t, JsonParser p, String name) throws IOException, ApiException {
        if (t != JsonToken.VALUE_STRING) {
            throw new ApiException(400, name + " must be a string (an item label)");
        }
        return p.getText();
    }

    private static int integer(JsonParser p, JsonToken t, String name, int min, int max)
            throws IOException, ApiException {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw new ApiException(400, name + " must be an integer in " + min + ".." + max);
        }
        long v = p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? Long.MAX_VALUE : p.getLongValue();
        if (v < min || v > max) {
            throw new ApiException(400, name + " must be an integer in " + min + ".." + max + ", got " + p.getText());
        }
        return (int) v;
    }
}
