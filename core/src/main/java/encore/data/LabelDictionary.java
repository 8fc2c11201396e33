package encore.data;

import java.util.Arrays;

/**
 * An insertion-ordered string → dense id dictionary (open addressing, linear probing, cached hashes), used to intern
 * labels while ingesting millions of rows without boxing. Ids are assigned 0, 1, 2, … in first-seen order.
 */
final class LabelDictionary {
    private String[] keys;
    private int[] hashes;
    private int[] ids;
    private String[] byId;
    private int size;
    private int mask;

    LabelDictionary(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new String[cap];
        hashes = new int[cap];
        ids = new int[cap];
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
        while (true) {
            String k = keys[slot];
            if (k == null) {
                break;
            }
            if (hashes[slot] == h && k.equals(key)) {
                return ids[slot];
            }
            slot = (slot + 1) & mask;
        }
        int id = size++;
        keys[slot] = key;
        hashes[slot] = h;
        ids[slot] = id;
        if (id == byId.length) {
            byId = Arrays.copyOf(byId, IntList.grow(byId.length));
        }
        byId[id] = key;
        if (size * 2 > keys.length) {
            rehash();
        }
        return id;
    }

    /** The id of {@code key}, or -1. */
    int find(String key) {
        int h = spread(key.hashCode());
        int slot = h & mask;
        while (true) {
            String k = keys[slot];
            if (k == null) {
                return -1;
            }
            if (hashes[slot] == h && k.equals(key)) {
                return ids[slot];
            }
            slot = (slot + 1) & mask;
        }
    }

    private void rehash() {
        int cap = keys.length << 1;
        if (cap <= 0) {
            throw new IllegalStateException("too many distinct labels: " + size);
        }
        String[] nk = new String[cap];
        int[] nh = new int[cap];
        int[] ni = new int[cap];
        int nm = cap - 1;
        for (int s = 0; s < keys.length; s++) {
            if (keys[s] != null) {
                int slot = hashes[s] & nm;
                while (nk[slot] != null) {
                    slot = (slot + 1) & nm;
                }
                nk[slot] = keys[s];
                nh[slot] = hashes[s];
                ni[slot] = ids[s];
            }
        }
        keys = nk;
        hashes = nh;
        ids = ni;
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
