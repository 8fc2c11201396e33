package encore.als.io;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.io.Sections.Section;
import encore.data.LabelIndex;
import encore.internal.Memory;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;

import static encore.als.io.ModelFormat.END;
import static encore.als.io.ModelFormat.ITEM_FACTORS;
import static encore.als.io.ModelFormat.ITEM_LABELS;
import static encore.als.io.ModelFormat.ITEM_PRESENCE;
import static encore.als.io.ModelFormat.LAST_KNOWN;
import static encore.als.io.ModelFormat.LAST_MANDATORY;
import static encore.als.io.ModelFormat.MAX_ARRAY;
import static encore.als.io.ModelFormat.METADATA;
import static encore.als.io.ModelFormat.PARAMS;
import static encore.als.io.ModelFormat.SEEN;
import static encore.als.io.ModelFormat.SEEN_COUNTS;
import static encore.als.io.ModelFormat.SKIPPABLE;
import static encore.als.io.ModelFormat.USER_FACTORS;
import static encore.als.io.ModelFormat.USER_LABELS;
import static encore.als.io.ModelFormat.USER_PRESENCE;
import static encore.als.io.ModelFormat.V1_INIT;
import static encore.als.io.ModelFormat.num;
import static encore.als.io.ModelFormat.sectionName;

/**
 * Reads a model file of format {@link ModelFormat#OLDEST_READABLE_VERSION} to {@link ModelFormat#VERSION}, treating
 * it as untrusted: each section is checked for its place in the order (known sections in id order, each at most once;
 * unknown skippable ones anywhere; unknown others refused), its length against what its content needs before anything
 * is allocated, its CRC, and its values (rank range, label uniqueness and UTF-8, CSR structure, sizes that agree with
 * each other). One reader reads one file once; the parts it has read are its state.
 */
final class ModelReader {
    private final Sections.Reader in;
    private final int version;
    /** The next known section that may come. */
    private int expected = PARAMS;

    private boolean initRead;

    private AlsParams params;
    private Map<String, String> metadata;
    private LabelSection.Pending users;
    private LabelSection.Pending items;
    private BitSet userHas;
    private BitSet itemHas;
    private float[] userFactors;
    private float[] itemFactors;
    private Csr seen;
    private boolean seenCounts;

    private ModelReader(Sections.Reader in, int version) {
        this.in = in;
        this.version = version;
    }

    /** See {@link ModelStore#load}. */
    static ModelStore.Stored read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            // factors load as they are stored, labels as strings about twice their bytes
            Memory.require(2 * ch.size(), "loading " + file + " (" + ch.size() + " bytes)");
            Sections.Reader in = new Sections.Reader(file, ch);
            int version = in.fileHeader(ModelFormat.OLDEST_READABLE_VERSION, ModelFormat.VERSION);
            return new ModelReader(in, version).readSections();
        }
    }

    private ModelStore.Stored readSections() throws IOException {
        Section s = in.next();
        while (s.id() != END) {
            if (s.id() == V1_INIT) {
                readInit(s);
            } else if (s.id() == SEEN_COUNTS) {
                readSeenCounts(s);
            } else if (Integer.compareUnsigned(s.id(), LAST_KNOWN) > 0) {
                skipUnknown(s);
            } else {
                readKnown(s);
            }
            s = in.next();
        }
        readEnd(s);
        return assemble();
    }

    private void readKnown(Section s) throws IOException {
        int id = s.id();
        if (id != expected) {
            throw in.corrupt(
                    s,
                    expected <= LAST_MANDATORY
                            ? "found where section '" + sectionName(expected) + "' was expected"
                            : "out of order or repeated");
        }
        expected = id + 1;
        switch (id) {
            case PARAMS -> params = version == 1 ? ParamsSection.readV1(in, s) : ParamsSection.read(in, s);
            case METADATA -> metadata = KeyValues.read(in, s, KeyValues.Limits.FILE);
            case USER_LABELS -> users = LabelSection.read(in, s);
            case ITEM_LABELS -> items = LabelSection.read(in, s);
            case USER_PRESENCE -> userHas = readPresence(s, users.count());
            case ITEM_PRESENCE -> itemHas = readPresence(s, items.count());
            case USER_FACTORS -> userFactors = readFactors(s, users.count(), "users");
            case ITEM_FACTORS -> itemFactors = readFactors(s, items.count(), "items");
            case SEEN -> seen = readSeen(s, users.count(), items.count());
            default -> throw new IllegalStateException("unhandled section " + id);
        }
    }

    /** Format 1 only, once, right after {@code params}. */
    private void readInit(Section s) throws IOException {
        if (version != 1) {
            throw in.corrupt(
                    s,
                    "belongs to format version 1; version " + version + " keeps init and numBlocks in "
                            + "section 'params'");
        }
        if (params == null || expected != PARAMS + 1 || initRead) {
            throw in.corrupt(s, "must come once, right after section 'params'");
        }
        params = ParamsSection.readV1Init(in, s, params);
        initRead = true;
    }

    private void skipUnknown(Section s) throws IOException {
        if ((s.id() & SKIPPABLE) == 0) {
            throw in.corrupt(s, "unknown section type that cannot be skipped (written by a newer Encore?)");
        }
        in.stream(s, Sections.SKIP);
    }

    private void readEnd(Section s) throws IOException {
        if (s.length() != 0) {
            throw in.corrupt(s, "the end marker has a " + num(s.length()) + "-byte payload, expected none");
        }
        in.stream(s, Sections.SKIP);
        if (expected <= LAST_MANDATORY) {
            throw in.error("section '" + sectionName(expected) + "' is missing");
        }
        in.requireLast(s);
    }

    private ModelStore.Stored assemble() throws IOException {
        LabelIndex userIndex = users.await();
        LabelIndex itemIndex = items.await();
        try {
            AlsModel model = new AlsModel(
                    params,
                    userIndex,
                    itemIndex,
                    Factors.wrap(userFactors, userIndex.size(), params.rank(), userHas),
                    Factors.wrap(itemFactors, itemIndex.size(), params.rank(), itemHas));
            return new ModelStore.Stored(model, seen, seenCounts, metadata);
        } catch (IllegalArgumentException e) {
            throw in.error("inconsistent model: " + e.getMessage());
        }
    }

    /** u32 count, then ⌈count / 64⌉ u64 words of presence bits; no bit at or beyond the count. */
    private BitSet readPresence(Section s, int count) throws IOException {
        long words = (count + 63L) / 64;
        if (s.length() != 4 + 8 * words) {
            throw in.corrupt(
                    s, num(s.length()) + " bytes, expected " + num(4 + 8 * words) + " for " + num(count) + " entries");
        }
        ByteBuffer b = in.readAll(s);
        int n = b.getInt();
        if (n != count) {
            throw in.error(s, "covers " + num(Integer.toUnsignedLong(n)) + " entries, expected " + num(count));
        }
        long[] w = new long[(int) words];
        b.asLongBuffer().get(w);
        BitSet bits = BitSet.valueOf(w);
        if (bits.length() > count) {
            throw in.error(s, "bit " + (bits.length() - 1) + " is set beyond the " + num(count) + " entries");
        }
        return bits;
    }

    /** f32[count × rank], streamed straight into the array. */
    private float[] readFactors(Section s, int count, String what) throws IOException {
        int rank = params.rank();
        long floats = (long) count * rank;
        if (s.length() != 4 * floats) {
            throw in.corrupt(
                    s,
                    num(s.length()) + " bytes, expected " + num(4 * floats) + " (" + num(count) + " " + what
                            + " × rank " + rank + " × 4)");
        }
        if (floats > MAX_ARRAY) {
            throw in.error(s, num(count) + " " + what + " × rank " + rank + " exceeds the largest array");
        }
        float[] f = new float[(int) floats];
        in.stream(s, Sections.floats(f));
        return f;
    }

    /** f32[nnz], once, right after {@code seen}: its values; each finite. */
    private void readSeenCounts(Section s) throws IOException {
        if (seen == null || expected != SEEN + 1 || seenCounts) {
            throw in.corrupt(s, "must come once, right after section 'seen'");
        }
        if (s.length() != 4L * seen.nnz()) {
            throw in.corrupt(
                    s,
                    num(s.length()) + " bytes, expected " + num(4L * seen.nnz()) + " for " + num(seen.nnz())
                            + " entries");
        }
        float[] counts = new float[seen.nnz()];
        in.stream(s, Sections.floats(counts));
        for (int e = 0; e < counts.length; e++) {
            if (!Float.isFinite(counts[e])) {
                throw in.error(s, "entry " + e + " is " + counts[e] + ", expected a finite count");
            }
        }
        seen = new Csr(seen.rows(), seen.cols(), seen.rowPtr(), seen.colIdx(), counts);
        seenCounts = true;
    }

    /**
     * u32 rows, u32 cols, u32 nnz, i32 rowPtr[rows + 1], i32 colIdx[nnz]; every value reads back as 1.0 until
     * {@code seen counts} sets them.
     */
    private Csr readSeen(Section s, int users, int items) throws IOException {
        if (s.length() < 12) {
            throw in.corrupt(s, num(s.length()) + " bytes, too short for its dimensions");
        }
        ByteBuffer d = in.peek(s, 12);
        int rows = d.getInt(0);
        int cols = d.getInt(4);
        int nnz = d.getInt(8);
        if (rows != users || cols != items) {
            throw in.corrupt(
                    s,
                    "matrix is " + Integer.toUnsignedString(rows) + " × " + Integer.toUnsignedString(cols)
                            + ", expected " + users + " × " + items + " (users × items)");
        }
        long want = 12 + 4L * (rows + 1L) + 4L * Integer.toUnsignedLong(nnz);
        if (nnz < 0 || nnz > MAX_ARRAY || s.length() != want) {
            throw in.corrupt(
                    s,
                    num(s.length()) + " bytes do not hold " + num(Integer.toUnsignedLong(nnz)) + " entries of a " + rows
                            + "-row matrix");
        }
        int[] head = new int[3];
        int[] rowPtr = new int[rows + 1];
        int[] colIdx = new int[nnz];
        in.stream(s, Sections.ints(head, rowPtr, colIdx));
        String problem = ModelFormat.csrProblem(rows, cols, rowPtr, colIdx, users, items);
        if (problem != null) {
            throw in.error(s, problem);
        }
        float[] ones = new float[nnz];
        Arrays.fill(ones, 1f);
        return new Csr(rows, cols, rowPtr, colIdx, ones);
    }
}
