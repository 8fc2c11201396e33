package encore.data;

import java.util.ArrayList;
import java.util.List;

/** What one chunk produced; ids are those of the dictionaries of the thread that parsed it. */
final class ChunkResult {
    final ChunkWorker worker;
    /** User and item id of each kept row, in file order. */
    final IntList rowUser;

    final IntList rowItem;
    /** Rows dropped, indexed by {@link DropReason#ordinal()}. */
    final long[] dropped = new long[DropReason.values().length];
    /** The chunk's first {@link ListeningsReader#BAD_ROW_SAMPLES} malformed rows, in file order. */
    final List<BadRow> badRows = new ArrayList<>();

    long rowsRead;

    /** An empty result for a chunk of {@code bytes} bytes (row lists sized for about 60 bytes a row). */
    ChunkResult(ChunkWorker worker, long bytes) {
        this.worker = worker;
        int guess = (int) Math.min(Integer.MAX_VALUE - 16, Math.max(1024, bytes / 60));
        rowUser = new IntList(guess);
        rowItem = new IntList(guess);
    }

    /** Counts a malformed row and keeps it as a sample while there are fewer than the limit. */
    void bad(BadRow row) {
        dropped[row.reason().ordinal()]++;
        if (badRows.size() < ListeningsReader.BAD_ROW_SAMPLES) {
            badRows.add(row);
        }
    }

    /** What the result holds now, to go back to with {@link #reset}. */
    Mark mark() {
        return new Mark(rowsRead, dropped.clone(), badRows.size(), rowUser.size());
    }

    /** Forgets every row counted since {@code m} was taken. */
    void reset(Mark m) {
        rowsRead = m.rowsRead;
        System.arraycopy(m.dropped, 0, dropped, 0, dropped.length);
        badRows.subList(m.badRows, badRows.size()).clear();
        rowUser.truncate(m.kept);
        rowItem.truncate(m.kept);
    }

    /** A point in the result's history: its counts then. */
    record Mark(long rowsRead, long[] dropped, int badRows, int kept) {}
}
