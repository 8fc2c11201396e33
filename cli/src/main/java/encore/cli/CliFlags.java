package encore.cli;

import encore.internal.Memory;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Library messages speak of parameters (the names of {@code AlsParams}, {@code IngestOptions}, … : "regParam must
 * be …", "badRows=skip counts and skips such rows"); the CLI user knows flags. This maps one to the other:
 * <ul>
 *   <li>{@code name=value} for a known parameter becomes {@code --flag value} ({@code --flag} for {@code true});</li>
 *   <li>a message that starts with a known parameter name (“rank must be ≥ 1”) starts with its flag;</li>
 *   <li>camel-case parameter names (regParam, maxIter, …), which are never ordinary words, become flags anywhere.</li>
 * </ul>
 */
final class CliFlags {
    private static final Map<String, String> FLAGS = Map.ofEntries(
            Map.entry("rank", "--rank"),
            Map.entry("maxIter", "--max-iter"),
            Map.entry("regParam", "--reg"),
            Map.entry("implicitPrefs", "--implicit"),
            Map.entry("alpha", "--alpha"),
            Map.entry("nonnegative", "--nonnegative"),
            Map.entry("solver", "--solver"),
            Map.entry("cgSteps", "--cg-steps"),
            Map.entry("init", "--init"),
            Map.entry("numBlocks", "--num-blocks"),
            Map.entry("backend", "--backend"),
            Map.entry("threads", "--threads"),
            Map.entry("badRows", "--bad-rows"),
            Map.entry("limit", "--limit"),
            Map.entry("itemKey", "--item-key"),
            Map.entry("excludeSeen", "--exclude-seen"));
    private static final Pattern ASSIGNMENT = Pattern.compile("\\b([a-z][A-Za-z]*)=([^\\s,;)]+)");
    private static final Pattern LEADING = Pattern.compile("^([a-z][A-Za-z]*)(?= must\\b| is\\b)");
    private static final Pattern CAMEL = Pattern.compile("\\b([a-z]+[A-Z][A-Za-z]*)\\b");

    private CliFlags() {}

    /** {@code message} with the parameters it names written as this CLI's flags. */
    static String phrase(String message) {
        if (message == null) {
            return null;
        }
        String s = replace(ASSIGNMENT, message, m -> {
            String flag = FLAGS.get(m.group(1));
            if (flag == null) {
                return m.group();
            }
            return m.group(2).equals("true") ? flag : flag + " " + m.group(2);
        });
        s = replace(LEADING, s, m -> FLAGS.getOrDefault(m.group(1), m.group()));
        return replace(CAMEL, s, m -> FLAGS.getOrDefault(m.group(1), m.group()));
    }

    /** The heap advice of a {@link Memory.NotEnoughMemoryException} in terms of the launcher's ENCORE_HEAP. */
    static String phrase(Memory.NotEnoughMemoryException e) {
        String heap = e.suggestedHeap();
        return e.getMessage()
                .replace(
                        "run the JVM with a larger heap, e.g. -Xmx" + heap,
                        "run with a larger heap, e.g. ENCORE_HEAP=" + heap + " ./encore … (or java -Xmx" + heap + ")");
    }

    private interface Replacement {
        String apply(Matcher m);
    }

    private static String replace(Pattern p, String s, Replacement r) {
        Matcher m = p.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(r.apply(m)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
