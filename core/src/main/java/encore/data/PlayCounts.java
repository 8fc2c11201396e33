package encore.data;

import java.io.IOException;
import java.util.Arrays;

/**
 * Play counts per distinct (user, item) pair — the recipe's {@code groupBy(user_id, track).count()} — grouped by user,
 * in the reader's first-seen id spaces (not yet indexed). Row {@code u} holds the items of user {@code u} in ascending
 * id order with their counts.
 */
public final class PlayCounts {
    private final String[] userLabels;
    private final String[] itemLabels;
    private final int[] userPtr;
    private final int[] items;
    private final int[] counts;

    PlayCounts(String[] userLabels, String[] itemLabels, int[] userPtr, int[] items, int[] counts) {
        this.userLabels = userLabels;
        this.itemLabels = itemLabels;
        this.userPtr = userPtr;
        this.items = items;
        this.counts = counts;
    }

    /**
     * Aggregates raw rows: a counting sort of rows by user, then each user's items sorted and run-length counted.
     * Users are processed on {@code threads} threads; the result does not depend on it.
     */
    public static PlayCounts aggregate(RawPlays raw, int threads) throws IOException {
        int nUsers = raw.userLabels().length;
        int[] rowUser = raw.rowUser();
        int[] rowItem = raw.rowItem();
        int n = rowUser.length;
        int[] ptr = new int[nUsers + 1];
        for (int i = 0; i < n; i++) {
            ptr[rowUser[i] + 1]++;
        }
        for (int u = 0; u < nUsers; u++) {
            ptr[u + 1] += ptr[u];
        }
        int[] byUser = new int[n];
        int[] fill = Arrays.copyOf(ptr, nUsers);
        for (int i = 0; i < n; i++) {
            byUser[fill[rowUser[i]]++] = rowItem[i];
        }
        fill = null;
        // sort each user's items and count distinct ones
        int[] distinct = new int[nUsers + 1];
        int blocks = Math.max(1, Math.min(nUsers, threads * 8));
        encore.internal.Parallel.forEach(threads, blocks, b -> {
            int from = (int) ((long) nUsers * b / blocks);
            int to = (int) ((long) nUsers * (b + 1) / blocks);
            for (int u = from; u < to; u++) {
                int s = ptr[u];
                int e = ptr[u + 1];
                Arrays.sort(byUser, s, e);
                int d = 0;
                for (int i = s; i < e; i++) {
                    if (i == s || byUser[i] != byUser[i - 1]) {
                        d++;
                    }
                }
                distinct[u + 1] = d;
            }
        });
        for (int u = 0; u < nUsers; u++) {
            distinct[u + 1] += distinct[u];
        }
        int pairs = distinct[nUsers];
        int[] items = new int[pairs];
        int[] counts = new int[pairs];
        encore.internal.Parallel.forEach(threads, blocks, b -> {
            int from = (int) ((long) nUsers * b / blocks);
            int to = (int) ((long) nUsers * (b + 1) / blocks);
            for (int u = from; u < to; u++) {
                int at = distinct[u] - 1;
                for (int i = ptr[u]; i < ptr[u + 1]; i++) {
                    if (i == ptr[u] || byUser[i] != byUser[i - 1]) {
                        at++;
                        items[at] = byUser[i];
                    }
                    counts[at]++;
                }
            }
        });
        return new PlayCounts(raw.userLabels(), raw.itemLabels(), distinct, items, counts);
    }

    /**
     * The seed's {@code orderBy(user_id).limit(n)} on the aggregated pairs: pairs ordered by user label, then (a tie
     * Spark leaves unspecified, fixed here) by item label, both by {@link String#compareTo}; the first {@code n}
     * kept. Users and items that lose all their pairs disappear.
     */
    public PlayCounts limit(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("limit must be >= 0, got " + n);
        }
        if (n >= pairs()) {
            return this;
        }
        int nUsers = users();
        int[] userOrder = identity(nUsers);
        IntSort.sort(userOrder, 0, nUsers, (a, b) -> userLabels[a].compareTo(userLabels[b]));
        IntList keepUsers = new IntList(1024);
        IntList keepItemsOld = new IntList(1024);
        IntList keepCounts = new IntList(1024);
        IntList newPtr = new IntList(1024);
        newPtr.add(0);
        long left = n;
        for (int k = 0; k < nUsers && left > 0; k++) {
            int u = userOrder[k];
            int s = userPtr[u];
            int len = userPtr[u + 1] - s;
            int[] row = new int[len];
            for (int i = 0; i < len; i++) {
                row[i] = s + i; // positions into items/counts
            }
            IntSort.sort(row, 0, len, (a, b) -> itemLabels[items[a]].compareTo(itemLabels[items[b]]));
            int take = (int) Math.min(len, left);
            keepUsers.add(u);
            for (int i = 0; i < take; i++) {
                keepItemsOld.add(items[row[i]]);
                keepCounts.add(counts[row[i]]);
            }
            newPtr.add(keepItemsOld.size());
            left -= take;
        }
        // re-id items densely in first-seen order; rows must then be re-sorted by the new ids
        int[] itemMap = new int[itemLabels.length];
        Arrays.fill(itemMap, -1);
        IntList newItemLabelsIdx = new IntList(1024);
        int m = keepItemsOld.size();
        int[] newItems = new int[m];
        for (int i = 0; i < m; i++) {
            int old = keepItemsOld.get(i);
            if (itemMap[old] < 0) {
                itemMap[old] = newItemLabelsIdx.size();
                newItemLabelsIdx.add(old);
            }
            newItems[i] = itemMap[old];
        }
        int[] newCounts = keepCounts.toArray();
        int[] ptr = newPtr.toArray();
        for (int u = 0; u + 1 < ptr.length; u++) {
            sortRowByItem(newItems, newCounts, ptr[u], ptr[u + 1]);
        }
        String[] uLabels = new String[keepUsers.size()];
        for (int i = 0; i < uLabels.length; i++) {
            uLabels[i] = userLabels[keepUsers.get(i)];
        }
        String[] iLabels = new String[newItemLabelsIdx.size()];
        for (int i = 0; i < iLabels.length; i++) {
            iLabels[i] = itemLabels[newItemLabelsIdx.get(i)];
        }
        return new PlayCounts(uLabels, iLabels, ptr, newItems, newCounts);
    }

    /** Sorts entries [s, e) of a row by item id, carrying the counts along. */
    static void sortRowByItem(int[] items, int[] counts, int s, int e) {
        int len = e - s;
        if (len < 2) {
            return;
        }
        long[] packed = new long[len];
        for (int i = 0; i < len; i++) {
            packed[i] = ((long) items[s + i] << 32) | (counts[s + i] & 0xFFFFFFFFL);
        }
        Arrays.sort(packed);
        for (int i = 0; i < len; i++) {
            items[s + i] = (int) (packed[i] >>> 32);
            counts[s + i] = (int) packed[i];
        }
    }

    static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /** Number of users (first-seen user ids). */
    public int users() {
        return userLabels.length;
    }

    /** Number of items (first-seen item ids). */
    public int items() {
        return itemLabels.length;
    }

    /** Number of distinct (user, item) pairs. */
    public int pairs() {
        return items.length;
    }

    /** Sum of all counts (the number of kept rows). */
    public long plays() {
        long s = 0;
        for (int c : counts) {
            s += c;
        }
        return s;
    }

    /** The label of user id {@code u}. */
    public String userLabel(int u) {
        return userLabels[u];
    }

    /** The label of item id {@code i}. */
    public String itemLabel(int i) {
        return itemLabels[i];
    }

    String[] userLabels() {
        return userLabels;
    }

    String[] itemLabels() {
        return itemLabels;
    }

    int[] userPtr() {
        return userPtr;
    }

    int[] itemsArray() {
        return items;
    }

    int[] countsArray() {
        return counts;
    }

    /** Distinct items per user (the StringIndexer frequency of each user label). */
    int[] userFrequencies() {
        int[] f = new int[users()];
        for (int u = 0; u < f.length; u++) {
            f[u] = userPtr[u + 1] - userPtr[u];
        }
        return f;
    }

    /** Distinct users per item (the StringIndexer frequency of each item label). */
    int[] itemFrequencies() {
        int[] f = new int[items()];
        for (int it : items) {
            f[it]++;
        }
        return f;
    }
}
