package encore.data;

/**
 * Item labels of the fast path's rows waiting to be interned together, {@value #CAPACITY} at a time. Their table
 * slots and entries are loaded first, all together: the lookups miss the cache (a million labels do not fit), and
 * misses issued together overlap where misses one lookup after another queue up. Labels are interned in the order
 * they were queued, so ids are first-seen ids, as one at a time.
 */
final class ItemLookupQueue {
    /** Item labels looked up together by {@link #flush}. */
    static final int CAPACITY = 256;

    private final ByteLabelDictionary items;

    /** Where each waiting label is and its hash. */
    private final byte[][] arr = new byte[CAPACITY][];

    private final int[] off = new int[CAPACITY];
    private final int[] len = new int[CAPACITY];
    private final long[] hash = new long[CAPACITY];
    /** The {@code rowItem} entry each waiting label's id goes to. */
    private final int[] at = new int[CAPACITY];

    private int queued;
    /** Room for waiting labels that are not in the reader's window (unescaped, joined). */
    private byte[] copies = new byte[4096];

    private int copiesUsed;

    ItemLookupQueue(ByteLabelDictionary items) {
        this.items = items;
    }

    /**
     * Queues {@code n} bytes of {@code a} from {@code o}, whose id goes to {@code rowItem[slot]}; the bytes are copied
     * unless {@code a} is {@code window} (which stays unchanged until the next {@link #flush}).
     *
     * @return whether the queue is now full (the caller then flushes it)
     */
    boolean add(byte[] a, int o, int n, int slot, byte[] window) {
        int k = queued;
        at[k] = slot;
        if (a != window) {
            if (copies.length - copiesUsed < n) {
                copies = new byte[Math.max(n, copies.length * 2)];
                copiesUsed = 0; // the labels already queued keep the old array
            }
            System.arraycopy(a, o, copies, copiesUsed, n);
            a = copies;
            o = copiesUsed;
            copiesUsed += n;
        }
        arr[k] = a;
        off[k] = o;
        len[k] = n;
        hash[k] = ByteLabelDictionary.hash(a, o, n);
        queued = k + 1;
        return queued == CAPACITY;
    }

    /** Interns the waiting labels in the order they came and writes each one's id to its {@code rowItem} entry. */
    void flush(int[] rowItem) {
        int n = queued;
        if (n == 0) {
            return;
        }
        items.prefetch(hash, n);
        for (int k = 0; k < n; k++) {
            rowItem[at[k]] = items.intern(arr[k], off[k], len[k], hash[k]);
            arr[k] = null;
        }
        queued = 0;
        copiesUsed = 0;
    }
}
