package encore.data;

import com.univocity.parsers.csv.CsvParser;

/**
 * What one parser thread owns and reuses across the chunks it parses: its label dictionaries (so each distinct label
 * is held once per thread, not once per chunk, and the merge interns few labels), the fast path's byte window, and
 * the reference parser for single rows, made on first use (a univocity parser allocates room for its longest field,
 * 16 Mi characters, up front: made once per thread instead of once per row).
 */
final class ChunkWorker {
    final ByteLabelDictionary users = new ByteLabelDictionary(1 << 12);
    final ByteLabelDictionary items = new ByteLabelDictionary(1 << 16);

    private final int[] select;
    private byte[] window;
    private CsvParser rowParser;

    /** A worker whose parsers materialise the columns {@code select}. */
    ChunkWorker(int[] select) {
        this.select = select;
    }

    /** The fast path's window: {@code bytes} bytes plus {@code pad} bytes of room after them, made once. */
    byte[] window(int bytes, int pad) {
        if (window == null) {
            window = new byte[bytes + pad];
        }
        return window;
    }

    /**
     * A reference parser: for a range of many rows a new one, as the reader always made one per chunk (input buffer
     * of 64 Ki characters); for one row the thread's own (1 Ki characters, since univocity allocates its input
     * buffer again at every {@code beginParsing}).
     */
    CsvParser parser(boolean oneRow) {
        if (!oneRow) {
            return new CsvParser(CsvDialect.settings(select, 1 << 16));
        }
        if (rowParser == null) {
            rowParser = new CsvParser(CsvDialect.settings(select, 1 << 10));
        }
        return rowParser;
    }

    /**
     * Forgets {@code p} after it threw mid-row: univocity does not reset all of a parser's row state when parsing
     * begins again (measured: the next row's first value was lost), so the next row gets a new one.
     */
    void discard(CsvParser p) {
        if (p == rowParser) {
            rowParser = null;
        }
    }
}
