package encore.data;

/**
 * Sorts label ids by {@link String#compareTo} (UTF-16 code units) without comparing strings where it can: labels are
 * compared four units at a time as 64-bit keys that sit in primitive arrays, sorted physically with the ids; a run of
 * labels with equal keys is sorted by their next keys, and so on (strings are compared only in the rare runs that
 * stay tied, see {@link Refiner#refine}).
 *
 * <p>Key {@code d} of a label is its units {@code [4d, 4d + 4)}, big-endian, padded with zeros: when two labels agree
 * on their first {@code 4d} units, their keys compare (unsigned) as the labels do unless the keys are equal — a unit
 * that differs decides both ways, and a label that ends first pads with 0, which is no greater than any unit, so it
 * is never after the other (equal keys are never taken as equal labels: the run is refined further).
 *
 * <p>The first three keys of every label are read in id order — the order the reader made the strings in, so the
 * reads walk memory forward — then: sort by key 0, sort each run of equal key 0 by key 1, each run of equal key 1 by
 * key 2, and deeper keys are read from the strings of the runs still tied. Labels that share long prefixes (titles
 * made of a few common words) cost a few cheap passes instead of a string comparison at every step of one sort.
 */
final class LabelSort {
    /** Keys read ahead for every label, in id order: units 0 … 11. */
    static final int KEYED_UNITS = 12;
    /** Levels of keys (four units each) before a run still tied is sorted by {@code compareTo}. */
    static final int MAX_LEVELS = 64;

    private static final int INSERTION = 24;
    /** Fewer labels than this are sorted on one thread. */
    private static final int PARALLEL_MIN = 1 << 16;
    /** Ranges at least this long are radix-sorted. */
    private static final int RADIX = 2048;

    private LabelSort() {}

    /** The ids {@code 0 … n-1} of {@code labels} in {@link String#compareTo} order (labels distinct or not). */
    static int[] sortedIds(String[] labels) {
        return sortedIds(labels, 1);
    }

    /**
     * As {@link #sortedIds(String[])}, on {@code threads} threads: the keys are read in parallel blocks of ids, and
     * after the sort by key 0 the runs are refined in parallel segments (cut between runs, so they share nothing).
     */
    static int[] sortedIds(String[] labels, int threads) {
        int n = labels.length;
        long[] k0 = new long[n];
        long[] k1 = new long[n];
        long[] k2 = new long[n];
        int[] ids = new int[n];
        int parts = n < PARALLEL_MIN ? 1 : Math.max(1, threads * 4);
        encore.internal.Parallel.forEachUnchecked(threads, parts, p -> {
            for (int id = part(n, p, parts), end = part(n, p + 1, parts); id < end; id++) {
                String s = labels[id];
                k0[id] = key(s, 0);
                k1[id] = key(s, 4);
                k2[id] = key(s, 8);
                ids[id] = id;
            }
        });
        Refiner r = new Refiner(labels, k0, ids, new long[][] {k1, k2});
        sort(k0, ids, 0, n, r.tk, r.ti);
        int[] cut = new int[parts + 1];
        cut[parts] = n;
        for (int p = 1; p < parts; p++) {
            int c = Math.max(cut[p - 1], part(n, p, parts));
            while (c > 0 && c < n && k0[c] == k0[c - 1]) {
                c++; // a segment ends where a run does
            }
            cut[p] = c;
        }
        encore.internal.Parallel.forEachUnchecked(threads, parts, p -> r.refine(cut[p], cut[p + 1], 0));
        return ids;
    }

    /** The start of part {@code p} of {@code n} positions cut into {@code parts}. */
    private static int part(int n, int p, int parts) {
        return (int) ((long) n * p / parts);
    }

    /**
     * Orders the runs of equal keys by the next key, and the runs still tied by {@code compareTo}. Refining one range
     * reads and writes only that range of the arrays (scratch included), so disjoint ranges may be refined at once.
     */
    private static final class Refiner {
        final String[] labels;
        /** The current key of each position (not of each id). */
        final long[] keys;

        final int[] ids;
        final long[][] next;
        final long[] tk;
        final int[] ti;

        Refiner(String[] labels, long[] keys, int[] ids, long[][] next) {
            this.labels = labels;
            this.keys = keys;
            this.ids = ids;
            this.next = next;
            this.tk = new long[ids.length];
            this.ti = new int[ids.length];
        }

        /**
         * Within {@code ids[from, to)}, sorted by key {@code level} (in {@link #keys}), orders each run of equal keys
         * by key {@code level + 1}: read from {@link #next} for the first levels, from the strings after that, and
         * by {@code compareTo} once every label of the run has ended (labels that differ only by trailing NUL units,
         * or equal ones) or after {@value #MAX_LEVELS} levels (recursion stays shallow whatever the labels).
         */
        void refine(int from, int to, int level) {
            int i = from;
            while (i < to) {
                int j = i + 1;
                while (j < to && keys[j] == keys[i]) {
                    j++;
                }
                if (j - i > 1) {
                    int nextLevel = level + 1;
                    int unit = 4 * nextLevel;
                    if (nextLevel >= MAX_LEVELS || longest(i, j) <= unit) {
                        IntSort.sort(ids, i, j, (x, y) -> labels[x].compareTo(labels[y]));
                    } else {
                        if (level < next.length) {
                            long[] key = next[level];
                            for (int k = i; k < j; k++) {
                                keys[k] = key[ids[k]];
                            }
                        } else {
                            for (int k = i; k < j; k++) {
                                keys[k] = key(labels[ids[k]], unit);
                            }
                        }
                        sort(keys, ids, i, j, tk, ti);
                        refine(i, j, nextLevel);
                    }
                }
                i = j;
            }
        }

        /** The length of the longest label among {@code ids[from, to)}. */
        private int longest(int from, int to) {
            int m = 0;
            for (int k = from; k < to; k++) {
                m = Math.max(m, labels[ids[k]].length());
            }
            return m;
        }
    }

    /**
     * Units {@code [from, from + 4)} of {@code s} as an unsigned 64-bit key, big-endian, zero-padded, stored with its
     * sign bit flipped so that signed comparison of stored keys is unsigned comparison of keys.
     */
    static long key(String s, int from) {
        long k = 0;
        int n = s.length();
        for (int i = from; i < from + 4; i++) {
            k = (k << 16) | (i < n ? s.charAt(i) : 0);
        }
        return k ^ Long.MIN_VALUE;
    }

    /**
     * Sorts {@code keys[from, to)} ascending with {@code ids} alongside, stably ({@code tk}, {@code ti} as scratch):
     * a radix sort for large ranges, a merge sort for the small ones.
     */
    static void sort(long[] keys, int[] ids, int from, int to, long[] tk, int[] ti) {
        int n = to - from;
        if (n <= INSERTION) {
            insertion(keys, ids, from, to);
            return;
        }
        if (n >= RADIX) {
            radix(keys, ids, from, to, tk, ti);
            return;
        }
        // bottom-up: runs of INSERTION sorted in place, then merged back and forth between the arrays and scratch
        for (int s = from; s < to; s += INSERTION) {
            insertion(keys, ids, s, Math.min(to, s + INSERTION));
        }
        long[] sk = keys;
        int[] si = ids;
        long[] dk = tk;
        int[] di = ti;
        for (int width = INSERTION; width < n; width <<= 1) {
            for (int lo = from; lo < to; lo += width << 1) {
                int mid = Math.min(to, lo + width);
                int hi = Math.min(to, lo + (width << 1));
                merge(sk, si, dk, di, lo, mid, hi);
            }
            long[] xk = sk;
            sk = dk;
            dk = xk;
            int[] xi = si;
            si = di;
            di = xi;
        }
        if (sk != keys) {
            System.arraycopy(sk, from, keys, from, n);
            System.arraycopy(si, from, ids, from, n);
        }
    }

    /**
     * LSD radix sort by the bytes of the keys as unsigned numbers (the stored keys with their sign bit flipped back):
     * one pass counts all eight digits, then each digit that is not the same for every key moves the range once (for
     * keys of ASCII text half the digits are constant).
     */
    private static void radix(long[] keys, int[] ids, int from, int to, long[] tk, int[] ti) {
        int[][] count = new int[8][256];
        for (int i = from; i < to; i++) {
            long k = keys[i] ^ Long.MIN_VALUE; // unsigned order of these is signed order of the stored keys
            for (int d = 0; d < 8; d++) {
                count[d][(int) (k >>> (8 * d)) & 0xFF]++;
            }
        }
        int n = to - from;
        long[] sk = keys;
        int[] si = ids;
        long[] dk = tk;
        int[] di = ti;
        for (int d = 0; d < 8; d++) {
            int[] c = count[d];
            boolean constant = false;
            for (int b = 0; b < 256; b++) {
                if (c[b] == n) {
                    constant = true;
                    break;
                }
            }
            if (constant) {
                continue;
            }
            int at = from;
            for (int b = 0; b < 256; b++) {
                int m = c[b];
                c[b] = at;
                at += m;
            }
            int shift = 8 * d;
            for (int i = from; i < to; i++) {
                long k = sk[i];
                int o = c[(int) ((k ^ Long.MIN_VALUE) >>> shift) & 0xFF]++;
                dk[o] = k;
                di[o] = si[i];
            }
            long[] xk = sk;
            sk = dk;
            dk = xk;
            int[] xi = si;
            si = di;
            di = xi;
        }
        if (sk != keys) {
            System.arraycopy(sk, from, keys, from, n);
            System.arraycopy(si, from, ids, from, n);
        }
    }

    private static void merge(long[] sk, int[] si, long[] dk, int[] di, int lo, int mid, int hi) {
        int a = lo;
        int b = mid;
        int o = lo;
        while (a < mid && b < hi) {
            if (sk[b] < sk[a]) {
                dk[o] = sk[b];
                di[o++] = si[b++];
            } else {
                dk[o] = sk[a];
                di[o++] = si[a++];
            }
        }
        while (a < mid) {
            dk[o] = sk[a];
            di[o++] = si[a++];
        }
        while (b < hi) {
            dk[o] = sk[b];
            di[o++] = si[b++];
        }
    }

    private static void insertion(long[] keys, int[] ids, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            long k = keys[i];
            int v = ids[i];
            int j = i - 1;
            while (j >= from && keys[j] > k) {
                keys[j + 1] = keys[j];
                ids[j + 1] = ids[j];
                j--;
            }
            keys[j + 1] = k;
            ids[j + 1] = v;
        }
    }
}
