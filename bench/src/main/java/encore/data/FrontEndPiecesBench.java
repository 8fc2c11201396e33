package encore.data;

import encore.synth.GeneratorConfig;
import encore.synth.ListeningsGenerator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The CSV front end piece by piece, on one thread, on a generated listenings file of {@code rows} rows (made once
 * under {@code ~/.cache/encore/bench}, the file {@code bench/run frontend} uses): the read with the byte-level fast
 * path and with the reference parser alone; the item-label lookups one at a time and queued with their misses
 * overlapped; the label sort by keys and by {@code compareTo}; aggregation, the index fit and its application, the
 * split. The pieces are package-private, so this class lives in {@code encore.data} (the benchmarks run from one jar
 * on the class path, where a package may span jars).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx4g", "-Xmn1g", "-XX:+UseParallelGC"})
public class FrontEndPiecesBench {
    /** Rows of the generated file; 13758905 is the size of the real Last.fm file. */
    @Param({"1000000"})
    public long rows;

    /** For {@link #read}: {@code fast} (the byte-level fast path) or {@code reference} (univocity only). */
    @State(Scope.Benchmark)
    public static class ParserChoice {
        /** The parser. */
        @Param({"fast", "reference"})
        public String parser;
    }

    /** For {@link #internItems}: item lookups queued before their misses are issued (1: one at a time). */
    @State(Scope.Benchmark)
    public static class QueueChoice {
        /** Lookups per batch. */
        @Param({"1", "256"})
        public int queue;
    }

    /**
     * For {@link #sortItemLabels}: {@code keys} ({@link LabelSort}) or {@code prefixCompareTo} (the sort it replaced:
     * a merge sort comparing the first four units packed in a long, then the strings).
     */
    @State(Scope.Benchmark)
    public static class SortChoice {
        /** The sort. */
        @Param({"keys", "prefixCompareTo"})
        public String sort;
    }

    private Path file;
    private RawPlays raw;
    private PlayCounts counts;
    private LabelIndex.Fit users;
    private LabelIndex.Fit items;
    private IndexedPlays plays;
    /** Item labels of every kept row, in file order, as UTF-8 bytes back to back. */
    private byte[] itemBytes;

    private int[] itemOffset;
    private ByteLabelDictionary warmItems;

    /** Finds or writes the file, reads it once and runs every stage once, for the pieces to start from. */
    @Setup(Level.Trial)
    public void setup() throws IOException {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "encore", "bench");
        file = cache.resolve("listenings-" + rows + "-seed1.csv");
        if (!Files.exists(file)) {
            Files.createDirectories(cache);
            new ListeningsGenerator(GeneratorConfig.forRows(rows, 1)).write(file);
        }
        raw = ListeningsReader.read(file, options(), IngestProgress.NONE, FastPath.ON);
        counts = PlayCounts.aggregate(raw, 1);
        users = LabelIndex.fit(counts.userLabels(), counts.userFrequencies());
        items = LabelIndex.fit(counts.itemLabels(), counts.itemFrequencies());
        plays = IndexedPlays.of(counts, users, items, 1);
        // the item label of every kept row, in file order: the lookups the fast path makes
        byte[][] encoded = new byte[raw.itemLabels().length][];
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = raw.itemLabels()[i].getBytes(StandardCharsets.UTF_8);
        }
        int n = raw.rows();
        itemOffset = new int[n + 1];
        long total = 0;
        for (int r = 0; r < n; r++) {
            total += encoded[raw.rowItem()[r]].length;
        }
        itemBytes = new byte[(int) Math.min(Integer.MAX_VALUE - 16, total)];
        int at = 0;
        int r = 0;
        for (; r < n && at + encoded[raw.rowItem()[r]].length <= itemBytes.length; r++) {
            byte[] b = encoded[raw.rowItem()[r]];
            itemOffset[r] = at;
            System.arraycopy(b, 0, itemBytes, at, b.length);
            at += b.length;
        }
        itemOffset = java.util.Arrays.copyOf(itemOffset, r + 1);
        itemOffset[r] = at;
        warmItems = new ByteLabelDictionary(1 << 16);
        for (int k = 0; k < r; k++) {
            warmItems.intern(itemBytes, itemOffset[k], itemOffset[k + 1] - itemOffset[k]);
        }
    }

    private static IngestOptions options() {
        return new IngestOptions(ItemKey.TRACK, BadRowPolicy.SKIP, 1, IngestOptions.DEFAULT_CHUNK_BYTES);
    }

    /** Read + clean of the whole file on one thread (plan, parse, intern, merge). */
    @Benchmark
    public RawPlays read(ParserChoice c) throws IOException {
        return ListeningsReader.read(
                file, options(), IngestProgress.NONE, c.parser.equals("fast") ? FastPath.ON : FastPath.OFF);
    }

    /**
     * Every kept row's item label looked up in a dictionary that already holds them all (the reader's steady state):
     * hashed, then, every {@code queue} rows, the queued rows' slots and entries loaded together and the lookups
     * done; returns the sum of the ids.
     */
    @Benchmark
    public long internItems(QueueChoice c) {
        int queue = c.queue;
        ByteLabelDictionary d = warmItems;
        int n = itemOffset.length - 1;
        long[] hashes = new long[queue];
        long sum = 0;
        for (int from = 0; from < n; from += queue) {
            int m = Math.min(queue, n - from);
            for (int k = 0; k < m; k++) {
                int o = itemOffset[from + k];
                hashes[k] = ByteLabelDictionary.hash(itemBytes, o, itemOffset[from + k + 1] - o);
            }
            if (m > 1) {
                d.prefetch(hashes, m);
            }
            for (int k = 0; k < m; k++) {
                int o = itemOffset[from + k];
                sum += d.intern(itemBytes, o, itemOffset[from + k + 1] - o, hashes[k]);
            }
        }
        return sum;
    }

    /** The item labels in {@code compareTo} order. */
    @Benchmark
    public int[] sortItemLabels(SortChoice c) {
        String[] labels = counts.itemLabels();
        if (c.sort.equals("keys")) {
            return LabelSort.sortedIds(labels);
        }
        long[] prefix = new long[labels.length];
        for (int id = 0; id < labels.length; id++) {
            prefix[id] = LabelSort.key(labels[id], 0);
        }
        int[] ids = PlayCounts.identity(labels.length);
        IntSort.sort(ids, 0, ids.length, (x, y) -> {
            int d = Long.compare(prefix[x], prefix[y]);
            return d != 0 ? d : labels[x].compareTo(labels[y]);
        });
        return ids;
    }

    /** Play counts per (user, item) from the rows. */
    @Benchmark
    public PlayCounts aggregate() throws IOException {
        return PlayCounts.aggregate(raw, 1);
    }

    /** The StringIndexer order of the items (frequencies, the label sort, the counting sort by frequency). */
    @Benchmark
    public LabelIndex.Fit fitItems() {
        return LabelIndex.fit(counts.itemLabels(), counts.itemFrequencies());
    }

    /** The pairs moved to index space, each row sorted by item index. */
    @Benchmark
    public IndexedPlays indexPairs() throws IOException {
        return IndexedPlays.of(counts, users, items, 1);
    }

    /** The recipe's 50/50 random split of the pairs. */
    @Benchmark
    public Split split() {
        return Splitter.split(plays, SplitSpec.random(0.5, 42));
    }
}
