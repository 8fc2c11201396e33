package encore.spark;

import encore.data.LabelIndex;
import encore.util.TextFields;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The label files that map a Spark model's integer ids back to the strings they index (what a {@code StringIndexer}
 * fitted): UTF-8 CSV, a header {@code id,label} or {@code id,label,frequency}, one record per id, fields quoted as
 * RFC 4180 says (a field with a comma, a quote, CR or LF, or a leading/trailing space is quoted and its quotes
 * doubled; an empty label is written {@code ""}). Records end with LF or CRLF; a quoted field may span lines.
 *
 * <p>Reading is strict — the files are untrusted: valid UTF-8 (a leading byte-order mark is skipped), exactly the
 * header's fields in every record, ids decimal integers in the int range, frequencies non-negative ints, no id and no
 * label twice, no field over {@value #MAX_FIELD_CHARS} characters. A path may also be a directory of Spark's CSV part
 * files ({@code part-*}, each with the header), as {@code df.write().option("header", true).csv(dir)} leaves it.
 * Files are read and written past Hadoop's client-side checksums ({@code .crc} files), so a label file edited by hand
 * still reads.
 */
final class LabelFiles {
    /** The user label file's name in an exported model directory. */
    static final String USERS = "user_labels.csv";
    /** The item label file's name in an exported model directory. */
    static final String ITEMS = "item_labels.csv";
    /** The longest field accepted. */
    static final int MAX_FIELD_CHARS = 1 << 20;

    private static final Pattern ID = Pattern.compile("-?[0-9]{1,10}");
    private static final Pattern COUNT = Pattern.compile("[0-9]{1,10}");

    private LabelFiles() {}

    /**
     * Labels read from a file: ids ascending, each with its label and its frequency (0 where the file has none).
     *
     * @param source the file or directory read, for messages
     */
    record Labels(String source, int[] ids, String[] labels, int[] frequencies) {
        int size() {
            return ids.length;
        }
    }

    /** The file system that reads and writes {@code fs}'s files without client-side checksum files. */
    static FileSystem raw(FileSystem fs) {
        return fs instanceof ChecksumFileSystem c ? c.getRawFileSystem() : fs;
    }

    /**
     * Writes {@code index} as a label file: header {@code id,label,frequency}, then index {@code i}'s record for every
     * {@code i} in order.
     *
     * @param side {@code user} or {@code item}, for messages
     * @throws IllegalArgumentException when a label is not valid Unicode (an unpaired surrogate UTF-8 cannot hold)
     */
    static void write(OutputStream out, LabelIndex index, String side) throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8.newEncoder()), 1 << 16);
        w.write("id,label,frequency\n");
        StringBuilder line = new StringBuilder(64);
        for (int i = 0; i < index.size(); i++) {
            String label = index.label(i);
            checkUnicode(label, side, i);
            line.setLength(0);
            line.append(i).append(',').append(label.isEmpty() ? "\"\"" : TextFields.csv(label));
            line.append(',').append(index.frequency(i)).append('\n');
            w.write(line.toString());
        }
        w.flush();
    }

    /**
     * Checks that every label of {@code index} is valid Unicode (what {@link #write} needs), before anything is
     * written.
     *
     * @throws IllegalArgumentException naming the first that is not
     */
    static void check(LabelIndex index, String side) {
        for (int i = 0; i < index.size(); i++) {
            checkUnicode(index.label(i), side, i);
        }
    }

    private static void checkUnicode(String s, String side, int index) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("the label of " + side + " " + index
                        + " is not valid Unicode (an unpaired surrogate at " + "character " + i + ")");
            }
        }
    }

    /**
     * Reads a label file, or a directory of CSV part files, as the class comment says.
     *
     * @throws InteropFormatException naming the file and line of the first problem
     * @throws IOException            when the file cannot be read
     */
    static Labels read(FileSystem fs, Path path) throws IOException {
        FileSystem raw = raw(fs);
        FileStatus status = raw.getFileStatus(path);
        List<Path> files = new ArrayList<>();
        if (status.isDirectory()) {
            for (FileStatus f : raw.listStatus(path)) {
                String name = f.getPath().getName();
                if (f.isFile() && name.startsWith("part-")) {
                    files.add(f.getPath());
                }
            }
            if (files.isEmpty()) {
                throw new InteropFormatException(path + ": a directory without CSV part files (part-*)");
            }
            files.sort(null);
        } else {
            files.add(path);
        }
        Records all = new Records();
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            try (InputStream in = raw.open(file)) {
                parse(in, file.toString(), f, all, status.isDirectory());
            }
        }
        return all.labels(path.toString(), files);
    }

    /** The records of one or more files, in reading order. */
    private static final class Records {
        int n;
        int[] ids = new int[1024];
        String[] labels = new String[1024];
        int[] frequencies = new int[1024];
        long[] where = new long[1024]; // file << 32 | line

        void add(int id, String label, int frequency, int file, int line) {
            if (n == ids.length) {
                int cap = Math.max(n + 1, (int) Math.min(Integer.MAX_VALUE - 16, n * 2L));
                ids = Arrays.copyOf(ids, cap);
                labels = Arrays.copyOf(labels, cap);
                frequencies = Arrays.copyOf(frequencies, cap);
                where = Arrays.copyOf(where, cap);
            }
            ids[n] = id;
            labels[n] = label;
            frequencies[n] = frequency;
            where[n] = ((long) file << 32) | line;
            n++;
        }

        /** Sorted by id, checked for duplicate ids and labels. */
        Labels labels(String source, List<Path> files) throws InteropFormatException {
            long[] order = new long[n];
            for (int r = 0; r < n; r++) {
                order[r] = ((long) ids[r] << 32) | r;
            }
            Arrays.sort(order);
            int[] sortedIds = new int[n];
            String[] sortedLabels = new String[n];
            int[] sortedFreq = new int[n];
            Map<String, Integer> byLabel = new HashMap<>(Math.max(16, n * 2));
            for (int k = 0; k < n; k++) {
                int r = (int) order[k];
                if (k > 0 && sortedIds[k - 1] == ids[r]) {
                    int prev = (int) order[k - 1];
                    throw new InteropFormatException(
                            at(files, r) + ": id " + ids[r] + " appears twice (also at " + at(files, prev) + ")");
                }
                Integer other = byLabel.putIfAbsent(labels[r], r);
                if (other != null) {
                    throw new InteropFormatException(at(files, r) + ": label " + quoted(labels[r]) + " of id " + ids[r]
                            + " is also the label of id " + ids[other] + " (" + at(files, other)
                            + "); labels must be unique");
                }
                sortedIds[k] = ids[r];
                sortedLabels[k] = labels[r];
                sortedFreq[k] = frequencies[r];
            }
            return new Labels(source, sortedIds, sortedLabels, sortedFreq);
        }

        private String at(List<Path> files, int r) {
            return files.get((int) (where[r] >>> 32)) + " line " + (int) where[r];
        }
    }

    private static String quoted(String s) {
        return "'" + (s.length() > 80 ? s.substring(0, 80) + "…" : s) + "'";
    }

    /** Parses one file's records into {@code out}. */
    private static void parse(InputStream in, String source, int file, Records out, boolean partFile)
            throws IOException {
        Csv csv = new Csv(in, source);
        List<String> header = csv.record();
        if (header == null) {
            if (partFile) {
                return; // Spark writes an empty part file for an empty partition
            }
            throw new InteropFormatException(source + ": empty file (expected the header id,label)");
        }
        boolean withFrequency = header.equals(List.of("id", "label", "frequency"));
        if (!withFrequency && !header.equals(List.of("id", "label"))) {
            throw new InteropFormatException(source + " line 1: the header must be id,label or "
                    + "id,label,frequency, got " + quoted(String.join(",", header)));
        }
        int fields = withFrequency ? 3 : 2;
        for (List<String> r = csv.record(); r != null; r = csv.record()) {
            int line = csv.recordLine;
            String at = source + " line " + line;
            if (r.size() == 1 && r.get(0).isEmpty()) {
                throw new InteropFormatException(at + ": empty line");
            }
            if (r.size() != fields) {
                throw new InteropFormatException(
                        at + ": " + fields + " fields expected (" + String.join(",", header) + "), got " + r.size());
            }
            int id = parseInt(r.get(0), ID, at, "id", "an integer in the int range");
            int frequency = withFrequency
                    ? parseInt(r.get(2), COUNT, at, "frequency", "a non-negative integer in the int range")
                    : 0;
            out.add(id, r.get(1), frequency, file, line);
        }
    }

    private static int parseInt(String s, Pattern form, String at, String field, String what)
            throws InteropFormatException {
        if (form.matcher(s).matches()) {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException outOfRange) {
                // reported below
            }
        }
        throw new InteropFormatException(at + ": " + field + " " + quoted(s) + " is not " + what);
    }

    /**
     * A strict RFC 4180 record reader (LF or CRLF line ends) over strict UTF-8: the bytes are decoded here, so that an
     * invalid byte is reported on the line it is on.
     */
    private static final class Csv {
        private final InputStream in;
        private final String source;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16).flip();
        private final CharBuffer chars = CharBuffer.allocate(1 << 16).flip();
        private boolean eof;
        private boolean flushed;
        private boolean malformed;
        private boolean started;
        /** The current line (1-based). */
        int line = 1;
        /** The line the last record started on. */
        int recordLine;

        Csv(InputStream in, String source) {
            this.in = in;
            this.source = source;
        }

        /** Decodes the next characters into {@code chars}; false at the end of the input. */
        private boolean fill() throws IOException {
            chars.clear();
            while (chars.position() == 0 && !flushed) {
                if (malformed) {
                    throw problem(line, "not valid UTF-8");
                }
                CoderResult r = decoder.decode(bytes, chars, eof);
                if (r.isError()) {
                    malformed = true; // what decoded before the bad byte is read first
                } else if (r.isOverflow()) {
                    break;
                } else if (eof) {
                    decoder.flush(chars);
                    flushed = true;
                } else {
                    bytes.compact();
                    int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
                    if (n < 0) {
                        eof = true;
                    } else {
                        bytes.position(bytes.position() + n);
                    }
                    bytes.flip();
                }
            }
            chars.flip();
            return chars.hasRemaining();
        }

        private int read() throws IOException {
            if (!chars.hasRemaining() && !fill()) {
                return -1;
            }
            char c = chars.get();
            if (!started) {
                started = true;
                if (c == '\uFEFF') {
                    return read();
                }
            }
            if (c == '\n') {
                line++;
            }
            return c;
        }

        /** The next record's fields, or null at the end of the file. */
        List<String> record() throws IOException {
            recordLine = line;
            int c = read();
            if (c == -1) {
                return null;
            }
            List<String> fields = new ArrayList<>(3);
            StringBuilder sb = new StringBuilder();
            while (true) {
                sb.setLength(0);
                if (c == '"') {
                    while (true) {
                        c = read();
                        if (c == -1) {
                            throw problem(recordLine, "a quoted field is not closed before the end of the file");
                        }
                        if (c == '"') {
                            c = read();
                            if (c != '"') {
                                break;
                            }
                        }
                        append(sb, (char) c);
                    }
                    if (c != ',' && c != '\n' && c != '\r' && c != -1) {
                        throw problem(line, "a character after a field's closing quote (double a quote inside one)");
                    }
                } else {
                    while (c != ',' && c != '\n' && c != '\r' && c != -1) {
                        if (c == '"') {
                            throw problem(line, "a quote inside an unquoted field (quote the field and double it)");
                        }
                        append(sb, (char) c);
                        c = read();
                    }
                }
                fields.add(sb.toString());
                if (c == ',') {
                    c = read();
                    continue;
                }
                if (c == '\r' && read() != '\n') {
                    throw problem(line, "a CR that is not followed by LF outside a quoted field");
                }
                return fields;
            }
        }

        private void append(StringBuilder sb, char c) throws InteropFormatException {
            if (sb.length() >= MAX_FIELD_CHARS) {
                throw problem(recordLine, "a field longer than " + MAX_FIELD_CHARS + " characters");
            }
            sb.append(c);
        }

        private InteropFormatException problem(int at, String what) {
            return new InteropFormatException(source + " line " + at + ": " + what);
        }
    }
}
