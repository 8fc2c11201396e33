package encore.internal;

import java.util.Locale;

/**
 * Checks, before a large allocation, that the heap can hold it, so that a machine too small for the data gets one
 * clear line naming the heap to use instead of an {@link OutOfMemoryError} halfway through. The
 * estimates are of the arrays a stage allocates (not exact); a stage is refused only when even a garbage-collected
 * heap cannot hold them. Not API.
 */
public final class Memory {
    private static final long MIB = 1 << 20;
    private static final long GIB = 1 << 30;

    private Memory() {}

    /** Thrown when a stage would not fit in the heap; the message and {@link #suggestedHeap()} say what to use. */
    public static final class NotEnoughMemoryException extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        private final String suggestedHeap;

        NotEnoughMemoryException(String message, String suggestedHeap) {
            super(message);
            this.suggestedHeap = suggestedHeap;
        }

        /** A maximum heap that would do, in the JVM's {@code -Xmx} notation ("5g", "768m"). */
        public String suggestedHeap() {
            return suggestedHeap;
        }
    }

    /** Bytes of the heap that can still be allocated (after a collection when it looks short). */
    static long available(long need) {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (free < need) {
            System.gc(); // garbage may be most of what looks used; measure again once
            free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        }
        return free;
    }

    /**
     * Throws {@link NotEnoughMemoryException} when {@code bytes} more cannot fit in the heap.
     *
     * @param what what needs the memory, for the message ("the ALS factors of 54,812 users and 1.1 M items at rank 64")
     */
    public static void require(long bytes, String what) {
        require(bytes, what, Runtime.getRuntime().maxMemory());
    }

    static void require(long bytes, String what, long maxHeap) {
        long free = available(bytes);
        if (bytes <= free) {
            return;
        }
        long used = Runtime.getRuntime().maxMemory() - free;
        String heap = suggest(used + bytes);
        throw new NotEnoughMemoryException(
                String.format(
                        Locale.ROOT,
                        "not enough memory: %s need about %s but the heap has %s free of %s; run the JVM with a larger heap, e.g. "
                                + "-Xmx%s",
                        what,
                        size(bytes),
                        size(Math.max(0, free)),
                        size(maxHeap),
                        heap),
                heap);
    }

    /** A heap size that holds {@code bytes} with room to spare: 1.5× rounded up to whole GiB (or 256 MiB steps). */
    static String suggest(long bytes) {
        long want = bytes + bytes / 2;
        if (want < GIB) {
            return ((want + 256 * MIB - 1) / (256 * MIB)) * 256 + "m";
        }
        return (want + GIB - 1) / GIB + "g";
    }

    static String size(long bytes) {
        if (bytes >= GIB) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) GIB);
        }
        return String.format(Locale.ROOT, "%d MiB", (bytes + MIB - 1) / MIB);
    }

    /** Bytes of the factor arrays of an ALS fit (float user and item factors, init and solve scratch). */
    public static long alsFactors(long users, long items, int rank) {
        return (users + items) * rank * 4L + (users + items) / 4;
    }

    /** {@link #require} for the factors of a fit of {@code users} × {@code items} at {@code rank}. */
    public static void requireFit(long users, long items, int rank) {
        require(
                alsFactors(users, items, rank),
                "the ALS factors of " + users + " users and " + items + " items at rank " + rank);
    }

    /** Bytes of {@code rows} top-{@code k} lists (int ids and float scores), {@code copies} sets of them. */
    public static long topK(long rows, int k, int copies) {
        return rows * k * 8L * copies + rows * 8L * copies;
    }

    /** Bytes of indexing and splitting {@code pairs} (user, item) pairs into the train/test CSR matrices. */
    public static long indexedPairs(long pairs, long users, long items) {
        // IndexedPlays (item, count) + split copies + user×item and item×user CSR (col, value) + row pointers
        return pairs * 40L + (users + items) * 16L;
    }
}
