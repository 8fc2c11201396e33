package encore.serve;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of a query string, checked strictly: only the names an endpoint takes, each at most once except the
 * list parameters ({@code exclude}, {@code only}: one label per occurrence, so that labels may hold commas), values
 * percent-decoded as UTF-8 ({@code +} is a space, as in HTML forms).
 */
final class Query {
    private final Map<String, List<String>> values;

    private Query(Map<String, List<String>> values) {
        this.values = values;
    }

    /**
     * Parses {@code rawQuery} (null for none).
     *
     * @param names      the parameters the endpoint takes, in the order its error messages list them
     * @param repeatable those of {@code names} that may occur more than once
     * @param maxValues  the most occurrences of all parameters together (413 beyond)
     */
    static Query parse(String rawQuery, List<String> names, Set<String> repeatable, int maxValues) throws ApiException {
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return new Query(values);
        }
        int count = 0;
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            if (++count > maxValues) {
                throw new ApiException(413, "the query has more than " + maxValues + " parameters");
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!names.contains(name)) {
                throw new ApiException(
                        400,
                        "unknown parameter '" + clip(name) + "' (this endpoint takes " + String.join(", ", names)
                                + ")");
            }
            List<String> list = values.computeIfAbsent(name, n -> new ArrayList<>(1));
            if (!list.isEmpty() && !repeatable.contains(name)) {
                throw new ApiException(400, "parameter '" + name + "' is given more than once");
            }
            list.add(value);
        }
        return new Query(values);
    }

    private static String decode(String s) throws ApiException {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "the query string has a malformed percent-encoding");
        }
    }

    /** A name from the request, shortened for an error message. */
    static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    /** The value of a required single parameter. */
    String required(String name) throws ApiException {
        List<String> v = values.get(name);
        if (v == null) {
            throw new ApiException(400, "parameter '" + name + "' is required");
        }
        return v.get(0);
    }

    /** Every value of a list parameter, or null when it is absent. */
    List<String> list(String name) {
        return values.get(name);
    }

    /** An integer parameter in {@code min..max}, or {@code fallback} when absent. */
    int integer(String name, int fallback, int min, int max) throws ApiException {
        List<String> v = values.get(name);
        if (v == null) {
            return fallback;
        }
        String s = v.get(0);
        int n;
        try {
            n = s.length() > 11 ? Integer.MIN_VALUE : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            n = Integer.MIN_VALUE;
        }
        if (n < min || n > max) {
            throw new ApiException(
                    400, name + " must be an integer in " + min + ".." + max + ", got '" + clip(s) + "'");
        }
        return n;
    }

    /** A boolean parameter ({@code true} or {@code false}), or {@code fallback} when absent. */
    boolean bool(String name, boolean fallback) throws ApiException {
        List<String> v = values.get(name);
        if (v == null) {
            return fallback;
        }
        return switch (v.get(0)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ApiException(400, name + " must be true or false, got '" + clip(v.get(0)) + "'");
        };
    }
}
