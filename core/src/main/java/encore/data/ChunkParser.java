package encore.data;

import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Parses the chunks of one listenings file, each into a {@link ChunkResult}: univocity reads the chunk's bytes through
 * {@link Utf8ChunkReader}, materializing only the required columns; each row is then either malformed (counted, and
 * fatal under {@link BadRowPolicy#FAIL}), dropped for a missing value, or kept, its labels interned into the parsing
 * thread's {@link WorkerDictionaries}. One instance serves every chunk and thread of a read.
 *
 * <p><b>Line accounting.</b> univocity counts the chunk's physical lines from 1, so file line = chunk line +
 * {@code firstLine - 1}. A row ends on the parser's current line and starts on the line after the previous row's end
 * (so its span also covers the blank lines skipped before it, which hold nothing to blame). Invalid UTF-8 is found by
 * the decoder, which records the chunk lines holding it; a row is invalid when one of them lies in its span.
 *
 * <p><b>FAIL.</b> The first malformed row of a chunk stops that chunk and lowers a shared "first failing line"; a
 * chunk stops as soon as it reaches a row past that line, since nothing after the first failure can change the
 * outcome. The reader then reports the first malformed row in file order.
 *
 * <p><b>Overlong rows.</b> univocity refuses a row of more than {@link ListeningsReader#MAX_COLUMNS} fields outright;
 * when that happens the chunk is parsed again with such rows blanked out by {@link OverlongRows} and counted as
 * malformed at their lines.
 */
final class ChunkParser {
    private static final DropReason[] MISSING = {
        DropReason.MISSING_USER_ID, DropReason.MISSING_TRACK, DropReason.MISSING_ARTIST, DropReason.MISSING_ALBUM
    };

    private final Path file;
    private final FileChannel ch;
    private final CsvHeader header;
    private final ItemKey key;
    private final boolean fail;
    private final boolean singleChunk;
    /** Under FAIL, the line of the first malformed row seen anywhere; chunks after it stop early. */
    private final AtomicLong firstFailLine = new AtomicLong(Long.MAX_VALUE);

    /**
     * A parser for the chunks of {@code ch}; messages name {@code file}. {@code singleChunk} says the plan is one
     * chunk, the only case where a quote may be left open (the planner keeps such files whole).
     */
    ChunkParser(Path file, FileChannel ch, CsvHeader header, IngestOptions opt, boolean singleChunk) {
        this.file = file;
        this.ch = ch;
        this.header = header;
        this.key = opt.itemKey();
        this.fail = opt.badRows() == BadRowPolicy.FAIL;
        this.singleChunk = singleChunk;
    }

    /** Parses chunk {@code c}, interning into {@code dicts}. */
    ChunkResult parse(ChunkPlanner.Chunk c, WorkerDictionaries dicts) throws IOException {
        long openQuoteLine = singleChunk ? unterminatedQuoteLine(c) : -1;
        try {
            return new Run(c, dicts, openQuoteLine, null).run();
        } catch (OverlongRowFound e) {
            // rare: a row the parser cannot hold; parse the chunk again without such rows (counted as bad)
            OverlongRows overlong = OverlongRows.scan(ch, c.start(), c.end(), ListeningsReader.MAX_COLUMNS);
            return new Run(c, dicts, openQuoteLine, overlong).run();
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

    /** Thrown by the first parse of a chunk that holds a row with more than {@code MAX_COLUMNS} fields. */
    private static final class OverlongRowFound extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OverlongRowFound() {
            super(null, null, false, false);
        }
    }

    /** One parse of one chunk: the parser, the result and the per-row state, allocated once per chunk. */
    private final class Run {
        private final ChunkResult res;
        private final CsvParser parser;
        private final Utf8ChunkReader reader;
        /** Chunk lines holding invalid UTF-8, ascending, as the decoder finds them. */
        private final IntList invalid;

        private final OverlongRows overlong;
        private final long openQuoteLine;
        private final long lineBase;
        private final int[] col;
        private final int maxFields;
        private final LabelDictionary users;
        private final LabelDictionary items;
        private int invalidCursor;
        /** Next overlong row to count. */
        private int ov;
        /** Chunk line where the previous row ended. */
        private long prevEnd;

        private String lastUser;
        private int lastUserId = -1;

        Run(ChunkPlanner.Chunk c, WorkerDictionaries dicts, long openQuoteLine, OverlongRows overlong) {
            this.res = new ChunkResult(dicts, c.end() - c.start());
            InputStream in = new FileRangeInputStream(ch, c.start(), c.end());
            if (overlong != null) {
                in = overlong.blank(in, c.start());
            }
            this.reader = new Utf8ChunkReader(in);
            this.parser = new CsvParser(CsvDialect.settings(header.required()));
            this.invalid = reader.invalidLines();
            this.overlong = overlong;
            this.openQuoteLine = openQuoteLine;
            this.lineBase = c.firstLine() - 1;
            this.col = header.required();
            this.maxFields = header.fieldCount();
            this.users = dicts.users;
            this.items = dicts.items;
        }

        ChunkResult run() {
            parser.beginParsing(reader);
            try {
                String[] r;
                while ((r = nextRow()) != null) {
                    long end = parser.getContext().currentLine();
                    if (overlong != null && (ov = flushOverlong(end)) < 0) {
                        break;
                    }
                    res.rowsRead++;
                    long start = prevEnd + 1;
                    prevEnd = end;
                    if (fail && lineBase + end > firstFailLine.get()) {
                        break; // an earlier chunk already failed; nothing after it matters
                    }
                    BadRow bad = malformed(r, start, end);
                    if (bad == null) {
                        keep(r);
                    } else if (stopsChunk(bad)) {
                        break;
                    }
                }
            } finally {
                parser.stopParsing();
            }
            return res;
        }

        /** The next row, or null at the end of the chunk (or at a quote left open, counted as malformed). */
        private String[] nextRow() {
            String[] r;
            try {
                r = parser.parseNext();
            } catch (TextParsingException e) {
                if (overlong == null && CsvDialect.tooManyFields(e)) {
                    throw new OverlongRowFound();
                }
                long line = lineBase + Math.max(prevEnd + 1, e.getLineIndex() + 1);
                if (openQuoteLine > 0) {
                    res.rowsRead++;
                    res.bad(unterminatedQuote());
                    return null;
                }
                throw new InputFormatException(file, line, null, CsvDialect.describe(e));
            }
            if (r == null && overlong != null) {
                flushOverlong(Long.MAX_VALUE);
            }
            return r;
        }

        /**
         * Counts the overlong rows that end before chunk line {@code before} as malformed, from {@link #ov} on;
         * returns the next one's position, or -1 when the policy is FAIL and one was found (the chunk stops there).
         */
        private int flushOverlong(long before) {
            OverlongRows o = overlong;
            int j = ov;
            while (j < o.count && o.lastLine[j] < before) {
                res.rowsRead++;
                BadRow bad = new BadRow(
                        lineBase + o.lastLine[j],
                        DropReason.TOO_MANY_FIELDS,
                        o.fields[j] + " fields, more than the " + ListeningsReader.MAX_COLUMNS + " a row may have");
                j++;
                if (stopsChunk(bad)) {
                    return -1;
                }
            }
            return j;
        }

        /** Why the row spanning chunk lines [{@code start}, {@code end}] is malformed, or null when it is not. */
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
