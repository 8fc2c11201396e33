package encore.data;

import java.util.Arrays;

/** A growable {@code int} array without boxing. */
final class IntList {
    private int[] a;
    private int size;

    IntList(int capacity) {
        a = new int[Math.max(1, capacity)];
    }

    void add(int v) {
        if (size == a.length) {
            a = Arrays.copyOf(a, grow(a.length));
        }
        a[size++] = v;
    }

    static int grow(int n) {
        long next = (long) n + (n >> 1) + 16;
        if (next > Integer.MAX_VALUE - 16) {
            if (n >= Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("more than " + n + " entries do not fit in one Java array");
            }
            next = Integer.MAX_VALUE - 16;
        }
        return (int) next;
    }

    int get(int i) {
        return a[i];
    }

    void set(int i, int v) {
        a[i] = v;
    }

    /** Drops the entries from {@code n} on ({@code n <= size()}). */
    void truncate(int n) {
        if (n < 0 || n > size) {
            throw new IllegalArgumentException("cannot truncate " + size + " entries to " + n);
        }
        size = n;
    }

    int size() {
        return size;
    }

    /** The backing array (length may exceed {@link #size()}). */
    int[] raw() {
        return a;
    }

    int[] toArray() {
        return Arrays.copyOf(a, size);
    }
}
