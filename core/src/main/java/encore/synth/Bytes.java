package encore.synth;

import java.util.Arrays;

/** A growable byte array (a minimal, unsynchronised byte buffer for building names and chunks). */
final class Bytes {
    private byte[] a;
    private int n;

    Bytes(int capacity) {
        a = new byte[Math.max(16, capacity)];
    }

    int length() {
        return n;
    }

    byte[] array() {
        return a;
    }

    void clear() {
        n = 0;
    }

    void ensure(int extra) {
        if (n + extra > a.length) {
            long want = Math.max((long) n + extra, a.length + (a.length >> 1) + 16L);
            if (want > Integer.MAX_VALUE - 16) {
                if ((long) n + extra > Integer.MAX_VALUE - 16) {
                    throw new IllegalStateException("byte buffer would exceed 2 GiB");
                }
                want = Integer.MAX_VALUE - 16;
            }
            a = Arrays.copyOf(a, (int) want);
        }
    }

    void add(byte b) {
        ensure(1);
        a[n++] = b;
    }

    void add(byte[] src) {
        add(src, 0, src.length);
    }

    void add(byte[] src, int from, int len) {
        ensure(len);
        System.arraycopy(src, from, a, n, len);
        n += len;
    }

    void add(Bytes other) {
        add(other.a, 0, other.n);
    }

    void insert(int at, byte b) {
        ensure(1);
        System.arraycopy(a, at, a, at + 1, n - at);
        a[at] = b;
        n++;
    }

    byte[] toArray() {
        return Arrays.copyOf(a, n);
    }
}
