package encore.als.io;

import encore.als.AlsModel;
import encore.matrix.Csr;
import encore.matrix.Factors;
import encore.util.AtomicOutput;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

import static encore.als.io.ModelFormat.END;
import static encore.als.io.ModelFormat.ITEM_FACTORS;
import static encore.als.io.ModelFormat.ITEM_LABELS;
import static encore.als.io.ModelFormat.ITEM_PRESENCE;
import static encore.als.io.ModelFormat.METADATA;
import static encore.als.io.ModelFormat.PARAMS;
import static encore.als.io.ModelFormat.SEEN;
import static encore.als.io.ModelFormat.SEEN_COUNTS;
import static encore.als.io.ModelFormat.USER_FACTORS;
import static encore.als.io.ModelFormat.USER_LABELS;
import static encore.als.io.ModelFormat.USER_PRESENCE;

/**
 * Writes a model file in format {@link ModelFormat#VERSION}: everything that can be rejected (labels and metadata
 * that UTF-8 cannot hold, a seen matrix of the wrong shape) is checked and encoded before a temporary file exists,
 * then the sections go out in order through {@link AtomicOutput}, so readers see the previous file or the complete new
 * one. The same model always gives the same bytes.
 */
final class ModelWriter {
    /** The model's sections, encoded and checked. */
    private record Encoded(
            KeyValues params, KeyValues metadata, LabelSection.Encoded users, LabelSection.Encoded items) {}

    private ModelWriter() {}

    /** See {@link ModelStore#save}; {@code wrap} wraps the output stream (tests inject failures there). */
    /** The seen matrix to store (or null), and whether its values go in a {@code seen counts} section. */
    record Seen(Csr matrix, boolean withCounts) {}

    static void write(
            Path file, AlsModel model, Seen seen, Map<String, String> metadata, UnaryOperator<OutputStream> wrap)
            throws IOException {
        Csr seenOrNull = seen.matrix();
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(model, "model");
        Encoded e = encode(model, metadata);
        if (seenOrNull != null) {
            String problem = ModelFormat.csrProblem(
                    seenOrNull.rows(),
                    seenOrNull.cols(),
                    seenOrNull.rowPtr(),
                    seenOrNull.colIdx(),
                    e.users().count(),
                    e.items().count());
            if (problem != null) {
                throw new IllegalArgumentException("seen matrix: " + problem);
            }
            float[] v = seenOrNull.values();
            for (int p = 0; p < v.length; p++) {
                if (!Float.isFinite(v[p])) {
                    throw new IllegalArgumentException(
                            "seen matrix: entry " + p + " is " + v[p] + ", expected a finite count");
                }
            }
        }
        try (AtomicOutput out = AtomicOutput.create(file)) {
            Sections.Writer w = new Sections.Writer(wrap.apply(out.stream()));
            w.fileHeader(ModelFormat.VERSION);
            e.params().write(w, PARAMS);
            e.metadata().write(w, METADATA);
            e.users().write(w, USER_LABELS);
            e.items().write(w, ITEM_LABELS);
            writePresence(w, USER_PRESENCE, model.userFactors());
            writePresence(w, ITEM_PRESENCE, model.itemFactors());
            writeFactors(w, USER_FACTORS, model.userFactors());
            writeFactors(w, ITEM_FACTORS, model.itemFactors());
            if (seenOrNull != null) {
                writeSeen(w, seenOrNull);
                if (seen.withCounts()) {
                    writeSeenCounts(w, seenOrNull);
                }
            }
            w.begin(END, 0);
            w.end();
            w.flush();
            out.commit();
        }
    }

    private static Encoded encode(AlsModel model, Map<String, String> metadata) {
        TreeMap<String, String> meta = new TreeMap<>(); // sorted: the same metadata always gives the same bytes
        if (metadata != null) {
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                String k = Objects.requireNonNull(e.getKey(), "metadata key");
                String v = Objects.requireNonNull(e.getValue(), "metadata value of " + k);
                meta.put(k, v);
            }
        }
        return new Encoded(
                ParamsSection.encode(model.params()),
                KeyValues.encode(meta, "metadata", KeyValues.Limits.FILE),
                LabelSection.Encoded.of(model.users(), "user"),
                LabelSection.Encoded.of(model.items(), "item"));
    }

    /** u32 count, then ⌈count / 64⌉ u64 words: bit {@code r % 64} of word {@code r / 64} set when row r is present. */
    private static void writePresence(Sections.Writer w, int id, Factors f) throws IOException {
        int count = f.rows();
        long[] words = Arrays.copyOf(f.present().toLongArray(), (count + 63) / 64);
        w.begin(id, 4 + 8L * words.length);
        w.putInt(count);
        for (long word : words) {
            w.putLong(word);
        }
        w.end();
    }

    /** f32[rows × rank], row-major, the raw IEEE-754 bits. */
    private static void writeFactors(Sections.Writer w, int id, Factors f) throws IOException {
        float[] data = f.data();
        w.begin(id, 4L * data.length);
        w.putFloats(data);
        w.end();
    }

    /** f32[nnz]: the seen matrix's values (the training ratings), in entry order. */
    private static void writeSeenCounts(Sections.Writer w, Csr seen) throws IOException {
        w.begin(SEEN_COUNTS, 4L * seen.nnz());
        w.putFloats(seen.values());
        w.end();
    }

    /** u32 rows, u32 cols, u32 nnz, i32 rowPtr[rows + 1], i32 colIdx[nnz]; the values follow in seen counts. */
    private static void writeSeen(Sections.Writer w, Csr seen) throws IOException {
        w.begin(SEEN, 12 + 4L * (seen.rows() + 1) + 4L * seen.nnz());
        w.putInt(seen.rows());
        w.putInt(seen.cols());
        w.putInt(seen.nnz());
        w.putInts(seen.rowPtr());
        w.putInts(seen.colIdx());
        w.end();
    }
}
