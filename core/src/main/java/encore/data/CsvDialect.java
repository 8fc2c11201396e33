package encore.data;

import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParserSettings;

/**
 * How {@link ListeningsReader} drives univocity-parsers: the settings that keep values exactly as written (the
 * Spark-compatible semantics listed on the reader), and univocity's errors in the reader's words.
 */
final class CsvDialect {
    private CsvDialect() {}

    /** univocity settings that keep values exactly as written; {@code select} picks the materialized columns. */
    static CsvParserSettings settings(int[] select) {
        return settings(select, 1 << 16);
    }

    /**
     * As {@link #settings(int[])} with an input buffer of {@code inputBuffer} characters (how much univocity reads
     * from its reader at a time: it changes no result, only the allocation at each {@code beginParsing}).
     */
    static CsvParserSettings settings(int[] select, int inputBuffer) {
        CsvParserSettings s = new CsvParserSettings();
        s.getFormat().setDelimiter(',');
        s.getFormat().setQuote('"');
        s.getFormat().setQuoteEscape('"');
        s.getFormat().setLineSeparator("\n");
        s.getFormat().setNormalizedNewline('\n');
        s.getFormat().setComment('\0');
        // a row starting with NUL is data, not a comment (univocity would drop it silently)
        s.setCommentProcessingEnabled(false);
        // NUL must not act as the quote-escape escape: a NUL right after an escaped quote would cut the value
        s.getFormat().setCharToEscapeQuoteEscaping('"');
        s.setIgnoreLeadingWhitespaces(false);
        s.setIgnoreTrailingWhitespaces(false);
        s.setIgnoreLeadingWhitespacesInQuotes(false);
        s.setIgnoreTrailingWhitespacesInQuotes(false);
        s.setHeaderExtractionEnabled(false);
        s.setNullValue(null);
        s.setEmptyValue(null);
        s.setSkipEmptyLines(true);
        s.setMaxCharsPerColumn(ListeningsReader.MAX_FIELD_CHARS);
        s.setMaxColumns(ListeningsReader.MAX_COLUMNS);
        s.setReadInputOnSeparateThread(false);
        s.setInputBufferSize(inputBuffer);
        s.setErrorContentLength(64);
        if (select != null) {
            s.setColumnReorderingEnabled(false);
            Integer[] boxed = new Integer[select.length];
            for (int i = 0; i < select.length; i++) {
                boxed[i] = select[i];
            }
            s.selectIndexes(boxed);
        }
        return s;
    }

    /** Whether univocity refused a row for having more than {@link ListeningsReader#MAX_COLUMNS} fields. */
    static boolean tooManyFields(TextParsingException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("maxColumns") || e.getCause() instanceof ArrayIndexOutOfBoundsException;
    }

    /** A one-line description of a parse error, without univocity's multi-line context. */
    static String describe(TextParsingException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("maxCharsPerColumn") || m.contains("exceeds the maximum")) {
            return "a field is longer than " + ListeningsReader.MAX_FIELD_CHARS
                    + " characters (a quote that never closes?)";
        }
        if (tooManyFields(e)) {
            return "a row has more than " + ListeningsReader.MAX_COLUMNS + " fields";
        }
        int nl = m.indexOf('\n');
        return "cannot parse row: " + (nl > 0 ? m.substring(0, nl) : m);
    }
}
