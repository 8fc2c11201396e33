package encore.data;

import encore.matrix.Csr;

/**
 * Exact play counts per (user index, item index), grouped by user index, items ascending within a user — the
 * indexed, aggregated table the Spark ALS recipe feeds to ALS. Counts stay {@code int} here (exact, for files other
 * engines read); {@link #toInteractions()} gives the float CSR matrices the engines use.
 */
public final class IndexedPlays {
    private final LabelIndex users;
    private final LabelIndex items;
    private final int[] userPtr;
    private final int[] itemIdx;
    private final int[] counts;

    /** Wraps the given arrays (not copied) after checking that their lengths are consistent. */
    public IndexedPlays(LabelIndex users, LabelIndex items, int[] userPtr, int[] itemIdx, int[] counts) {
        if (userPtr.length != users.size() + 1
                || userPtr[users.size()] != itemIdx.length
                || itemIdx.length != counts.length) {
            throw new IllegalArgumentException("inconsistent play table");
        }
        this.users = users;
        this.items = items;
        this.userPtr = userPtr;
        this.itemIdx = itemIdx;
        this.counts = counts;
    }

    /**
     * Applies fitted indices to aggregated plays: each row moves to its user index with its items mapped to item
     * indices and sorted by them; rows in parallel blocks of user indices on {@code threads} threads (each block
     * writes its own part of the arrays).
     */
    static IndexedPlays of(PlayCounts pc, LabelIndex.Fit userFit, LabelIndex.Fit itemFit, int threads)
            throws java.io.IOException {
        int nUsers = pc.users();
        int[] uMap = userFit.idToIndex();
        int[] iMap = itemFit.idToIndex();
        int[] oldPtr = pc.userPtr();
        int[] oldItems = pc.itemsArray();
        int[] oldCounts = pc.countsArray();
        int[] idOf = new int[nUsers];
        int[] ptr = new int[nUsers + 1];
        for (int u = 0; u < nUsers; u++) {
            idOf[uMap[u]] = u;
            ptr[uMap[u] + 1] = oldPtr[u + 1] - oldPtr[u];
        }
        for (int v = 0; v < nUsers; v++) {
            ptr[v + 1] += ptr[v];
        }
        int[] items = new int[oldItems.length];
        int[] counts = new int[oldItems.length];
        int blocks = Math.max(1, Math.min(nUsers, threads * 8));
        encore.internal.Parallel.forEach(threads, blocks, b -> {
            long[] packed = new long[256];
            int from = (int) ((long) nUsers * b / blocks);
            int to = (int) ((long) nUsers * (b + 1) / blocks);
            for (int v = from; v < to; v++) {
                int u = idOf[v];
                int at = ptr[v];
                if (ptr[v + 1] - at > packed.length) {
                    packed = new long[ptr[v + 1] - at];
                }
                for (int k = oldPtr[u], end = oldPtr[u + 1]; k < end; k++, at++) {
                    items[at] = iMap[oldItems[k]];
                    counts[at] = oldCounts[k];
                }
                PlayCounts.sortRowByItem(items, counts, ptr[v], ptr[v + 1], packed);
            }
        });
        return new IndexedPlays(userFit.index(), itemFit.index(), ptr, items, counts);
    }

    /** The user labels by index. */
    public LabelIndex users() {
        return users;
    }

    /** The item labels by index. */
    public LabelIndex items() {
        return items;
    }

    /** Number of (user, item) pairs. */
    public int pairs() {
        return itemIdx.length;
    }

    /** Sum of all play counts. */
    public long plays() {
        long s = 0;
        for (int c : counts) {
            s += c;
        }
        return s;
    }

    /** Offset of user {@code user}'s first entry. */
    public int rowStart(int user) {
        return userPtr[user];
    }

    /** Offset one past user {@code user}'s last entry. */
    public int rowEnd(int user) {
        return userPtr[user + 1];
    }

    /** Item index of entry {@code k}. */
    public int item(int k) {
        return itemIdx[k];
    }

    /** Play count of entry {@code k}. */
    public int count(int k) {
        return counts[k];
    }

    /** The play count of (user, item), or 0. */
    public int count(int user, int item) {
        int lo = userPtr[user];
        int hi = userPtr[user + 1] - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int v = itemIdx[mid];
            if (v < item) {
                lo = mid + 1;
            } else if (v > item) {
                hi = mid - 1;
            } else {
                return counts[mid];
            }
        }
        return 0;
    }

    /** Keeps the entries whose {@code keep[k]} is true (same label indices). */
    IndexedPlays select(boolean[] keep, boolean want) {
        int nUsers = users.size();
        int[] ptr = new int[nUsers + 1];
        int m = 0;
        for (boolean b : keep) {
            if (b == want) {
                m++;
            }
        }
        int[] it = new int[m];
        int[] ct = new int[m];
        int at = 0;
        for (int u = 0; u < nUsers; u++) {
            for (int k = userPtr[u]; k < userPtr[u + 1]; k++) {
                if (keep[k] == want) {
                    it[at] = itemIdx[k];
                    ct[at] = counts[k];
                    at++;
                }
            }
            ptr[u + 1] = at;
        }
        return new IndexedPlays(users, items, ptr, it, ct);
    }

    /** The entries whose {@code test[k]} is false (train) and those whose it is true (test), in one pass. */
    Split partition(boolean[] test) {
        int nUsers = users.size();
        int m = 0;
        for (boolean b : test) {
            if (b) {
                m++;
            }
        }
        int[] trPtr = new int[nUsers + 1];
        int[] trIt = new int[test.length - m];
        int[] trCt = new int[test.length - m];
        int[] tePtr = new int[nUsers + 1];
        int[] teIt = new int[m];
        int[] teCt = new int[m];
        int tr = 0;
        int te = 0;
        for (int u = 0; u < nUsers; u++) {
            for (int k = userPtr[u], end = userPtr[u + 1]; k < end; k++) {
                if (test[k]) {
                    teIt[te] = itemIdx[k];
                    teCt[te++] = counts[k];
                } else {
                    trIt[tr] = itemIdx[k];
                    trCt[tr++] = counts[k];
                }
            }
            trPtr[u + 1] = tr;
            tePtr[u + 1] = te;
        }
        return new Split(
                new IndexedPlays(users, items, trPtr, trIt, trCt), new IndexedPlays(users, items, tePtr, teIt, teCt));
    }

    /** The user×item and item×user CSR matrices with counts as float values. */
    public Interactions toInteractions() {
        Csr ui = toUserItems();
        return new Interactions(users, items, ui, ui.transpose());
    }

    /** Only the user×item CSR with counts as float values (no transpose), e.g. for a test set. */
    public Csr toUserItems() {
        float[] v = new float[counts.length];
        for (int k = 0; k < v.length; k++) {
            v[k] = counts[k];
        }
        return new Csr(users.size(), items.size(), userPtr.clone(), itemIdx.clone(), v);
    }
}
