package encore.data;

import java.util.Arrays;

/**
 * An insertion-ordered string → dense id dictionary used to intern labels while ingesting millions of rows without
 * boxing. Ids are assigned 0, 1, 2, … in first-seen order.
 *
 * <p>Lookups are memory-latency bound (a million labels do not fit in cache), so the layout is built to touch as few
 * cache lines as possible:
 * <ul>
 *   <li>an open-addressing table {@code long[] slots} (linear probing, load ≤ 1/2) whose entries hold
 *       {@code hash << 32 | (offset + 1)} (0 = empty): a probe reads one line and compares 32 bits of hash;</li>
 *   <li>a {@code char[] arena} holding each label as {@code [length:2 chars][id:2 chars][chars…]} at {@code offset}:
 *       on a hash match, the length, the id and the characters to compare sit together.</li>
 * </ul>
 * So a lookup costs about two cache misses, where a table of {@code String} references costs four (slot, reference
 * array, String object, its byte array), and the labels are no garbage-collector work while rows stream in.
 *
 * <p>Interning is single-threaded (it reuses a scratch buffer); {@link #find(String)} is safe for concurrent readers
 * of a dictionary that is no longer modified.
 */
final class LabelDictionary {
    private static final int HEADER = 4;

    private long[] slots;
    private int mask;
    private char[] arena;
    private int arenaUsed;
    private int[] offsetById;
    private int size;
    private char[] scratch = new char[64];

    LabelDictionary(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        slots = new long[cap];
        mask = cap - 1;
        arena = new char[Math.max(256, expected * 24)];
        offsetById = new int[Math.max(16, expected)];
    }

    /**
     * Hash of {@code len} chars (FNV-1a style over UTF-16 units, then a murmur finalizer); {@link #find(String)}
     * computes the same function over a String.
     */
    private static int hash(char[] a, int off, int len) {
        int h = 0x811C9DC5;
        for (int i = off, end = off + len; i < end; i++) {
            h = (h ^ a[i]) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h;
    }

    private char[] charsOf(String key) {
        int n = key.length();
        if (n > scratch.length) {
            scratch = new char[Math.max(n, scratch.length * 2)];
        }
        key.getChars(0, n, scratch, 0);
        return scratch;
    }

    /** The id of {@code key}, adding it if absent. */
    int intern(String key) {
        return intern(charsOf(key), 0, key.length());
    }

    /** The id of the label in {@code a[off, off+len)}, adding it if absent. */
    int intern(char[] a, int off, int len) {
        int h = hash(a, off, len);
        int slot = find(a, off, len, h);
        if (slot < 0) {
            return (int) (slotOffsetId(~slot));
        }
        return add(a, off, len, h, slot);
    }

    /**
     * The id of {@code key}, or -1. Read-only and safe for concurrent callers once the dictionary is no longer
     * modified (it uses no shared scratch buffer, unlike {@link #intern(String)}).
     */
    int find(String key) {
        int len = key.length();
        int h = 0x811C9DC5;
        for (int i = 0; i < len; i++) {
            h = (h ^ key.charAt(i)) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        long tag = (long) h << 32;
        int slot = h & mask;
        long[] t = slots;
        char[] ar = arena;
        while (true) {
            long e = t[slot];
            if (e == 0) {
                return -1;
            }
            if ((e & 0xFFFFFFFF00000000L) == tag) {
                int o = (int) e - 1;
                int l = ar[o] | ar[o + 1] << 16;
                if (l == len && sameChars(ar, o + HEADER, key, len)) {
                    return ar[o + 2] | ar[o + 3] << 16;
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    private static boolean sameChars(char[] a, int off, String key, int len) {
        for (int i = 0; i < len; i++) {
            if (a[off + i] != key.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The id stored with the label of a full slot. */
    private long slotOffsetId(int slot) {
        int o = (int) slots[slot] - 1;
        return arena[o + 2] | (long) arena[o + 3] << 16;
    }

    /** ~slot of the label when present, else the empty slot where it belongs (≥ 0). */
    private int find(char[] a, int off, int len, int h) {
        long tag = (long) h << 32;
        int slot = h & mask;
        long[] t = slots;
        char[] ar = arena;
        while (true) {
            long e = t[slot];
            if (e == 0) {
                return slot;
            }
            if ((e & 0xFFFFFFFF00000000L) == tag) {
                int o = (int) e - 1;
                int l = ar[o] | ar[o + 1] << 16;
                if (l == len && Arrays.equals(ar, o + HEADER, o + HEADER + len, a, off, off + len)) {
                    return ~slot;
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    private int add(char[] a, int off, int len, int h, int slot) {
        int id = size++;
        long need = (long) arenaUsed + HEADER + len;
        if (need > arena.length) {
            if (need > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("labels take more than 2^31 characters in all");
            }
            arena = Arrays.copyOf(arena, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(need, arena.length * 2L)));
        }
        int o = arenaUsed;
        arena[o] = (char) len;
        arena[o + 1] = (char) (len >>> 16);
        arena[o + 2] = (char) id;
        arena[o + 3] = (char) (id >>> 16);
        System.arraycopy(a, off, arena, o + HEADER, len);
        arenaUsed = o + HEADER + len;
        slots[slot] = ((long) h << 32) | (o + 1L);
        if (id == offsetById.length) {
            offsetById = Arrays.copyOf(offsetById, IntList.grow(offsetById.length));
        }
        offsetById[id] = o;
        if (size * 2 > slots.length) {
            rehash();
        }
        return id;
    }

    /** Doubles the table ({@link TagSlots#doubled}). */
    private void rehash() {
        slots = TagSlots.doubled(slots, size);
        mask = slots.length - 1;
    }

    int size() {
        return size;
    }

    /** Interns every label of {@code other}; returns other's id → this id. */
    int[] internAll(LabelDictionary other) {
        int[] map = new int[other.size];
        char[] oa = other.arena;
        for (int i = 0; i < other.size; i++) {
            int o = other.offsetById[i];
            int len = oa[o] | oa[o + 1] << 16;
            map[i] = intern(oa, o + HEADER, len);
        }
        return map;
    }

    String label(int id) {
        int o = offsetById[id];
        int len = arena[o] | arena[o + 1] << 16;
        return new String(arena, o + HEADER, len);
    }

    /** The labels in id order (new strings). */
    String[] labels() {
        String[] out = new String[size];
        for (int i = 0; i < size; i++) {
            out[i] = label(i);
        }
        return out;
    }
}
