package encore.data;

import java.io.IOException;
import java.util.Arrays;

/**
 * Play counts per distinct (user, item) pair — the recipe's {@code groupBy(user_id, track).count()} — grouped by user,
 * in the reader's first-seen id spaces (not yet indexed). Row {@code u} holds the distinct items of user {@code u}
 * with their counts, in the order the user first played them.
 */
public final class PlayCounts {
    /** Users per parallel block of {@link #aggregate}, at least. */
    private static final int MIN_BLOCK_USERS = 256;

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
     * Aggregates raw rows. Each user's rows are found first: listening logs come grouped by user, and then each
     * user's rows are one run of the row arrays, used where they are; otherwise a counting sort by user gathers them.
     * Each user's distinct items are then counted with a small hash table (no sort: the row order within a user is
     * first-played order), in two passes (count, then write), users in parallel blocks on {@code threads} threads.
     * The result does not depend on the thread count.
     */
    public static PlayCounts aggregate(RawPlays raw, int threads) throws IOException {
        int nUsers = raw.userLabels().length;
        int[] rowUser = raw.rowUser();
        int[] rowItem = raw.rowItem();
        int[] first = new int[nUsers];
        int[] count = new int[nUsers];
        int[] src = grouped(rowUser, first, count) ? rowItem : gatherByUser(rowUser, rowItem, first, count);
        int[] distinct = new int[nUsers + 1];
        int blocks = Math.max(1, Math.min(threads * 8, (nUsers + MIN_BLOCK_USERS - 1) / MIN_BLOCK_USERS));
        encore.internal.Parallel.forEach(threads, blocks, b -> {
            Dedup d = new Dedup();
            for (int u = (int) ((long) nUsers * b / blocks), to = (int) ((long) nUsers * (b + 1) / blocks);
                    u < to;
                    u++) {
                distinct[u + 1] = d.count(src, first[u], count[u]);
            }
        });
        for (int u = 0; u < nUsers; u++) {
            distinct[u + 1] += distinct[u];
        }
        int pairs = distinct[nUsers];
        int[] items = new int[pairs];
        int[] counts = new int[pairs];
        encore.internal.Parallel.forEach(threads, blocks, b -> {
            Dedup d = new Dedup();
            for (int u = (int) ((long) nUsers * b / blocks), to = (int) ((long) nUsers * (b + 1) / blocks);
                    u < to;
                    u++) {
                d.write(src, first[u], count[u], items, counts, distinct[u]);
            }
        });
        return new PlayCounts(raw.userLabels(), raw.itemLabels(), distinct, items, counts);
    }

    /**
     * Whether each user's rows form one run of {@code rowUser}; if so {@code first[u]} and {@code count[u]} say where
     * (both are filled either way, {@code first} only meaningful when true).
     */
    private static boolean grouped(int[] rowUser, int[] first, int[] count) {
        Arrays.fill(first, -1);
        boolean grouped = true;
        int prev = -1;
        for (int i = 0; i < rowUser.length; i++) {
            int u = rowUser[i];
            if (u != prev) {
                if (first[u] >= 0) {
                    grouped = false;
                } else {
                    first[u] = i;
                }
                prev = u;
            }
            count[u]++;
        }
        return grouped;
    }

    /** A counting sort of the rows' items by user; sets {@code first[u]} to where user u's items start. */
    private static int[] gatherByUser(int[] rowUser, int[] rowItem, int[] first, int[] count) {
        int at = 0;
        for (int u = 0; u < first.length; u++) {
            first[u] = at;
            at += count[u];
        }
        int[] byUser = new int[rowUser.length];
        int[] fill = first.clone();
        for (int i = 0; i < rowUser.length; i++) {
            byUser[fill[rowUser[i]]++] = rowItem[i];
        }
        return byUser;
    }

    /**
     * The distinct items of one user's rows, with an open-addressing table (load ≤ 1/2) reused from user to user: a
     * slot is live when its stamp is the current user's, so nothing is cleared between users.
     */
    private static final class Dedup {
        private int[] keys = new int[1024];
        private int[] where = new int[1024];
        private int[] stamp = new int[1024];
        private int gen;
        /** 32 − log2(capacity): the home slot is the top bits of a multiplicative hash. */
        private int shift = 22;

        /** Prepares the table for {@code rows} rows (a new generation). */
        private int begin(int rows) {
            if (rows * 2 > keys.length) {
                int cap = Integer.highestOneBit(Math.max(1024, rows * 2 - 1)) << 1;
                keys = new int[cap];
                where = new int[cap];
                stamp = new int[cap];
                shift = Integer.numberOfLeadingZeros(cap) + 1;
                gen = 0;
            }
            if (++gen == 0) { // wrapped: stamps from 2^32 users ago would look live
                Arrays.fill(stamp, 0);
                gen = 1;
            }
            return keys.length - 1;
        }

        private int home(int item) {
            return (item * 0x9E3779B9) >>> shift;
        }

        /** The number of distinct values among {@code src[from, from + n)}. */
        int count(int[] src, int from, int n) {
            int mask = begin(n);
            int g = gen;
            int d = 0;
            for (int i = from, end = from + n; i < end; i++) {
                int it = src[i];
                int s = home(it);
                while (stamp[s] == g && keys[s] != it) {
                    s = (s + 1) & mask;
                }
                if (stamp[s] != g) {
                    stamp[s] = g;
                    keys[s] = it;
                    d++;
                }
            }
            return d;
        }

        /** Writes the distinct values of {@code src[from, from + n)}, first seen first, with counts, from {@code at}. */
        void write(int[] src, int from, int n, int[] items, int[] counts, int at) {
            int mask = begin(n);
            int g = gen;
            int next = at;
            for (int i = from, end = from + n; i < end; i++) {
                int it = src[i];
                int s = home(it);
                while (stamp[s] == g && keys[s] != it) {
                    s = (s + 1) & mask;
                }
                if (stamp[s] != g) {
                    stamp[s] = g;
                    keys[s] = it;
                    where[s] = next;
                    items[next] = it;
                    counts[next] = 1;
                    next++;
                } else {
                    counts[where[s]]++;
                }
            }
        }
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

    /** Sorts entries [s, e) of a row by item id (ids ≥ 0), carrying the counts along. */
    static void sortRowByItem(int[] items, int[] counts, int s, int e) {
        sortRowByItem(items, counts, s, e, new long[Math.max(0, e - s)]);
    }

    /** As {@link #sortRowByItem(int[], int[], int, int)} with {@code scratch} (at least {@code e - s} long). */
    static void sortRowByItem(int[] items, int[] counts, int s, int e, long[] scratch) {
        int len = e - s;
        if (len < 2) {
            return;
        }
        long[] packed = scratch;
        for (int i = 0; i < len; i++) {
            packed[i] = ((long) items[s + i] << 32) | (counts[s + i] & 0xFFFFFFFFL);
        }
        Arrays.sort(packed, 0, len);
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
