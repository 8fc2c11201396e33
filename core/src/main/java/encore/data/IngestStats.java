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
    public IngestStats {
        dropped = dropped.clone();
        badRows = List.copyOf(badRows);
    }

    public long dropped(DropReason r) {
        return dropped[r.ordinal()];
    }

    public long droppedTotal() {
        long s = 0;
        for (long d : dropped) {
            s += d;
        }
        return s;
    }

    public long malformedTotal() {
        long s = 0;
        for (DropReason r : DropReason.values()) {
            if (r.malformed()) {
                s += dropped[r.ordinal()];
            }
        }
        return s;
    }

    public long rowsKept() {
        return rowsRead - droppedTotal();
    }

    @Override
    public long[] dropped() {
        return dropped.clone();
    }
}
