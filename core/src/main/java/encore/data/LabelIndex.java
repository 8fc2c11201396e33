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
        int n = labels.length;
        // counting sort by descending frequency, then each run of equal frequency by label
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
        int[] order = new int[n];
        int[] fill = start.clone();
        for (int id = 0; id < n; id++) {
            order[fill[maxFreq - frequency[id]]++] = id;
        }
        // compare the first four UTF-16 units packed in a long first (one array read instead of two object
        // dereferences); equal prefixes fall back to compareTo, so the order is exactly String.compareTo's
        long[] prefix = new long[n];
        for (int id = 0; id < n; id++) {
            prefix[id] = prefix4(labels[id]);
        }
        for (int b = 0; b <= maxFreq; b++) {
            IntSort.sort(order, start[b], start[b + 1], (x, y) -> {
                int c = Long.compareUnsigned(prefix[x], prefix[y]);
                return c != 0 ? c : labels[x].compareTo(labels[y]);
            });
        }
        String[] ordered = new String[n];
        int[] freq = new int[n];
        int[] idToIndex = new int[n];
        for (int k = 0; k < n; k++) {
            int id = order[k];
            ordered[k] = labels[id];
            freq[k] = frequency[id];
            idToIndex[id] = k;
        }
        return new Fit(new LabelIndex(ordered, freq), idToIndex);
    }

    /**
     * The first four UTF-16 units of {@code s}, big-endian, zero-padded: unsigned order of these keys agrees with
     * {@link String#compareTo} whenever the keys differ.
     */
    static long prefix4(String s) {
        long k = 0;
        int n = Math.min(4, s.length());
        for (int i = 0; i < 4; i++) {
            k = (k << 16) | (i < n ? s.charAt(i) : 0);
        }
        return k;
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
