package encore.data;

import java.util.List;

/**
 * What the reader saw.
 *
 * @param bytes       file size in bytes
 * @param rowsRead    data rows (header and blank lines excluded)
 * @param dropped     rows dropped, indexed by {@link DropReason#ordinal()}
 * @param badRows     the first few malformed rows, in file order
 * @param chunks      parallel chunks the file was parsed in
 */
public record IngestStats(long bytes, long rowsRead, long[] dropped, List<BadRow> badRows, int chunks) {
    /** Copies {@code dropped} and {@code badRows} so the record cannot be changed from outside. */
    public IngestStats {
        dropped = dropped.clone();
        badRows = List.copyOf(badRows);
    }

    /** Rows dropped for reason {@code r}. */
    public long dropped(DropReason r) {
        return dropped[r.ordinal()];
    }

    /** Rows dropped for any reason. */
    public long droppedTotal() {
        long s = 0;
        for (long d : dropped) {
            s += d;
        }
        return s;
    }

    /** Rows dropped as malformed (see {@link DropReason#malformed()}). */
    public long malformedTotal() {
        long s = 0;
        for (DropReason r : DropReason.values()) {
            if (r.malformed()) {
                s += dropped[r.ordinal()];
            }
        }
        return s;
    }

    /** Rows kept: rows read minus rows dropped. */
    public long rowsKept() {
        return rowsRead - droppedTotal();
    }

    /** A copy of the drop counts, indexed by {@link DropReason#ordinal()}. */
    @Override
    public long[] dropped() {
        return dropped.clone();
    }
}
