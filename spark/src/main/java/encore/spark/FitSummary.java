package encore.spark;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a distributed fit ({@link EncoreALS#fitWithSummary}) did: the sizes it trained, each half-iteration's time
 * and how the fixed side's factors travelled, and which engine solved the blocks.
 *
 * @param users        users with ratings
 * @param items        items with ratings
 * @param ratings      ratings (each held once in a user block and once in an item block)
 * @param rank         the rank
 * @param ratingsBytes the in-blocks' arrays, both sides (what the executors keep with intermediateStorageLevel)
 * @param setupSeconds wall time on the driver to build the in-blocks and out-blocks (before the first half-iteration)
 * @param halves       the half-iterations in order (items then users, per iteration)
 * @param engines      block solves by the engine that ran them ("cpu", "gpu", or "cpu (fallback: reason)" when a
 *                     checked GPU engine handed the block to the CPU); a task re-run after a lost executor counts
 *                     again
 */
public record FitSummary(
        long users,
        long items,
        long ratings,
        int rank,
        long ratingsBytes,
        double setupSeconds,
        List<Half> halves,
        Map<String, Long> engines) {

    /**
     * One half-iteration.
     *
     * @param iteration    1-based
     * @param solved       "items" or "users": the side solved
     * @param seconds      wall time on the driver, until its factors were materialised
     * @param shipping     "broadcast" or "join"
     * @param shippedBytes factor bytes sent: the broadcast value (each executor fetches it once), or the sum over
     *                     the blocks of the factors each receives by the join
     */
    public record Half(int iteration, String solved, double seconds, String shipping, long shippedBytes) {}

    /** Bytes of both sides' factors (float32): (users + items) · rank · 4. */
    public long factorBytes() {
        return 4L * rank * (users + items);
    }

    /** A few lines for a log or a console. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "EncoreALS fit: %,d users × %,d items, %,d ratings, rank %d; in-blocks %.1f MB, factors %.1f MB;"
                        + " blocks built in %.2f s%n",
                users,
                items,
                ratings,
                rank,
                ratingsBytes / 1e6,
                factorBytes() / 1e6,
                setupSeconds));
        for (Half h : halves) {
            s.append(String.format(
                    Locale.ROOT,
                    "  iteration %d %s: %.2f s, %s %.1f MB%n",
                    h.iteration(),
                    h.solved(),
                    h.seconds(),
                    h.shipping(),
                    h.shippedBytes() / 1e6));
        }
        s.append("  block solves by engine: ").append(engines);
        return s.toString();
    }
}
