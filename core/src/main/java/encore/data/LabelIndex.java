package encore.data;

import java.util.Arrays;

/**
 * A string → int index fitted like Spark's {@code StringIndexer} with the default {@code frequencyDesc} order: the
 * most frequent label gets 0; labels of equal frequency are ordered by ascending {@link String#compareTo} (UTF-16 code
 * units, what Scala's {@code <} on strings does — it differs from code-point order only for characters outside the
 * BMP, such as emoji). Frequency is the number of aggregated (user, item) pairs a label appears in.
 *
 * <p>{@link #indexOf(String)} has {@code handleInvalid=keep} semantics: a label unseen at fit time (or null) maps to
 * {@link #size()}, one past the last real index. Immutable and safe for concurrent readers.
 */
public final class LabelIndex {
    private final String[] labels;
    private final int[] frequencies;
    /** Label → index, built on first lookup (the prepare pipeline never needs it). */
    private volatile LabelDictionary lookup;
    /** {@link Splitter#stringHash64} of each label, by index: made by {@link #fit}, else on first use. */
    private volatile long[] stringHashes;

    private LabelIndex(String[] labels, int[] frequencies) {
        this.labels = labels;
        this.frequencies = frequencies;
    }

    private LabelDictionary lookup() {
        LabelDictionary d = lookup;
        if (d == null) {
            synchronized (this) {
                d = lookup;
                if (d == null) {
                    d = new LabelDictionary(labels.length);
                    for (String l : labels) {
                        int before = d.size();
                        if (d.intern(l) != before) {
                            throw new IllegalArgumentException("duplicate label: " + l);
                        }
                    }
                    lookup = d;
                }
            }
        }
        return d;
    }

    /** An index over labels already in index order (e.g. read back from {@code items.csv}). */
    public static LabelIndex ofOrdered(String[] labels, int[] frequencies) {
        if (labels.length != frequencies.length) {
            throw new IllegalArgumentException("labels and frequencies differ in length");
        }
        LabelIndex index = new LabelIndex(labels.clone(), frequencies.clone());
        index.lookup(); // checks for duplicates now
        return index;
    }

    /** A fitted index plus the map from the caller's ids to indices. */
    public record Fit(LabelIndex index, int[] idToIndex) {}

    /**
     * Fits the index to {@code labels[id]} with {@code frequency[id]}.
     *
     * @return the index and, for every id, its index
     */
    public static Fit fit(String[] labels, int[] frequency) {
        return fit(labels, frequency, 1);
    }

    /** As {@link #fit(String[], int[])}, sorting and hashing the labels on {@code threads} threads. */
    static Fit fit(String[] labels, int[] frequency, int threads) {
        int n = labels.length;
        int maxFreq = 0;
        for (int f : frequency) {
            if (f < 0) {
                throw new IllegalArgumentException("negative frequency " + f);
            }
            maxFreq = Math.max(maxFreq, f);
        }
        int[] start = new int[maxFreq + 2];
        for (int f : frequency) {
            start[maxFreq - f + 1]++;
        }
        for (int b = 0; b <= maxFreq; b++) {
            start[b + 1] += start[b];
        }
        // labels sorted once (String.compareTo order), then a stable counting sort by descending frequency
        int[] byLabel = LabelSort.sortedIds(labels, threads);
        int[] order = new int[n];
        int[] fill = start.clone();
        for (int id : byLabel) {
            order[fill[maxFreq - frequency[id]]++] = id;
        }
        long[] hashById = new long[n];
        int parts = n < 1 << 16 ? 1 : threads * 4;
        // in id order: the order the strings were made in, so memory is read forward
        encore.internal.Parallel.forEachUnchecked(threads, parts, p -> {
            for (int id = (int) ((long) n * p / parts), end = (int) ((long) n * (p + 1) / parts); id < end; id++) {
                hashById[id] = Splitter.stringHash64(labels[id]);
            }
        });
        String[] ordered = new String[n];
        int[] freq = new int[n];
        int[] idToIndex = new int[n];
        long[] hashes = new long[n];
        for (int k = 0; k < n; k++) {
            int id = order[k];
            ordered[k] = labels[id];
            freq[k] = frequency[id];
            hashes[k] = hashById[id];
            idToIndex[id] = k;
        }
        LabelIndex index = new LabelIndex(ordered, freq);
        index.stringHashes = hashes;
        return new Fit(index, idToIndex);
    }

    /** {@link Splitter#stringHash64} of each label, by index (shared, not to be changed). */
    long[] stringHashes() {
        long[] h = stringHashes;
        if (h == null) {
            h = new long[labels.length];
            for (int i = 0; i < h.length; i++) {
                h[i] = Splitter.stringHash64(labels[i]);
            }
            stringHashes = h;
        }
        return h;
    }

    /** Number of labels. */
    public int size() {
        return labels.length;
    }

    /** The label at {@code index}. */
    public String label(int index) {
        return labels[index];
    }

    /** The frequency the label at {@code index} was fitted with. */
    public int frequency(int index) {
        return frequencies[index];
    }

    /** The index of {@code label}, or {@link #size()} when it is null or unseen ({@code handleInvalid=keep}). */
    public int indexOf(String label) {
        if (label == null) {
            return labels.length;
        }
        int i = lookup().find(label);
        return i < 0 ? labels.length : i;
    }

    /** True when {@code label} was seen at fit time. */
    public boolean contains(String label) {
        return label != null && lookup().find(label) >= 0;
    }

    /** A copy of the labels in index order. */
    public String[] labels() {
        return labels.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelIndex other
                && Arrays.equals(labels, other.labels)
                && Arrays.equals(frequencies, other.frequencies);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "LabelIndex[" + labels.length + " labels]";
    }
}
