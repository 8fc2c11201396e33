package encore.data;

/** Reports how much of the input has been parsed; may be called from parser threads. */
@FunctionalInterface
public interface IngestProgress {
    /** {@code done} of {@code total} bytes parsed. */
    void bytesRead(long done, long total);

    /** Reports nothing. */
    IngestProgress NONE = (d, t) -> {};
}
