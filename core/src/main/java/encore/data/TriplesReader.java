package encore.data;

import encore.matrix.Csr;
import encore.util.TextFields;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Reads rating triples {@code user item value} — one per line, separated by a TAB, a comma, or spaces (detected from
 * the first data line), an optional header line (recognised when its value column is not a number), extra trailing
 * columns (a timestamp) ignored, blank lines skipped. In TAB-separated files the labels are unescaped as
 * {@link TextFields#unTsv(String)} says (what {@code encore prepare} writes); other files' labels are trimmed. This is the format of MovieLens {@code u.data} and of the
 * {@code train.tsv}/{@code test.tsv} files {@code encore prepare} writes, so a split made elsewhere (or by Encore for
 * Spark) can be evaluated as it is.
 *
 * <p>Both files of a split are indexed together, like the Spark ALS recipe indexes before splitting: a label's frequency
 * is the number of lines it appears in across train and test, ties by label. Duplicate (user, item) lines are kept
 * as separate ratings (Spark's ALS does not merge them). Values must be finite numbers.
 */
public final class TriplesReader {
    /** Guard against absurd line lengths in untrusted input. */
    public static final int MAX_LINE_CHARS = 1 << 20;

    private TriplesReader() {}

    /** Train and test ratings over one pair of label indices; test is a users × items matrix like train's. */
    public record TriplesSplit(Interactions train, Csr test, long trainLines, long testLines) {}

    /** Raw parsed lines of one file. */
    private static final class Lines {
        String[] users = new String[1024];
        String[] items = new String[1024];
        float[] values = new float[1024];
        int n;

        void add(String u, String i, float v) {
            if (n == users.length) {
                int cap = IntList.grow(n);
                users = Arrays.copyOf(users, cap);
                items = Arrays.copyOf(items, cap);
                values = Arrays.copyOf(values, cap);
            }
            users[n] = u;
            items[n] = i;
            values[n] = v;
            n++;
        }
    }

    /** Reads one file of training triples (indexed on its own). */
    public static Interactions readTrain(Path train) throws IOException {
        return index(train, parse(train), new Lines()).train();
    }

    /** Reads a train and a test file and indexes them together. */
    public static TriplesSplit read(Path train, Path test) throws IOException {
        return index(train, parse(train), parse(test));
    }

    private static TriplesSplit index(Path train, Lines tr, Lines te) {
        if (tr.n == 0) {
            throw new InputFormatException(train, 0, null, "no ratings");
        }
        LabelDictionary ud = new LabelDictionary(1024);
        LabelDictionary id = new LabelDictionary(1024);
        IntList uFreq = new IntList(1024);
        IntList iFreq = new IntList(1024);
        int[][] trIds = intern(tr, ud, id, uFreq, iFreq);
        int[][] teIds = intern(te, ud, id, uFreq, iFreq);
        LabelIndex.Fit users = LabelIndex.fit(ud.labels(), uFreq.toArray());
        LabelIndex.Fit items = LabelIndex.fit(id.labels(), iFreq.toArray());
        Interactions trainI = Interactions.fromCoordinates(
                users.index(),
                items.index(),
                remap(trIds[0], users.idToIndex()),
                remap(trIds[1], items.idToIndex()),
                Arrays.copyOf(tr.values, tr.n));
        Csr testM = Csr.fromCoordinates(
                users.index().size(),
                items.index().size(),
                remap(teIds[0], users.idToIndex()),
                remap(teIds[1], items.idToIndex()),
                Arrays.copyOf(te.values, te.n));
        return new TriplesSplit(trainI, testM, tr.n, te.n);
    }

    /**
     * Test triples read against an existing model's label indices.
     *
     * @param pairs     users × items matrix of the lines whose user and item both have an index
     * @param lines     ratings read
     * @param coldLines lines whose user or item is unknown to the indices (cold start)
     */
    public record Against(Csr pairs, long lines, long coldLines) {}

    /** Reads a triples file and maps its labels through existing indices (e.g. a saved model's). */
    public static Against readAgainst(Path file, LabelIndex users, LabelIndex items) throws IOException {
        Lines l = parse(file);
        int[] u = new int[l.n];
        int[] i = new int[l.n];
        float[] v = new float[l.n];
        int m = 0;
        for (int q = 0; q < l.n; q++) {
            int uu = users.indexOf(l.users[q]);
            int ii = items.indexOf(l.items[q]);
            if (uu < users.size() && ii < items.size()) {
                u[m] = uu;
                i[m] = ii;
                v[m] = l.values[q];
                m++;
            }
        }
        Csr pairs = Csr.fromCoordinates(
                users.size(), items.size(), Arrays.copyOf(u, m), Arrays.copyOf(i, m), Arrays.copyOf(v, m));
        return new Against(pairs, l.n, l.n - m);
    }

    private static int[][] intern(Lines l, LabelDictionary ud, LabelDictionary id, IntList uf, IntList itf) {
        int[] u = new int[l.n];
        int[] i = new int[l.n];
        for (int q = 0; q < l.n; q++) {
            u[q] = bump(ud.intern(l.users[q]), uf);
            i[q] = bump(id.intern(l.items[q]), itf);
        }
        return new int[][] {u, i};
    }

    private static int bump(int id, IntList freq) {
        if (id == freq.size()) {
            freq.add(0);
        }
        freq.set(id, freq.get(id) + 1);
        return id;
    }

    private static int[] remap(int[] ids, int[] map) {
        int[] out = new int[ids.length];
        for (int q = 0; q < ids.length; q++) {
            out[q] = map[ids[q]];
        }
        return out;
    }

    private static Lines parse(Path file) throws IOException {
        ListeningsReader.checkReadable(file);
        Lines out = new Lines();
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteLines lines = new ByteLines(in);
            long no = 0;
            char sep = 0;
            boolean first = true;
            while (lines.next()) {
                no++;
                if (lines.tooLong) {
                    throw new InputFormatException(file, no, null, "line longer than " + MAX_LINE_CHARS + " bytes");
                }
                String line;
                try {
                    line = decoder.decode(java.nio.ByteBuffer.wrap(lines.buf, 0, lines.len))
                            .toString();
                } catch (CharacterCodingException e) {
                    throw new InputFormatException(file, no, null, "not valid UTF-8");
                }
                if (no == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                if (sep == 0) {
                    sep = line.indexOf('\t') >= 0 ? '\t' : line.indexOf(',') >= 0 ? ',' : ' ';
                }
                String[] f = split(line, sep);
                if (f.length < 3) {
                    throw new InputFormatException(
                            file,
                            no,
                            null,
                            "expected user, item and value separated by " + describe(sep) + ", found " + f.length
                                    + " field" + (f.length == 1 ? "" : "s"));
                }
                String text = f[2].strip();
                if (!DECIMAL.matcher(text).matches()) {
                    if (first && !NON_FINITE.matcher(text).matches()) { // a header line
                        first = false;
                        continue;
                    }
                    throw new InputFormatException(
                            file,
                            no,
                            "value",
                            "'" + f[2] + "' is not "
                                    + (NON_FINITE.matcher(text).matches() ? "a finite number" : "a decimal number"));
                }
                first = false;
                float v = Float.parseFloat(text);
                if (!Float.isFinite(v)) {
                    throw new InputFormatException(
                            file, no, "value", "'" + f[2] + "' is not a finite number" + " (beyond the float range)");
                }
                String u = sep == '\t' ? TextFields.unTsv(f[0]) : f[0].strip();
                String i = sep == '\t' ? TextFields.unTsv(f[1]) : f[1].strip();
                if (u.isEmpty() || i.isEmpty()) {
                    throw new InputFormatException(file, no, u.isEmpty() ? "user" : "item", "empty");
                }
                out.add(u, i, v);
            }
        }
        return out;
    }

    /** A plain decimal number (no hex, no {@code f}/{@code d} suffix, no NaN or Infinity). */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private static final Pattern NON_FINITE = Pattern.compile("(?i)[+-]?(nan|inf|infinity)");

    /** Reads LF- or CRLF-terminated lines as bytes, so a decoding error names its own line. */
    private static final class ByteLines {
        private final InputStream in;
        byte[] buf = new byte[256];
        int len;
        boolean tooLong;

        ByteLines(InputStream in) {
            this.in = in;
        }

        boolean next() throws IOException {
            len = 0;
            tooLong = false;
            int b = in.read();
            if (b < 0) {
                return false;
            }
            while (b >= 0 && b != '\n') {
                if (len == buf.length) {
                    if (len >= MAX_LINE_CHARS) {
                        tooLong = true;
                        return true;
                    }
                    buf = Arrays.copyOf(buf, Math.min(MAX_LINE_CHARS, len * 2));
                }
                buf[len++] = (byte) b;
                b = in.read();
            }
            if (len > 0 && buf[len - 1] == '\r') {
                len--;
            }
            return true;
        }
    }

    private static String describe(char sep) {
        return sep == '\t' ? "tabs" : sep == ',' ? "commas" : "spaces";
    }

    /** Splits on {@code sep}; for a space, runs of spaces count as one separator. */
    private static String[] split(String line, char sep) {
        if (sep == ' ') {
            return line.strip().split(" +");
        }
        return line.split(String.valueOf(sep), -1);
    }
}
