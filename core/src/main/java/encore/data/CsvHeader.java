package encore.data;

import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The header line of a listenings file, and the checks that turn a wrong file into a message saying what is wrong
 * with it (bare CR line ends, UTF-16, NUL bytes, a missing or doubled column, a file separated by ';', tab or '|').
 *
 * <p>The header is the first line outside quotes (a quoted header name may hold a newline), found in the first
 * {@value #MAX_BYTES} bytes after an optional UTF-8 byte-order mark; names are matched case-insensitively after
 * trimming.
 *
 * @param required   column positions of the required fields, in {@link ListeningsReader#REQUIRED_COLUMNS} order
 * @param fieldCount number of columns in the header
 * @param dataStart  byte offset of the first data line (the file size when there is none)
 * @param lines      physical lines the header takes (at least 1)
 */
record CsvHeader(int[] required, int fieldCount, long dataStart, long lines) {
    /** The longest header accepted, in bytes. */
    static final int MAX_BYTES = 1 << 20;
    /** Header names listed in the missing-column message before the rest is summarised. */
    private static final int NAMES_SHOWN = 12;
    /** Characters of one header name shown in a message. */
    private static final int NAME_CHARS_SHOWN = 60;

    /** Reads and checks the header of {@code ch} (of {@code size} > 0 bytes); messages name {@code file}. */
    static CsvHeader read(Path file, FileChannel ch, long size) throws IOException {
        byte[] buf = probe(ch, size);
        int start = bomLength(buf);
        LineEnd le = LineEnd.scan(buf, start);
        if (le.end < 0 && !le.inQuote) {
            rejectBareCr(file, buf, start);
        }
        long dataStart;
        int textEnd;
        long lines;
        if (le.end < 0) {
            if (size > buf.length) {
                throw new InputFormatException(file, 1, null, "header line longer than " + MAX_BYTES + " bytes");
            }
            textEnd = buf.length;
            dataStart = size;
            lines = 1;
        } else {
            textEnd = le.end;
            dataStart = le.end + 1L;
            lines = le.lines;
        }
        if (textEnd > start && buf[textEnd - 1] == '\r') {
            textEnd--;
        }
        String text = decode(file, buf, start, textEnd);
        String[] names = parseNames(file, text);
        return new CsvHeader(locateRequired(file, names), names.length, dataStart, Math.max(1, lines));
    }

    /** The first {@code min(size, MAX_BYTES)} bytes of the file. */
    private static byte[] probe(FileChannel ch, long size) throws IOException {
        byte[] buf = new byte[(int) Math.min(size, MAX_BYTES)];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        while (bb.hasRemaining()) {
            if (ch.read(bb, bb.position()) < 0) {
                break;
            }
        }
        return buf;
    }

    /** 3 when {@code buf} starts with a UTF-8 byte-order mark, else 0. */
    private static int bomLength(byte[] buf) {
        return buf.length >= 3 && (buf[0] & 0xFF) == 0xEF && (buf[1] & 0xFF) == 0xBB && (buf[2] & 0xFF) == 0xBF ? 3 : 0;
    }

    /** Where the header line ends: the first newline outside quotes, if the probe holds one. */
    private static final class LineEnd {
        /** Index of the newline ending the header, or -1. */
        int end = -1;
        /** Newlines seen up to and including that one. */
        int lines;
        /** Whether the probe ends inside a quoted name (only meaningful when {@code end < 0}). */
        boolean inQuote;

        static LineEnd scan(byte[] buf, int start) {
            LineEnd le = new LineEnd();
            for (int i = start; i < buf.length; i++) {
                byte b = buf[i];
                if (b == '"') {
                    le.inQuote = !le.inQuote;
                } else if (b == '\n') {
                    le.lines++;
                    if (!le.inQuote) {
                        le.end = i;
                        break;
                    }
                }
            }
            return le;
        }
    }

    /** A probe with no line feed but a CR not followed by LF: the file uses classic Mac line ends. */
    private static void rejectBareCr(Path file, byte[] buf, int start) {
        for (int i = start; i < buf.length - 1; i++) {
            if (buf[i] == '\r' && buf[i + 1] != '\n') {
                throw new InputFormatException(
                        file,
                        1,
                        null,
                        "lines end with a bare CR (classic Mac line ends); "
                                + "Encore reads LF or CRLF line ends: convert the file first");
            }
        }
    }

    /** The header text {@code buf[start, end)}, strictly decoded, checked to be non-blank UTF-8 text without NUL. */
    private static String decode(Path file, byte[] buf, int start, int end) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, start, end - start))
                    .toString();
        } catch (CharacterCodingException e) {
            boolean utf16 = buf.length >= 2
                    && ((buf[0] & 0xFF) == 0xFF && (buf[1] & 0xFF) == 0xFE
                            || (buf[0] & 0xFF) == 0xFE && (buf[1] & 0xFF) == 0xFF);
            throw new InputFormatException(
                    file,
                    1,
                    null,
                    "header is not valid UTF-8"
                            + (utf16 ? " (the file starts with a UTF-16 byte-order mark: save it as UTF-8)" : ""));
        }
        if (text.indexOf('\0') >= 0) {
            throw new InputFormatException(
                    file, 1, null, "the header holds NUL bytes: not a UTF-8 text file " + "(UTF-16? binary?)");
        }
        if (text.isBlank()) {
            throw new InputFormatException(
                    file, 1, null, "empty header line: expected column names such as user_id,date,track,artist,album");
        }
        return text;
    }

    /** The header's column names, parsed with the same CSV rules as the data. */
    private static String[] parseNames(Path file, String text) {
        CsvParser parser = new CsvParser(CsvDialect.settings(null));
        String[] names;
        try {
            names = parser.parseLine(text);
        } catch (TextParsingException e) {
            throw new InputFormatException(file, 1, null, "cannot read the header line: " + CsvDialect.describe(e));
        }
        if (names == null) {
            throw new InputFormatException(file, 1, null, "cannot read the header line");
        }
        return names;
    }

    /** The position of each required column; a required column missing or named twice is an error. */
    private static int[] locateRequired(Path file, String[] names) {
        List<String> columns = ListeningsReader.REQUIRED_COLUMNS;
        int[] required = new int[columns.size()];
        Arrays.fill(required, -1);
        for (int c = 0; c < names.length; c++) {
            String n = names[c] == null ? "" : names[c].strip().toLowerCase(Locale.ROOT);
            int r = columns.indexOf(n);
            if (r >= 0) {
                if (required[r] >= 0) {
                    throw new InputFormatException(
                            file,
                            1,
                            columns.get(r),
                            "column appears twice in the header (columns " + (required[r] + 1) + " and " + (c + 1)
                                    + ")");
                }
                required[r] = c;
            }
        }
        List<String> missing = new ArrayList<>();
        for (int r = 0; r < required.length; r++) {
            if (required[r] < 0) {
                missing.add(columns.get(r));
            }
        }
        if (!missing.isEmpty()) {
            throw missingColumns(file, names, missing);
        }
        return required;
    }

    /** The error for a header without {@code missing}: the names it does have, and a hint at a wrong delimiter. */
    private static InputFormatException missingColumns(Path file, String[] names, List<String> missing) {
        List<String> found = new ArrayList<>();
        for (String n : names) {
            if (found.size() == NAMES_SHOWN) {
                found.add("… (" + (names.length - NAMES_SHOWN) + " more)");
                break;
            }
            found.add(shown(n == null ? "" : n));
        }
        String hint = found.size() == 1 ? delimiterHint(found.get(0)) : "";
        return new InputFormatException(
                file,
                1,
                null,
                "missing required column" + (missing.size() > 1 ? "s " : " ")
                        + String.join(", ", missing) + "; the header has " + names.length + " column"
                        + (names.length == 1 ? "" : "s") + ": " + String.join(", ", found)
                        + " (expected user_id, track, artist, album; date is optional)" + hint);
    }

    /**
     * For a header read as one single column: if that name holds ';', a tab or '|' (tried in that order), the file is
     * most likely separated by it rather than by commas.
     */
    private static String delimiterHint(String only) {
        return only.indexOf(';') >= 0
                ? "; the file looks separated by ';' — Encore reads comma-separated files"
                : only.indexOf('\t') >= 0
                        ? "; the file looks tab-separated — Encore reads comma-separated files"
                        : only.indexOf('|') >= 0
                                ? "; the file looks separated by '|' — Encore reads comma-separated files"
                                : "";
    }

    /** A header name for a message: control characters escaped, at most 60 characters. */
    private static String shown(String name) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < name.length() && sb.length() < NAME_CHARS_SHOWN; i++) {
            char c = name.charAt(i);
            if (c == '\t') {
                sb.append(c); // kept: the tab-separated hint shows it
            } else if (c < 0x20 || c == 0x7F) {
                sb.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.length() < NAME_CHARS_SHOWN || name.length() <= NAME_CHARS_SHOWN ? sb.toString() : sb + "…";
    }
}
