package encore.data;

import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParser;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Parses the chunks of one listenings file, each into a {@link ChunkResult}. One instance serves every chunk and
 * thread of a read; each thread brings its {@link ChunkWorker} (dictionaries, buffers, parsers).
 *
 * <p><b>Two parsers, one answer.</b> The byte-level fast path ({@link FastRows}) reads the rows it can decide exactly
 * — the common case: unquoted or plainly quoted fields of valid UTF-8, no control characters — and hands every other
 * row to the <em>reference parser</em>, univocity-parsers, as this class always did: univocity reads the bytes
 * through {@link Utf8ChunkReader}, materializing only the required columns. {@link FastPath} says whether the fast
 * path is on.
 *
 * <p><b>A row's fate.</b> Each row is either malformed (counted, and fatal under {@link BadRowPolicy#FAIL}), dropped
 * for a missing value, or kept, its labels interned into the thread's dictionaries.
 *
 * <p><b>Line accounting.</b> univocity counts the physical lines of what it is given from 1, so file line = its line
 * + {@code firstLine - 2} (line 1 is the primer row, see {@link Span}). A row ends on
 * the parser's current line and starts on the line after the previous row's end (so its span also covers the blank
 * lines skipped before it, which hold nothing to blame). Invalid UTF-8 is found by the decoder, which records the
 * lines holding it; a row is invalid when one of them lies in its span.
 *
 * <p><b>FAIL.</b> The first malformed row of a chunk stops that chunk and lowers a shared "first failing line"; a
 * chunk stops as soon as it reaches a row past that line, since nothing after the first failure can change the
 * outcome. The reader then reports the first malformed row in file order.
 *
 * <p><b>Overlong rows.</b> univocity refuses a row of more than {@link ListeningsReader#MAX_COLUMNS} fields outright;
 * when that happens the span is parsed again with such rows blanked out by {@link OverlongRows} and counted as
 * malformed at their lines.
 */
final class ChunkParser {
    static final DropReason[] MISSING = {
        DropReason.MISSING_USER_ID, DropReason.MISSING_TRACK, DropReason.MISSING_ARTIST, DropReason.MISSING_ALBUM
    };
    /** The row put in front of every span: see {@link Span}. */
    private static final byte[] PRIMER = {'x', '\n'};

    final Path file;
    final FileChannel ch;
    final CsvHeader header;
    final ItemKey key;
    final boolean fail;
    private final boolean singleChunk;
    private final FastPath fastPath;
    /** Under FAIL, the line of the first malformed row seen anywhere; chunks after it stop early. */
    final AtomicLong firstFailLine = new AtomicLong(Long.MAX_VALUE);

    /**
     * A byte range of the file that starts at a row start, for the reference parser: [{@code start}, {@code end}),
     * whose first line is {@code firstLine}; its bytes are read from the file, or taken from {@code bytes} at
     * {@code offset} when not null (one row the fast path already holds).
     *
     * <p>univocity remembers two things of the very start of its input: it drops a byte-order mark there, and the
     * first row's field count becomes the least length of every later row (so after a first row of six fields every
     * five-field row would read as six fields, too many). Each span is therefore given to it behind a one-field
     * primer row {@code x}, which is read and discarded: no row of the file is ever univocity's first, and a row
     * reads the same wherever a span or a chunk starts.
     */
    record Span(long start, long end, long firstLine, byte[] bytes, int offset) {}

    /**
     * A parser for the chunks of {@code ch}; messages name {@code file}. {@code singleChunk} says the plan is one
     * chunk, the only case where a quote may be left open (the planner keeps such files whole); {@code fastPath}
     * whether the byte-level fast path reads the rows it can.
     */
    ChunkParser(
            Path file, FileChannel ch, CsvHeader header, IngestOptions opt, boolean singleChunk, FastPath fastPath) {
        this.file = file;
        this.ch = ch;
        this.header = header;
        this.key = opt.itemKey();
        this.fail = opt.badRows() == BadRowPolicy.FAIL;
        this.singleChunk = singleChunk;
        this.fastPath = fastPath;
    }

    /** Parses chunk {@code c}, interning into {@code w}'s dictionaries. */
    ChunkResult parse(ChunkPlanner.Chunk c, ChunkWorker w) throws IOException {
        long openQuoteLine = singleChunk ? unterminatedQuoteLine(c) : -1;
        ChunkResult res = new ChunkResult(w, c.end() - c.start());
        if (fastPath.enabled()) {
            new FastRows(this, c, res, openQuoteLine, fastPath.window()).run();
        } else {
            reference(new Span(c.start(), c.end(), c.firstLine(), null, 0), res, openQuoteLine);
        }
        return res;
    }

    /**
     * Parses span {@code s} with univocity, adding its rows to {@code res}; false when the chunk stops there (under
     * FAIL, or at a quote left open), true when the rows after the span are to be read.
     */
    boolean reference(Span s, ChunkResult res, long openQuoteLine) throws IOException {
        ChunkResult.Mark before = res.mark();
        try {
            return new Run(s, res, openQuoteLine, null).run();
        } catch (OverlongRowFound e) {
            // rare: a row the parser cannot hold; parse the span again without such rows (counted as bad)
            res.reset(before);
            OverlongRows overlong = OverlongRows.scan(ch, s.start(), s.end(), ListeningsReader.MAX_COLUMNS);
            return new Run(s, res, openQuoteLine, overlong).run();
        }
    }

    /**
     * The 1-based line where a quoted field opens that never closes before the end of {@code c}, or -1. Follows
     * RFC-4180 the way univocity reads it: a quote opens a quoted field only at the start of a field.
     */
    private long unterminatedQuoteLine(ChunkPlanner.Chunk c) throws IOException {
        int state = CsvBytes.FIELD_START;
        long line = c.firstLine();
        long openLine = -1;
        byte[] buf = new byte[1 << 16];
        long pos = c.start();
        while (pos < c.end()) {
            int n = ListeningsReader.readAt(ch, buf, pos, (int) Math.min(buf.length, c.end() - pos));
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                int next = CsvBytes.next(state, b);
                if (next == CsvBytes.QUOTED && state == CsvBytes.FIELD_START) {
                    openLine = line;
                }
                state = next;
                if (b == '\n') {
                    line++;
                }
            }
            pos += n;
        }
        return state == CsvBytes.QUOTED ? openLine : -1;
    }

    /** Thrown by the first parse of a span that holds a row with more than {@code MAX_COLUMNS} fields. */
    private static final class OverlongRowFound extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OverlongRowFound() {
            super(null, null, false, false);
        }
    }

    /** One parse of one span by univocity: the parser, the per-row state and where rows go. */
    private final class Run {
        private final ChunkResult res;
        private final CsvParser parser;
        private final Utf8ChunkReader reader;
        /** Lines holding invalid UTF-8 (in the parser's numbering), ascending, as the decoder finds them. */
        private final IntList invalid;

        private final OverlongRows overlong;
        private final long openQuoteLine;
        /** File line = parser line + lineBase. */
        private final long lineBase;

        private final int[] col;
        private final int maxFields;
        private final ByteLabelDictionary users;
        private final ByteLabelDictionary items;
        private int invalidCursor;
        /** Next overlong row to count. */
        private int ov;
        /** Parser line where the previous row ended. */
        private long prevEnd;
        /** Set when the chunk is to stop after this span. */
        private boolean stopped;

        private String lastUser;
        private int lastUserId = -1;

        Run(Span s, ChunkResult res, long openQuoteLine, OverlongRows overlong) {
            this.res = res;
            boolean oneRow = s.bytes() != null;
            InputStream in = oneRow
                    ? new ByteArrayInputStream(s.bytes(), s.offset(), (int) (s.end() - s.start()))
                    : new FileRangeInputStream(ch, s.start(), s.end());
            if (overlong != null) {
                in = overlong.blank(in, s.start());
            }
            in = new SequenceInputStream(new ByteArrayInputStream(PRIMER), in);
            this.reader = new Utf8ChunkReader(in, oneRow ? 1 << 10 : Utf8ChunkReader.WINDOW);
            this.parser = res.worker.parser(oneRow);
            this.invalid = reader.invalidLines();
            this.overlong = overlong;
            this.openQuoteLine = openQuoteLine;
            this.lineBase = s.firstLine() - 2; // the primer is parser line 1
            this.col = header.required();
            this.maxFields = header.fieldCount();
            this.users = res.worker.users;
            this.items = res.worker.items;
        }

        /** Parses the span; false when the chunk stops here. */
        boolean run() {
            parser.beginParsing(reader);
            try {
                parser.parseNext(); // the primer
                prevEnd = 1;
                String[] r;
                while ((r = nextRow()) != null) {
                    long end = parser.getContext().currentLine();
                    if (overlong != null && (ov = flushOverlong(end)) < 0) {
                        return false;
                    }
                    res.rowsRead++;
                    long start = prevEnd + 1;
                    prevEnd = end;
                    if (fail && lineBase + end > firstFailLine.get()) {
                        return false; // an earlier chunk already failed; nothing after it matters
                    }
                    BadRow bad = malformed(r, start, end);
                    if (bad == null) {
                        keep(r);
                    } else if (stopsChunk(bad)) {
                        return false;
                    }
                }
                return !stopped;
            } finally {
                parser.stopParsing();
            }
        }

        /** The next row, or null at the end of the span (or at a quote left open, counted as malformed). */
        private String[] nextRow() {
            String[] r;
            try {
                r = parser.parseNext();
            } catch (TextParsingException e) {
                res.worker.discard(parser);
                if (overlong == null && CsvDialect.tooManyFields(e)) {
                    throw new OverlongRowFound();
                }
                long line = lineBase + Math.max(prevEnd + 1, e.getLineIndex() + 1);
                if (openQuoteLine > 0) {
                    res.rowsRead++;
                    res.bad(unterminatedQuote());
                    stopped = true;
                    return null;
                }
                throw new InputFormatException(file, line, null, CsvDialect.describe(e));
            }
            if (r == null && overlong != null && flushOverlong(Long.MAX_VALUE) < 0) {
                stopped = true;
            }
            return r;
        }

        /**
         * Counts the overlong rows that end before parser line {@code before} as malformed, from {@link #ov} on;
         * returns the next one's position, or -1 when the policy is FAIL and one was found (the chunk stops there).
         */
        private int flushOverlong(long before) {
            OverlongRows o = overlong;
            int j = ov;
            while (j < o.count && o.lastLine[j] + 1 < before) {
                res.rowsRead++;
                BadRow bad = new BadRow(
                        lineBase + 1 + o.lastLine[j],
                        DropReason.TOO_MANY_FIELDS,
                        o.fields[j] + " fields, more than the " + ListeningsReader.MAX_COLUMNS + " a row may have");
                j++;
                if (stopsChunk(bad)) {
                    return -1;
                }
            }
            return j;
        }

        /** Why the row spanning parser lines [{@code start}, {@code end}] is malformed, or null when it is not. */
        private BadRow malformed(String[] r, long start, long end) {
            if (openQuoteLine > 0 && lineBase + end >= openQuoteLine && lineBase + start <= openQuoteLine) {
                return unterminatedQuote();
            }
            if (r.length > maxFields) {
                return new BadRow(
                        lineBase + end, DropReason.TOO_MANY_FIELDS, r.length + " fields, the header has " + maxFields);
            }
            while (invalidCursor < invalid.size() && invalid.get(invalidCursor) < start) {
                invalidCursor++;
            }
            if (invalidCursor < invalid.size() && invalid.get(invalidCursor) <= end) {
                return new BadRow(
                        lineBase + invalid.get(invalidCursor), DropReason.INVALID_UTF8, fieldWithReplacement(r));
            }
            return null;
        }

        private BadRow unterminatedQuote() {
            return new BadRow(openQuoteLine, DropReason.UNTERMINATED_QUOTE, "quote opened here never closes");
        }

        /** Counts a malformed row; under FAIL also records its line and returns true: the chunk stops here. */
        private boolean stopsChunk(BadRow bad) {
            res.bad(bad);
            if (fail) {
                firstFailLine.accumulateAndGet(bad.line(), Math::min);
                return true;
            }
            return false;
        }

        /** Keeps a well-formed row, or drops it when a required value is missing (an empty field is null). */
        private void keep(String[] r) {
            String user = get(r, col[0]);
            String track = get(r, col[1]);
            String artist = get(r, col[2]);
            String album = get(r, col[3]);
            DropReason missing = user == null
                    ? MISSING[0]
                    : track == null ? MISSING[1] : artist == null ? MISSING[2] : album == null ? MISSING[3] : null;
            if (missing != null) {
                res.dropped[missing.ordinal()]++;
                return;
            }
            res.rowUser.add(userId(user));
            res.rowItem.add(items.intern(key.label(track, artist, album)));
        }

        /** The user's id; rows come grouped by user in most files, so the previous row's user is tried first. */
        private int userId(String user) {
            if (!user.equals(lastUser)) {
                lastUserId = users.intern(user);
                lastUser = user;
            }
            return lastUserId;
        }

        /** The name of the first required field holding a replacement character: where the invalid UTF-8 was. */
        private String fieldWithReplacement(String[] r) {
            for (int i = 0; i < col.length; i++) {
                String v = col[i] < r.length ? r[col[i]] : null;
                if (v != null && v.indexOf('\uFFFD') >= 0) {
                    return "in field '" + ListeningsReader.REQUIRED_COLUMNS.get(i) + "'";
                }
            }
            return "in an unread field";
        }
    }

    /** Field {@code c} of row {@code r}, null when absent or empty. */
    private static String get(String[] r, int c) {
        if (c >= r.length) {
            return null;
        }
        String v = r[c];
        return v == null || v.isEmpty() ? null : v;
    }
}
