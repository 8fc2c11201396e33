package encore.data;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An insertion-ordered dictionary from labels, held as their UTF-8 bytes, to dense ids 0, 1, 2, … in first-seen
 * order: the CSV reader's per-thread label interning, fed straight from the bytes of the file (no {@code String} is
 * made per row; one is made per distinct label, by {@link #labels()}).
 *
 * <p>Labels are equal exactly when their bytes are: the reader only interns labels of rows that are valid UTF-8, and
 * a valid UTF-8 byte string and the {@code String} it decodes to determine each other, so interning bytes gives the
 * same ids as interning the decoded strings would.
 *
 * <p>Layout, built to touch few cache lines per lookup (a million labels do not fit in cache):
 * <ul>
 *   <li>{@code long[] slots}, open addressing with linear probing at load ≤ 1/2; a full slot holds
 *       {@code tag << 32 | (offset + 1)} with {@code tag = hash >>> 32}, an empty one 0. The home slot is the tag's
 *       low bits, so a probe compares the tag's other bits (11 of them at two million slots: one false match in
 *       2,048) before it looks at the label, and a rehash needs nothing but the slots: it reads the old table in
 *       order and writes the new one almost in order (an entry moves from slot {@code s} to {@code s} or
 *       {@code s + old capacity}), instead of one cache miss per label;</li>
 *   <li>{@code byte[] arena} holding each label at {@code offset} as {@code [hash:8][length:4][id:4][bytes…]}: on a
 *       tag match the length, the id and the bytes to compare sit together, and a merge reads the stored hashes in
 *       one sequential pass instead of hashing every label again.</li>
 * </ul>
 * So a lookup costs about two cache misses. {@link #prefetch} lets a caller with several lookups to do issue their
 * misses together (the CPU overlaps independent loads) before doing them one by one.
 *
 * <p>Single-threaded; distinct instances are independent.
 */
final class ByteLabelDictionary {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    /** Bytes before a label's bytes in the arena: hash, length, id. */
    static final int HEADER = 16;
    /** The most bytes the arena may hold (one Java array). */
    private static final int MAX_ARENA = Integer.MAX_VALUE - 16;

    /** Labels merged at a time by {@link #internAll}. */
    private static final int BLOCK = 256;

    private static final long K1 = 0x9E3779B97F4A7C15L;
    private static final long K2 = 0xC2B2AE3D27D4EB4FL;
    private static final long K3 = 0x165667B19E3779F9L;

    private long[] slots;
    private int mask;
    private byte[] arena;
    private int arenaUsed;
    private int[] offsetById;
    private int size;
    /** Scratch for labels given as strings (their UTF-8 encoding). */
    private byte[] scratch = new byte[64];
    /** Folded loads of {@link #prefetch}, written so the loads cannot be optimised away. */
    private long sink;

    /** A dictionary expecting about {@code expected} labels (it grows as needed). */
    ByteLabelDictionary(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        slots = new long[cap];
        mask = cap - 1;
        arena = new byte[Math.max(1024, expected * 32)];
        offsetById = new int[Math.max(16, expected)];
    }

    /**
     * The 64-bit hash of {@code a[off, off+len)}: eight bytes at a time (little-endian), each word multiplied in and
     * rotated, then a finaliser that spreads every input bit over all 64 (the table uses the high 32). Bytes beyond
     * the label are never read.
     */
    static long hash(byte[] a, int off, int len) {
        long h = K3 ^ (len * K1);
        int i = off;
        int end = off + len;
        for (; i <= end - 8; i += 8) {
            long w = (long) LONGS.get(a, i);
            h = Long.rotateLeft(h ^ (w * K1), 31) * K2;
        }
        int rem = end - i;
        if (rem > 0) {
            long w;
            if (len >= 8) { // the last eight bytes, shifted down to the ones not yet mixed in
                w = ((long) LONGS.get(a, end - 8)) >>> (64 - 8 * rem);
            } else {
                w = 0;
                for (int k = rem - 1; k >= 0; k--) {
                    w = (w << 8) | (a[i + k] & 0xFFL);
                }
            }
            h = Long.rotateLeft(h ^ (w * K1), 31) * K2;
        }
        h ^= h >>> 33;
        h *= K1;
        h ^= h >>> 29;
        h *= K2;
        h ^= h >>> 32;
        return h;
    }

    /** Number of labels. */
    int size() {
        return size;
    }

    /** The id of the label {@code a[off, off+len)}, adding it if absent. */
    int intern(byte[] a, int off, int len) {
        return intern(a, off, len, hash(a, off, len));
    }

    /** As {@link #intern(byte[], int, int)} with the label's {@link #hash} already computed. */
    int intern(byte[] a, int off, int len, long h) {
        long tag = h & 0xFFFFFFFF00000000L;
        int slot = (int) (h >>> 32) & mask;
        long[] t = slots;
        byte[] ar = arena;
        while (true) {
            long e = t[slot];
            if (e == 0) {
                return add(a, off, len, h, slot);
            }
            if ((e & 0xFFFFFFFF00000000L) == tag) {
                int o = (int) e - 1;
                if ((int) INTS.get(ar, o + 8) == len
                        && Arrays.equals(ar, o + HEADER, o + HEADER + len, a, off, off + len)) {
                    return (int) INTS.get(ar, o + 12);
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    /**
     * The id of {@code label} (a string decoded from valid UTF-8, as the fallback parser gives them), adding it if
     * absent; the same id as interning its UTF-8 bytes.
     */
    int intern(String label) {
        int n = utf8(label);
        return intern(scratch, 0, n);
    }

    /** The id of the label, or -1 when absent (no insertion). */
    int find(byte[] a, int off, int len) {
        long h = hash(a, off, len);
        long tag = h & 0xFFFFFFFF00000000L;
        int slot = (int) (h >>> 32) & mask;
        while (true) {
            long e = slots[slot];
            if (e == 0) {
                return -1;
            }
            if ((e & 0xFFFFFFFF00000000L) == tag) {
                int o = (int) e - 1;
                if ((int) INTS.get(arena, o + 8) == len
                        && Arrays.equals(arena, o + HEADER, o + HEADER + len, a, off, off + len)) {
                    return (int) INTS.get(arena, o + 12);
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    /**
     * Loads the home slot of each of {@code hashes[0, n)} and the arena line its entry points to, so that the
     * lookups that follow find them in cache: the loads do not depend on one another, so their misses overlap.
     * Changes nothing.
     */
    void prefetch(long[] hashes, int n) {
        long[] t = slots;
        byte[] ar = arena;
        int m = mask;
        long acc = 0;
        for (int i = 0; i < n; i++) {
            long e = t[(int) (hashes[i] >>> 32) & m];
            if (e != 0) {
                acc += ar[(int) e - 1];
            }
        }
        sink += acc;
    }

    private int add(byte[] a, int off, int len, long h, int slot) {
        int id = size;
        long need = (long) arenaUsed + HEADER + len;
        if (need > arena.length) {
            if (need > MAX_ARENA) {
                throw new IllegalStateException("labels take more than 2^31 bytes in all");
            }
            arena = Arrays.copyOf(arena, (int) Math.min(MAX_ARENA, Math.max(need, arena.length * 2L)));
        }
        int o = arenaUsed;
        LONGS.set(arena, o, h);
        INTS.set(arena, o + 8, len);
        INTS.set(arena, o + 12, id);
        System.arraycopy(a, off, arena, o + HEADER, len);
        arenaUsed = o + HEADER + len;
        slots[slot] = (h & 0xFFFFFFFF00000000L) | (o + 1L);
        if (id == offsetById.length) {
            offsetById = Arrays.copyOf(offsetById, IntList.grow(offsetById.length));
        }
        offsetById[id] = o;
        size = id + 1;
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

    /**
     * Interns every label of {@code other} (in its id order, reading its stored hashes), {@value #BLOCK} at a time
     * with their slots {@link #prefetch prefetched}; returns other's id → this id.
     */
    int[] internAll(ByteLabelDictionary other) {
        int[] map = new int[other.size];
        byte[] oa = other.arena;
        long[] hashes = new long[BLOCK];
        for (int from = 0; from < other.size; from += BLOCK) {
            int n = Math.min(BLOCK, other.size - from);
            for (int k = 0; k < n; k++) {
                hashes[k] = (long) LONGS.get(oa, other.offsetById[from + k]);
            }
            prefetch(hashes, n);
            for (int k = 0; k < n; k++) {
                int o = other.offsetById[from + k];
                map[from + k] = intern(oa, o + HEADER, (int) INTS.get(oa, o + 8), hashes[k]);
            }
        }
        return map;
    }

    /** The label of {@code id}, decoded. */
    String label(int id) {
        int o = offsetById[id];
        return new String(arena, o + HEADER, (int) INTS.get(arena, o + 8), StandardCharsets.UTF_8);
    }

    /** The labels in id order (a new string each). */
    String[] labels() {
        String[] out = new String[size];
        labels(out, 0, size);
        return out;
    }

    /** Puts the labels of ids {@code [from, to)} into {@code out} at their ids (a new string each). */
    void labels(String[] out, int from, int to) {
        frozen().labels(out, from, to);
    }

    /**
     * The labels held now, readable from another thread while this dictionary keeps interning (it only appends:
     * bytes and offsets already written never change, a grown array is a copy).
     */
    Frozen frozen() {
        return new Frozen(arena, offsetById, size);
    }

    /** The labels of a dictionary as they were when {@link #frozen} was called. */
    static final class Frozen {
        private final byte[] arena;
        private final int[] offsetById;
        private final int size;

        private Frozen(byte[] arena, int[] offsetById, int size) {
            this.arena = arena;
            this.offsetById = offsetById;
            this.size = size;
        }

        /** Number of labels. */
        int size() {
            return size;
        }

        /** Puts the labels of ids {@code [from, to)} (below {@link #size}) into {@code out} at their ids. */
        void labels(String[] out, int from, int to) {
            for (int i = from; i < to; i++) {
                int o = offsetById[i];
                out[i] = new String(arena, o + HEADER, (int) INTS.get(arena, o + 8), StandardCharsets.UTF_8);
            }
        }
    }

    /**
     * Encodes {@code s} as UTF-8 into {@link #scratch}; returns the byte count. A lone surrogate cannot come from the
     * reader (invalid UTF-8 makes its row malformed, never interned), so one is a bug and refused rather than replaced
     * (a replacement could merge two labels).
     */
    private int utf8(String s) {
        int n = s.length();
        if (scratch.length < 3L * n) {
            scratch = new byte[(int) Math.min(MAX_ARENA, Math.max(3L * n, scratch.length * 2L))];
        }
        byte[] b = scratch;
        int w = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b[w++] = (byte) c;
            } else if (c < 0x800) {
                b[w++] = (byte) (0xC0 | c >> 6);
                b[w++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isSurrogate(c)) {
                char d = i + 1 < n ? s.charAt(i + 1) : 0;
                if (!Character.isHighSurrogate(c) || !Character.isLowSurrogate(d)) {
                    throw new IllegalStateException("label with a lone surrogate at " + i);
                }
                int cp = Character.toCodePoint(c, d);
                i++;
                b[w++] = (byte) (0xF0 | cp >> 18);
                b[w++] = (byte) (0x80 | cp >> 12 & 0x3F);
                b[w++] = (byte) (0x80 | cp >> 6 & 0x3F);
                b[w++] = (byte) (0x80 | cp & 0x3F);
            } else {
                b[w++] = (byte) (0xE0 | c >> 12);
                b[w++] = (byte) (0x80 | c >> 6 & 0x3F);
                b[w++] = (byte) (0x80 | c & 0x3F);
            }
        }
        return w;
    }
}
