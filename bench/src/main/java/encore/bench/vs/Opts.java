package encore.bench.vs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} options of a scenario (both engines and the report read the same command line). */
public final class Opts {
    private final Map<String, String> values = new LinkedHashMap<>();

    /** Parses {@code --name value} pairs; a bare {@code --flag} followed by another option or nothing is "true". */
    public Opts(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new IllegalArgumentException("expected an option, found '" + a + "'");
            }
            String name = a.substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                values.put(name, args[++i]);
            } else {
                values.put(name, "true");
            }
        }
    }

    /** True when the option was given. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The option's value or {@code def}. */
    public String get(String name, String def) {
        return values.getOrDefault(name, def);
    }

    /** A required option. */
    public String need(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    /** An integer option. */
    public int integer(String name, int def) {
        return values.containsKey(name) ? Integer.parseInt(values.get(name)) : def;
    }

    /** A long option. */
    public long longValue(String name, long def) {
        return values.containsKey(name) ? Long.parseLong(values.get(name)) : def;
    }

    /** A floating-point option. */
    public double real(String name, double def) {
        return values.containsKey(name) ? Double.parseDouble(values.get(name)) : def;
    }

    /** A path option or null. */
    public Path path(String name) {
        return values.containsKey(name) ? Path.of(values.get(name)) : null;
    }

    /** A comma-separated list of integers. */
    public int[] ints(String name, int[] def) {
        if (!values.containsKey(name)) {
            return def;
        }
        return Arrays.stream(values.get(name).split(","))
                .map(String::strip)
                .mapToInt(Integer::parseInt)
                .toArray();
    }

    /** A comma-separated list of strings. */
    public List<String> list(String name, String def) {
        String v = values.getOrDefault(name, def);
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return out;
    }
}
