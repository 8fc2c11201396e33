package encore.util;

/** Escaping of label fields for the CSV and TSV files Encore writes. */
public final class TextFields {
    private TextFields() {}

    /**
     * RFC-4180: a field holding a comma, a quote, CR or LF, or starting/ending with a space (so no reader trims it), is
     * wrapped in quotes with inner quotes doubled; others are written as they are.
     */
    public static String csv(String s) {
        boolean quote = !s.isEmpty() && (s.charAt(0) == ' ' || s.charAt(s.length() - 1) == ' ');
        for (int i = 0; !quote && i < s.length(); i++) {
            char c = s.charAt(i);
            quote = c == ',' || c == '"' || c == '\n' || c == '\r';
        }
        if (!quote) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /**
     * TSV: backslash, TAB, LF and CR become {@code \\}, {@code \t}, {@code \n}, {@code \r} (the escapes of the
     * PostgreSQL/Hive text format), so every record is one line with exactly the expected tabs.
     */
    public static String tsv(String s) {
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
                break;
            }
            i++;
        }
        if (i == n) {
            return s;
        }
        StringBuilder sb = new StringBuilder(n + 8).append(s, 0, i);
        for (; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * Inverse of {@link #tsv(String)}: {@code \\}, {@code \t}, {@code \n}, {@code \r} become the characters; any
     * other backslash is kept as written (lenient, for TSV files from other tools).
     */
    public static String unTsv(String s) {
        int i = s.indexOf('\\');
        if (i < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length()).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char e = s.charAt(i + 1);
            switch (e) {
                case '\\' -> sb.append('\\');
                case 't' -> sb.append('\t');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                default -> {
                    sb.append(c);
                    continue;
                }
            }
            i++;
        }
        return sb.toString();
    }
}
