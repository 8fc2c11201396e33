package encore.data;

import java.util.Arrays;

/**
 * An insertion-ordered string → dense id dictionary used to intern labels while ingesting millions of rows without
 * boxing. Ids are assigned 0, 1, 2, … in first-seen order.
 *
 * <p>Open addressing with linear probing over one {@code long[]} whose slots hold {@code (hash << 32) | (id + 1)}
 * (0 = empty): a probe costs one cache line, and a label is only dereferenced for {@code equals} when its 32-bit hash
 * matches. Lookups are memory-latency bound, so this layout matters more than anything else here.
 */
final class LabelDictionary {
    private long[] slots;
    private String[] byId;
    private int size;
    private int mask;

    LabelDictionary(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        slots = new long[cap];
        byId = new String[Math.max(16, expected)];
        mask = cap - 1;
    }

    private static int spread(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** The id of {@code key}, adding it if absent. */
    int intern(String key) {
        int h = spread(key.hashCode());
        int slot = h & mask;
        long tag = (long) h << 32;
        long[] t = slots;
        while (true) {
            long e = t[slot];
            if (e == 0) {
                break;
            }
            if ((e & 0xFFFFFFFF00000000L) == tag) {
                int id = (int) e - 1;
                if (byId[id].equals(key)) {
                    return id;
                }
            }
            slot = (slot + 1) & mask;
        }
        int id = size++;
        t[slot] = tag | (id + 1L);
        if (id == byId.length) {
            byId = Arrays.copyOf(byId, IntList.grow(byId.length));
        }
        byId[id] = key;
        if (size * 2 > t.length) {
            rehash();
        }
        return id;
    }

    /** The id of {@code key}, or -1. */
    int find(String key) {
        int h = spread(key.hashCode());
        int slot = h & mask;
        long tag = (long) h << 32;
        while (true) {
            long e = slots[slot];
            if (e == 0) {
                return -1;
            }
            if ((e & 0xFFFFFFFF00000000L) == tag) {
                int id = (int) e - 1;
                if (byId[id].equals(key)) {
                    return id;
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    private void rehash() {
        int cap = slots.length << 1;
        if (cap <= 0) {
            throw new IllegalStateException("too many distinct labels: " + size);
        }
        long[] n = new long[cap];
        int nm = cap - 1;
        for (long e : slots) {
            if (e != 0) {
                int slot = (int) (e >>> 32) & nm;
                while (n[slot] != 0) {
                    slot = (slot + 1) & nm;
                }
                n[slot] = e;
            }
        }
        slots = n;
        mask = nm;
    }

    int size() {
        return size;
    }

    String label(int id) {
        return byId[id];
    }

    /** The labels in id order. */
    String[] labels() {
        return Arrays.copyOf(byId, size);
    }
}
