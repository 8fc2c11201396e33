package encore.data;

/**
 * How {@link ListeningsReader} reads a listenings file.
 *
 * @param itemKey    which column(s) make the item label
 * @param badRows    what to do with malformed rows
 * @param threads    parser threads (≥ 1); results do not depend on it
 * @param chunkBytes target bytes per parallel chunk (≥ 64 KiB); results do not depend on it
 */
public record IngestOptions(ItemKey itemKey, BadRowPolicy badRows, int threads, int chunkBytes) {
    /** Default target bytes per parallel chunk (16 MiB). */
    public static final int DEFAULT_CHUNK_BYTES = 16 << 20;

    /** Validates the options: item key and bad-row policy set, at least one thread, chunks of at least 64 KiB. */
    public IngestOptions {
        if (itemKey == null || badRows == null) {
            throw new IllegalArgumentException("itemKey and badRows must be set");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (chunkBytes < (64 << 10)) {
            throw new IllegalArgumentException("chunkBytes must be >= 65536, got " + chunkBytes);
        }
    }

    /** Track key, skip bad rows, one thread per available core. */
    public static IngestOptions defaults() {
        return new IngestOptions(
                ItemKey.TRACK, BadRowPolicy.SKIP, Runtime.getRuntime().availableProcessors(), DEFAULT_CHUNK_BYTES);
    }

    /** A copy with item key {@code k}. */
    public IngestOptions withItemKey(ItemKey k) {
        return new IngestOptions(k, badRows, threads, chunkBytes);
    }

    /** A copy with bad-row policy {@code p}. */
    public IngestOptions withBadRows(BadRowPolicy p) {
        return new IngestOptions(itemKey, p, threads, chunkBytes);
    }

    /** A copy with {@code t} parser threads. */
    public IngestOptions withThreads(int t) {
        return new IngestOptions(itemKey, badRows, t, chunkBytes);
    }

    /** A copy with a target chunk size of {@code b} bytes. */
    public IngestOptions withChunkBytes(int b) {
        return new IngestOptions(itemKey, badRows, threads, b);
    }
}
