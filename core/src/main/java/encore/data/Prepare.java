package encore.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CPU front end of the Spark ALS recipe:
 * <ol>
 *   <li><b>read + clean</b> ({@link ListeningsReader}): parse, drop {@code date}, drop rows with a null
 *       user_id/track/artist/album;</li>
 *   <li><b>aggregate</b> ({@link PlayCounts}): plays per (user, item);</li>
 *   <li><b>limit</b> (optional): the recipe's {@code orderBy(user_id).limit(N)};</li>
 *   <li><b>index</b> ({@link LabelIndex}): StringIndexer order for users and items, fitted on the aggregated pairs;</li>
 *   <li><b>split</b> ({@link Splitter});</li>
 *   <li><b>csr</b>: user×item and item×user matrices of the training plays.</li>
 * </ol>
 */
public final class Prepare {
    private Prepare() {}

    /** Runs the front end on {@code data} without progress reporting. */
    public static Prepared run(Path data, PrepareOptions options) throws IOException {
        return run(data, options, IngestProgress.NONE);
    }

    /**
     * As {@link #run(Path, PrepareOptions)}, reporting the bytes parsed. {@code data} may be
     * {@link ListeningsReader#STANDARD_INPUT} ({@code -}), or a pipe: see {@link ListeningsReader#read}; messages and
     * {@link Prepared#source()} then say {@value ListeningsReader#STANDARD_INPUT_NAME}.
     */
    public static Prepared run(Path data, PrepareOptions options, IngestProgress progress) throws IOException {
        return run(data, options, progress, FastPath.byDefault());
    }

    /** As {@link #run(Path, PrepareOptions, IngestProgress)}, with the CSV reader's fast path as given. */
    static Prepared run(Path data, PrepareOptions options, IngestProgress progress, FastPath fastPath)
            throws IOException {
        Map<String, Double> t = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        RawPlays raw = ListeningsReader.read(data, options.ingest(), progress, fastPath);
        Path shown = ListeningsReader.shownName(data);
        long t1 = System.nanoTime();
        t.put("read_clean", secs(t0, t1));
        if (raw.rows() == 0) {
            IngestStats s = raw.stats();
            throw new InputFormatException(
                    shown,
                    0,
                    null,
                    "no usable rows: " + s.rowsRead() + " data rows read, " + s.droppedTotal()
                            + " dropped (rows need a non-empty user_id, track, artist and album)");
        }
        PlayCounts counts = PlayCounts.aggregate(raw, options.ingest().threads());
        IngestStats stats = raw.stats();
        raw = null; // the per-row arrays can go now
        long t2 = System.nanoTime();
        t.put("aggregate", secs(t1, t2));
        if (options.limit() >= 0) {
            counts = counts.limit(options.limit());
            long t3 = System.nanoTime();
            t.put("limit", secs(t2, t3));
            t2 = t3;
        }
        if (counts.pairs() == 0) {
            throw new InputFormatException(shown, 0, null, "no pairs left after limit=" + options.limit());
        }
        encore.internal.Memory.require(
                encore.internal.Memory.indexedPairs(
                        counts.pairs(), counts.userLabels().length, counts.itemLabels().length),
                "indexing and splitting " + counts.pairs() + " (user, item) pairs");
        int threads = options.ingest().threads();
        LabelIndex.Fit users = LabelIndex.fit(counts.userLabels(), counts.userFrequencies(), threads);
        LabelIndex.Fit items = LabelIndex.fit(counts.itemLabels(), counts.itemFrequencies(), threads);
        IndexedPlays plays =
                IndexedPlays.of(counts, users, items, options.ingest().threads());
        long t4 = System.nanoTime();
        t.put("index", secs(t2, t4));
        Split split = Splitter.split(plays, options.split(), threads);
        long t5 = System.nanoTime();
        t.put("split", secs(t4, t5));
        Interactions train = split.train().toInteractions();
        long t6 = System.nanoTime();
        t.put("csr", secs(t5, t6));
        return new Prepared(shown, stats, plays, split, train, t);
    }

    static double secs(long from, long to) {
        return (to - from) / 1e9;
    }
}
