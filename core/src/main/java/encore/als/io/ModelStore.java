package encore.als.io;

import encore.util.AtomicOutput;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.matrix.Csr;
import encore.matrix.Factors;
import encore.data.LabelIndex;
import encore.internal.Parallel;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;

/**
 * Saves and loads an {@link AlsModel} (plus, optionally, the matrix of training entries used to exclude already-seen
 * items) as a versioned, self-describing, checksummed binary file.
 *
 * <p>Model files are treated as untrusted input: every count and length is checked against the bytes that are
 * actually left in the file <em>before</em> anything is allocated, every section carries a CRC32C, and all values are
 * validated (rank range, label uniqueness and UTF-8 validity, CSR structure, array sizes that agree with each other).
 * Any problem with the content is reported as a {@link ModelFormatException} naming the file and what is wrong; Java
 * object serialization is never used. Saving goes through {@link AtomicOutput}, so readers see the previous file or
 * the complete new one, never a partial write.
 *
 * <h2>File layout, format version 1</h2>
 * All multi-byte values are little-endian; integers are two's complement. {@code u32}/{@code u64} fields that hold
 * counts or lengths must fit a Java {@code int}/{@code long} (values with the top bit set are rejected), and every
 * count must be consistent with the bytes that contain it.
 *
 * <table>
 * <caption>File header (16 bytes, offsets from the start of the file)</caption>
 * <tr><th>Offset</th><th>Size</th><th>Field</th><th>Value</th></tr>
 * <tr><td>0</td><td>8</td><td>magic</td><td>{@code 89 45 4E 43 0D 0A 1A 0A} ({@code \x89 E N C \r \n \x1A \n}, in
 *     the style of PNG: the high byte marks the file as binary, CR LF and the lone LF detect line-ending conversion,
 *     {@code \x1A} stops a DOS {@code type})</td></tr>
 * <tr><td>8</td><td>4</td><td>format version, u32</td><td>{@value #FORMAT_VERSION}; a reader refuses versions it does
 *     not know</td></tr>
 * <tr><td>12</td><td>4</td><td>flags, u32</td><td>0; no flags are defined in version 1 and a reader refuses any set
 *     bit</td></tr>
 * <tr><td>16</td><td>…</td><td>sections</td><td>until and including the end marker, which must be the last bytes of
 *     the file</td></tr>
 * </table>
 *
 * <table>
 * <caption>Section (repeated; offsets from the start of the section)</caption>
 * <tr><th>Offset</th><th>Size</th><th>Field</th><th>Meaning</th></tr>
 * <tr><td>0</td><td>4</td><td>id, u32</td><td>section type; bit 31 ({@code 0x80000000}) set means
 *     <em>skippable</em>: a reader that does not know the id checks its CRC and ignores it. An unknown id without
 *     that bit is an error.</td></tr>
 * <tr><td>4</td><td>8</td><td>length, u64</td><td>payload length {@code L} in bytes</td></tr>
 * <tr><td>12</td><td>L</td><td>payload</td><td>see below</td></tr>
 * <tr><td>12 + L</td><td>4</td><td>CRC32C, u32</td><td>{@link CRC32C} of the 12 id and length bytes followed by the
 *     payload. Covering id and length as well means a corrupted header cannot silently turn a section into a
 *     skippable one or move the section boundaries.</td></tr>
 * </table>
 *
 * <p>Known sections must appear in the order of this table, each at most once; skippable sections of unknown type may
 * appear anywhere before the end marker. All sections except {@code seen} are mandatory.
 *
 * <table>
 * <caption>Section payloads</caption>
 * <tr><th>Id</th><th>Name</th><th>Payload</th></tr>
 * <tr><td>1</td><td>params</td><td>exactly 40 bytes: u32 rank (1 … {@link AlsParams#MAX_RANK}), u32 maxIter,
 *     f64 regParam, f64 alpha, i64 seed, u32 cgSteps, u8 implicitPrefs (0/1), u8 nonnegative (0/1), u8 solver
 *     (0 = Cholesky, 1 = CG), u8 coldStartStrategy (0 = NaN, 1 = drop). {@code threads} is not stored: a loaded
 *     model uses the loading machine's cores.</td></tr>
 * <tr><td>2</td><td>metadata</td><td>u32 count, then {@code count} × (u32 key length, key bytes, u32 value length,
 *     value bytes); strings are UTF-8, keys unique (written in sorted order).</td></tr>
 * <tr><td>3</td><td>user labels</td><td>u32 count {@code n}, i32 frequency[n] (each ≥ 0), then {@code n} × (u32 byte
 *     length, UTF-8 label bytes), in index order; labels must be unique and valid UTF-8.</td></tr>
 * <tr><td>4</td><td>item labels</td><td>as user labels.</td></tr>
 * <tr><td>5</td><td>user presence</td><td>u32 count (= number of users), then ⌈count / 64⌉ u64 words: bit
 *     {@code u % 64} of word {@code u / 64} is set when user {@code u} has factors; bits at or beyond the count are
 *     0.</td></tr>
 * <tr><td>6</td><td>item presence</td><td>as user presence, for items.</td></tr>
 * <tr><td>7</td><td>user factors</td><td>f32[users × rank], row-major (raw IEEE-754 bits); the length must be exactly
 *     {@code users × rank × 4}.</td></tr>
 * <tr><td>8</td><td>item factors</td><td>f32[items × rank], as user factors.</td></tr>
 * <tr><td>9</td><td>seen (optional)</td><td>u32 rows (= users), u32 cols (= items), u32 nnz, i32 rowPtr[rows + 1]
 *     (rowPtr[0] = 0, non-decreasing, rowPtr[rows] = nnz), i32 colIdx[nnz] (in [0, cols), non-decreasing within a
 *     row). Values are not stored and read back as 1.0.</td></tr>
 * <tr><td>{@code 0x8000000A}</td><td>initialisation (skippable; written after params since the Spark-compatible
 *     initialisation was added, so earlier readers skip it)</td><td>exactly 5 bytes: u8 init (0 = Encore's per-entity
 *     streams, 1 = Spark's draws), u32 numBlocks (≥ 1). A file without it was initialised the Encore way with 10
 *     blocks.</td></tr>
 * <tr><td>0</td><td>end marker</td><td>empty ({@code L} = 0); nothing may follow its CRC.</td></tr>
 * </table>
 *
 * <p>Reading streams every section through one 1 MiB direct buffer (the CRC is computed on it) and converts factors
 * and CSR arrays in bulk ({@code asFloatBuffer().get(float[])}), so they load at close to disk or page-cache speed
 * without holding raw bytes and arrays at once. Large label sections are decoded on all cores, and their
 * {@link LabelIndex} (which hashes every label) is built on a background thread while the factors stream in.
 */
public final class ModelStore {
    /** The format version this class writes, and the newest it reads. */
    public static final int FORMAT_VERSION = 1;

    static final byte[] MAGIC = {(byte) 0x89, 'E', 'N', 'C', '\r', '\n', 0x1A, '\n'};
    static final int HEADER_BYTES = 16;
    static final int SECTION_HEADER_BYTES = 12;
    static final int CRC_BYTES = 4;
    /** Bit 31 of a section id: a reader that does not know the section may skip it. */
    static final int SKIPPABLE = 0x8000_0000;

    static final int END = 0;
    static final int PARAMS = 1;
    static final int METADATA = 2;
    static final int USER_LABELS = 3;
    static final int ITEM_LABELS = 4;
    static final int USER_PRESENCE = 5;
    static final int ITEM_PRESENCE = 6;
    static final int USER_FACTORS = 7;
    static final int ITEM_FACTORS = 8;
    static final int SEEN = 9;
    private static final int LAST_MANDATORY = ITEM_FACTORS;
    private static final int LAST_KNOWN = SEEN;
    static final int PARAMS_BYTES = 40;
    /** How the fit drew its initial factors; skippable, so readers older than it still read the file. */
    static final int INIT = SKIPPABLE | 10;
    static final int INIT_BYTES = 5;

    /** The largest array length every JVM accepts. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final int CHUNK = 1 << 20;

    private ModelStore() {
    }

    /**
     * A loaded model file.
     *
     * @param model    the model; its {@code threads} parameter is the loading machine's core count
     * @param seen     when the model was saved with one, the users × items matrix of training entries (structure only:
     *                 every value reads back as 1.0f), for excluding already-seen items; otherwise null
     * @param metadata the stored metadata (e.g. created-by, source file, timestamp), unmodifiable, in file order
     *                 (sorted by key, as {@link #save} writes it)
     */
    public record Stored(AlsModel model, Csr seen, Map<String, String> metadata) {
    }

    /**
     * Writes {@code model} to {@code file} atomically (temporary file, fsync, rename): on any failure the previous
     * file, if any, is left untouched and no temporary file remains.
     *
     * @param file       where to write (its directory is created if needed)
     * @param model      the model; its {@code threads} parameter is not stored
     * @param seenOrNull the users × items training matrix to store for {@code --exclude-seen} (only its structure is
     *                   kept), or null
     * @param metadata   free-form string pairs to store (null for none)
     * @throws IllegalArgumentException when a label, metadata key or value is not valid Unicode (an unpaired
     *                                  surrogate), a frequency is negative, or {@code seenOrNull} does not match the
     *                                  model's shape or is not a well-formed CSR matrix
     * @throws IOException              when the file cannot be written
     */
    public static void save(Path file, AlsModel model, Csr seenOrNull, Map<String, String> metadata)
        throws IOException {
        save(file, model, seenOrNull, metadata, UnaryOperator.identity());
    }

    /** {@link #save} with the output stream wrapped by {@code wrap} (tests inject failures here). */
    static void save(Path file, AlsModel model, Csr seenOrNull, Map<String, String> metadata,
                     UnaryOperator<OutputStream> wrap) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(model, "model");
        // validate and encode everything that can be rejected before a temporary file exists
        TreeMap<String, String> meta = new TreeMap<>();
        if (metadata != null) {
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                String k = Objects.requireNonNull(e.getKey(), "metadata key");
                String v = Objects.requireNonNull(e.getValue(), "metadata value of " + k);
                meta.put(k, v);
            }
        }
        byte[][] metaBytes = new byte[meta.size() * 2][];
        long metaLen = 4;
        int m = 0;
        for (Map.Entry<String, String> e : meta.entrySet()) {
            metaBytes[m++] = utf8(e.getKey(), "metadata key");
            metaBytes[m++] = utf8(e.getValue(), "metadata value of " + e.getKey());
        }
        for (byte[] b : metaBytes) {
            metaLen += 4 + b.length;
        }
        EncodedLabels users = EncodedLabels.of(model.users(), "user");
        EncodedLabels items = EncodedLabels.of(model.items(), "item");
        if (seenOrNull != null) {
            String problem = csrProblem(seenOrNull.rows(), seenOrNull.cols(), seenOrNull.rowPtr(),
                seenOrNull.colIdx(), users.count(), items.count());
            if (problem != null) {
                throw new IllegalArgumentException("seen matrix: " + problem);
            }
        }
        AlsParams p = model.params();
        int rank = p.rank();

        try (AtomicOutput out = AtomicOutput.create(file)) {
            OutputStream os = wrap.apply(out.stream());
            SectionWriter w = new SectionWriter(os);
            w.fileHeader();

            w.begin(PARAMS, PARAMS_BYTES);
            w.putInt(rank);
            w.putInt(p.maxIter());
            w.putDouble(p.regParam());
            w.putDouble(p.alpha());
            w.putLong(p.seed());
            w.putInt(p.cgSteps());
            w.putByte(p.implicitPrefs() ? 1 : 0);
            w.putByte(p.nonnegative() ? 1 : 0);
            w.putByte(p.solver() == AlsParams.Solver.CG ? 1 : 0);
            w.putByte(p.coldStartStrategy() == AlsParams.ColdStartStrategy.DROP ? 1 : 0);
            w.end();

            w.begin(INIT, INIT_BYTES);
            w.putByte(p.init() == AlsParams.Init.SPARK ? 1 : 0);
            w.putInt(p.numBlocks());
            w.end();

            w.begin(METADATA, metaLen);
            w.putInt(meta.size());
            for (byte[] b : metaBytes) {
                w.putInt(b.length);
                w.putBytes(b);
            }
            w.end();

            users.write(w, USER_LABELS);
            items.write(w, ITEM_LABELS);
            writePresence(w, USER_PRESENCE, users.count(), model::hasUser);
            writePresence(w, ITEM_PRESENCE, items.count(), model::hasItem);

            float[] uf = model.userFactors().data();
            w.begin(USER_FACTORS, 4L * uf.length);
            w.putFloats(uf);
            w.end();
            uf = null;
            float[] itf = model.itemFactors().data();
            w.begin(ITEM_FACTORS, 4L * itf.length);
            w.putFloats(itf);
            w.end();
            itf = null;

            if (seenOrNull != null) {
                w.begin(SEEN, 12 + 4L * (seenOrNull.rows() + 1) + 4L * seenOrNull.nnz());
                w.putInt(seenOrNull.rows());
                w.putInt(seenOrNull.cols());
                w.putInt(seenOrNull.nnz());
                w.putInts(seenOrNull.rowPtr());
                w.putInts(seenOrNull.colIdx());
                w.end();
            }

            w.begin(END, 0);
            w.end();
            os.flush();
            out.commit();
        }
    }

    /**
     * Reads a model file written by {@link #save}. Nothing is returned unless every section's checksum matched and
     * every value passed validation.
     *
     * @param file the model file
     * @return the model, the seen matrix when one was stored, and the metadata
     * @throws ModelFormatException when the file is not an Encore model, has a format version this build does not
     *                              read, is truncated or corrupted, or holds inconsistent or out-of-range values
     * @throws IOException          when the file cannot be read
     */
    public static Stored load(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            // factors load as they are stored, labels as strings about twice their bytes
            encore.internal.Memory.require(2 * ch.size(), "loading " + file + " (" + ch.size() + " bytes)");
            return new Reader(file, ch).read();
        }
    }

    // ------------------------------------------------------------------------------------------------ writing

    private interface Has {
        boolean get(int index);
    }

    private static void writePresence(SectionWriter w, int id, int count, Has has) throws IOException {
        BitSet bits = new BitSet(count);
        for (int i = 0; i < count; i++) {
            if (has.get(i)) {
                bits.set(i);
            }
        }
        long[] words = Arrays.copyOf(bits.toLongArray(), (count + 63) / 64);
        w.begin(id, 4 + 8L * words.length);
        w.putInt(count);
        for (long word : words) {
            w.putLong(word);
        }
        w.end();
    }

    /** Labels as UTF-8 byte arrays, checked to be valid Unicode, with their frequencies. */
    private record EncodedLabels(byte[][] bytes, int[] frequencies, long payload) {
        static EncodedLabels of(LabelIndex index, String kind) {
            int n = index.size();
            byte[][] bytes = new byte[n][];
            int[] freq = new int[n];
            long payload = 4 + 4L * n;
            for (int i = 0; i < n; i++) {
                bytes[i] = utf8(index.label(i), kind + " label " + i);
                freq[i] = index.frequency(i);
                if (freq[i] < 0) {
                    throw new IllegalArgumentException(kind + " label " + i + " has negative frequency " + freq[i]);
                }
                payload += 4 + bytes[i].length;
            }
            return new EncodedLabels(bytes, freq, payload);
        }

        int count() {
            return bytes.length;
        }

        void write(SectionWriter w, int id) throws IOException {
            w.begin(id, payload);
            w.putInt(bytes.length);
            w.putInts(frequencies);
            for (byte[] b : bytes) {
                w.putInt(b.length);
                w.putBytes(b);
            }
            w.end();
        }
    }

    /** UTF-8 bytes of {@code s}; unpaired surrogates (which UTF-8 cannot represent) are rejected, not replaced. */
    private static byte[] utf8(String s, String what) {
        Objects.requireNonNull(s, what);
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw new IllegalArgumentException(what + " contains an unpaired surrogate at char " + i
                        + " and cannot be stored as UTF-8");
                }
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Stages values in a 1 MiB buffer; each drained chunk goes through the section's CRC. */
    private static final class SectionWriter {
        private final OutputStream out;
        private final ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        private final CRC32C crc = new CRC32C();
        private long declared;
        private long written;
        private boolean open;

        SectionWriter(OutputStream out) {
            this.out = out;
        }

        void fileHeader() throws IOException {
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            h.put(MAGIC).putInt(FORMAT_VERSION).putInt(0);
            out.write(h.array());
        }

        void begin(int id, long length) throws IOException {
            if (open) {
                throw new IllegalStateException("section not ended");
            }
            drain();
            crc.reset();
            buf.putInt(id).putLong(length);
            declared = length;
            written = 0;
            open = true;
        }

        void end() throws IOException {
            drain();
            if (written != declared) {
                throw new IllegalStateException("section declared " + declared + " bytes, wrote " + written);
            }
            int c = (int) crc.getValue();
            out.write(new byte[] {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24)});
            open = false;
        }

        private void drain() throws IOException {
            if (buf.position() > 0) {
                crc.update(buf.array(), 0, buf.position());
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
        }

        private void ensure(int n) throws IOException {
            if (buf.remaining() < n) {
                drain();
            }
        }

        void putByte(int v) throws IOException {
            ensure(1);
            buf.put((byte) v);
            written += 1;
        }

        void putInt(int v) throws IOException {
            ensure(4);
            buf.putInt(v);
            written += 4;
        }

        void putLong(long v) throws IOException {
            ensure(8);
            buf.putLong(v);
            written += 8;
        }

        void putDouble(double v) throws IOException {
            ensure(8);
            buf.putDouble(v);
            written += 8;
        }

        void putBytes(byte[] b) throws IOException {
            if (b.length > buf.remaining()) {
                drain();
            }
            if (b.length > buf.remaining()) {
                crc.update(b, 0, b.length);
                out.write(b);
            } else {
                buf.put(b);
            }
            written += b.length;
        }

        void putFloats(float[] a) throws IOException {
            for (int off = 0; off < a.length; ) {
                ensure(4);
                int n = Math.min(a.length - off, buf.remaining() / 4);
                buf.asFloatBuffer().put(a, off, n);
                buf.position(buf.position() + 4 * n);
                off += n;
            }
            written += 4L * a.length;
        }

        void putInts(int[] a) throws IOException {
            for (int off = 0; off < a.length; ) {
                ensure(4);
                int n = Math.min(a.length - off, buf.remaining() / 4);
                buf.asIntBuffer().put(a, off, n);
                buf.position(buf.position() + 4 * n);
                off += n;
            }
            written += 4L * a.length;
        }
    }

    /**
     * What is wrong with a CSR structure of the given shape, or null when it is well formed: rowPtr starts at 0, never
     * decreases and ends at nnz; column indices are in range and non-decreasing within each row.
     */
    private static String csrProblem(int rows, int cols, int[] rowPtr, int[] colIdx, int wantRows, int wantCols) {
        if (rows != wantRows || cols != wantCols) {
            return "is " + rows + " × " + cols + ", expected " + wantRows + " × " + wantCols + " (users × items)";
        }
        if (rowPtr.length != rows + 1 || rowPtr[0] != 0 || rowPtr[rows] != colIdx.length) {
            return "row pointers do not span the " + colIdx.length + " entries";
        }
        for (int r = 0; r < rows; r++) {
            int a = rowPtr[r];
            int b = rowPtr[r + 1];
            if (b < a || b > colIdx.length) {
                return "row pointers decrease at row " + r;
            }
            int prev = 0;
            for (int q = a; q < b; q++) {
                int c = colIdx[q];
                if (c < 0 || c >= cols) {
                    return "column index " + c + " in row " + r + " is outside [0, " + cols + ")";
                }
                if (c < prev) {
                    return "column indices of row " + r + " are not sorted";
                }
                prev = c;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------ reading

    private static String sectionName(int id) {
        switch (id) {
            case END:
                return "end marker";
            case PARAMS:
                return "params";
            case METADATA:
                return "metadata";
            case USER_LABELS:
                return "user labels";
            case ITEM_LABELS:
                return "item labels";
            case USER_PRESENCE:
                return "user presence";
            case ITEM_PRESENCE:
                return "item presence";
            case USER_FACTORS:
                return "user factors";
            case ITEM_FACTORS:
                return "item factors";
            case SEEN:
                return "seen";
            case INIT:
                return "initialisation";
            default:
                return String.format(Locale.ROOT, "0x%08x", id);
        }
    }

    private static String num(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    /** One section as found in the file: its payload starts at {@code payloadPos}, its CRC follows the payload. */
    private record Section(int id, long length, long payloadPos, String name) {
    }

    /** Receives a section's payload chunk by chunk (position 0, limit = chunk size, little-endian). */
    private interface ChunkSink {
        void accept(ByteBuffer chunk);
    }

    private static final ChunkSink SKIP = chunk -> {
    };

    /** Fills float arrays in order; chunks hold whole floats because chunk sizes and lengths are multiples of 4. */
    private static ChunkSink floats(float[] dst) {
        int[] at = {0};
        return chunk -> {
            int n = chunk.remaining() / 4;
            chunk.asFloatBuffer().get(dst, at[0], n);
            at[0] += n;
        };
    }

    /** Fills the int arrays one after another. */
    private static ChunkSink ints(int[]... dst) {
        int[] state = {0, 0}; // array, offset in it
        return chunk -> {
            IntBuffer ib = chunk.asIntBuffer();
            while (ib.hasRemaining()) {
                while (state[1] == dst[state[0]].length) {
                    state[0]++;
                    state[1] = 0;
                }
                int[] t = dst[state[0]];
                int n = Math.min(ib.remaining(), t.length - state[1]);
                ib.get(t, state[1], n);
                state[1] += n;
            }
        };
    }

    private static final int CORES = Runtime.getRuntime().availableProcessors();
    /** Label sections with at least this many labels are decoded in parallel and indexed in the background. */
    private static final int PARALLEL_LABELS = 1 << 15;

    /**
     * Strict UTF-8, or null when {@code a[off, off + len)} is malformed. The JDK's fast decoder replaces every
     * malformed sequence with U+FFFD, so only a result containing U+FFFD (usually a genuine replacement character) is
     * decoded again strictly to tell the two apart.
     */
    private static String decode(byte[] a, int off, int len) {
        String str = new String(a, off, len, StandardCharsets.UTF_8);
        if (str.indexOf('\uFFFD') >= 0) {
            try {
                StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(a, off, len)); // reports malformed input
            } catch (CharacterCodingException e) {
                return null;
            }
        }
        return str;
    }

    /** A label section's size, and its index, which may still be under construction on another thread. */
    private record Labels(int count, Future<LabelIndex> index) {
        LabelIndex await() throws IOException {
            return Parallel.await(index, "interrupted while indexing model labels");
        }
    }

    private static final class Reader {
        private final Path file;
        private final FileChannel ch;
        private final CRC32C crc = new CRC32C();
        private long size;
        private ByteBuffer chunk;

        Reader(Path file, FileChannel ch) {
            this.file = file;
            this.ch = ch;
        }

        private ModelFormatException error(String problem) {
            return new ModelFormatException(file, problem);
        }

        private ModelFormatException error(Section s, String problem) {
            return new ModelFormatException(file, "section '" + s.name() + "': " + problem);
        }

        /**
         * A problem found before the section's CRC was checked: if the CRC does not match, the section is corrupted
         * and that is reported instead.
         */
        private ModelFormatException corrupt(Section s, String problem) throws IOException {
            stream(s, SKIP);
            return error(s, problem);
        }

        private void readFully(ByteBuffer dst, long pos, String where) throws IOException {
            while (dst.hasRemaining()) {
                int n = ch.read(dst, pos);
                if (n < 0) {
                    throw error("truncated in " + where + " (the file shrank while being read)");
                }
                pos += n;
            }
        }

        Stored read() throws IOException {
            size = ch.size();
            if (size == 0) {
                throw error("empty file (0 bytes), not an Encore model");
            }
            ByteBuffer h = ByteBuffer.allocate((int) Math.min(HEADER_BYTES, size)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(h, 0, "header");
            for (int i = 0; i < Math.min(MAGIC.length, h.limit()); i++) {
                if (h.get(i) != MAGIC[i]) {
                    throw error("not an Encore model (bad magic)");
                }
            }
            if (size < HEADER_BYTES) {
                throw error("truncated in header (expected " + HEADER_BYTES + " bytes, found " + size + ")");
            }
            int version = h.getInt(8);
            if (version != FORMAT_VERSION) {
                if (Integer.compareUnsigned(version, FORMAT_VERSION) > 0) {
                    throw error("format version " + Integer.toUnsignedString(version)
                        + " is newer than this Encore (reads " + FORMAT_VERSION + ")");
                }
                throw error("invalid format version " + version);
            }
            int flags = h.getInt(12);
            if (flags != 0) {
                throw error(String.format(Locale.ROOT, "unsupported header flags 0x%08x (format version %d defines "
                    + "none)", flags, FORMAT_VERSION));
            }

            AlsParams params = null;
            boolean initRead = false;
            Map<String, String> metadata = null;
            Labels users = null;
            Labels items = null;
            BitSet userHas = null;
            BitSet itemHas = null;
            float[] userFactors = null;
            float[] itemFactors = null;
            Csr seen = null;
            int expected = PARAMS;
            long pos = HEADER_BYTES;
            ByteBuffer sh = ByteBuffer.allocate(SECTION_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (true) {
                long avail = size - pos;
                if (avail < SECTION_HEADER_BYTES) {
                    throw error(avail == 0
                        ? "truncated: the file ends at offset " + num(pos) + " without an end marker"
                        : "truncated in a section header at offset " + num(pos) + " (expected "
                            + SECTION_HEADER_BYTES + " bytes, found " + avail + ")");
                }
                sh.clear();
                readFully(sh, pos, "a section header");
                int id = sh.getInt(0);
                long length = sh.getLong(4);
                String name = sectionName(id);
                long room = avail - SECTION_HEADER_BYTES;
                if (length < 0 || length > room - CRC_BYTES) {
                    String want = length < 0 ? Long.toUnsignedString(length) + " + " + CRC_BYTES
                        : num(length + CRC_BYTES);
                    throw error("truncated in section '" + name + "' (expected " + want + " bytes, found "
                        + num(room) + ")");
                }
                crc.reset();
                crc.update(sh.array(), 0, SECTION_HEADER_BYTES);
                Section s = new Section(id, length, pos + SECTION_HEADER_BYTES, name);
                pos = s.payloadPos() + length + CRC_BYTES;

                if (id == END) {
                    if (length != 0) {
                        throw corrupt(s, "the end marker has a " + num(length) + "-byte payload, expected none");
                    }
                    stream(s, SKIP);
                    if (expected <= LAST_MANDATORY) {
                        throw error("section '" + sectionName(expected) + "' is missing");
                    }
                    if (pos != size) {
                        throw error(num(size - pos) + " unexpected bytes after the end marker");
                    }
                    break;
                }
                if (id == INIT) {
                    if (params == null || expected != PARAMS + 1 || initRead) {
                        throw corrupt(s, "must come once, right after section 'params'");
                    }
                    params = readInit(s, params);
                    initRead = true;
                    continue;
                }
                if (Integer.compareUnsigned(id, LAST_KNOWN) > 0) {
                    if ((id & SKIPPABLE) != 0) {
                        stream(s, SKIP);
                        continue;
                    }
                    throw corrupt(s, "unknown section type that cannot be skipped (written by a newer Encore?)");
                }
                if (id != expected) {
                    throw corrupt(s, expected <= LAST_MANDATORY
                        ? "found where section '" + sectionName(expected) + "' was expected"
                        : "out of order or repeated");
                }
                expected = id + 1;
                switch (id) {
                    case PARAMS -> params = readParams(s);
                    case METADATA -> metadata = readMetadata(s);
                    case USER_LABELS -> users = readLabels(s);
                    case ITEM_LABELS -> items = readLabels(s);
                    case USER_PRESENCE -> userHas = readPresence(s, users.count());
                    case ITEM_PRESENCE -> itemHas = readPresence(s, items.count());
                    case USER_FACTORS -> userFactors = readFactors(s, users.count(), params.rank(), "users");
                    case ITEM_FACTORS -> itemFactors = readFactors(s, items.count(), params.rank(), "items");
                    case SEEN -> seen = readSeen(s, users.count(), items.count());
                    default -> throw new IllegalStateException("unhandled section " + id);
                }
            }
            LabelIndex userIndex = users.await();
            LabelIndex itemIndex = items.await();
            try {
                AlsModel model = new AlsModel(params, userIndex, itemIndex,
                    Factors.wrap(userFactors, userIndex.size(), params.rank(), userHas),
                    Factors.wrap(itemFactors, itemIndex.size(), params.rank(), itemHas));
                return new Stored(model, seen, metadata);
            } catch (IllegalArgumentException e) {
                throw error("inconsistent model: " + e.getMessage());
            }
        }

        /** Streams the payload through {@code sink} chunk by chunk, then checks the CRC. */
        private void stream(Section s, ChunkSink sink) throws IOException {
            if (chunk == null) {
                // a multiple of 4 so floats and ints never straddle chunks; small files get a small buffer
                int cap = (int) Math.min(CHUNK, (size + 3) & ~3L);
                chunk = ByteBuffer.allocateDirect(Math.max(cap, 4)).order(ByteOrder.LITTLE_ENDIAN);
            }
            long pos = s.payloadPos();
            long left = s.length();
            while (left > 0) {
                int n = (int) Math.min(chunk.capacity(), left);
                chunk.clear().limit(n);
                readFully(chunk, pos, "section '" + s.name() + "'");
                chunk.flip();
                crc.update(chunk);
                chunk.rewind();
                sink.accept(chunk);
                pos += n;
                left -= n;
            }
            checkCrc(s);
        }

        /** The whole payload in a heap buffer (positioned at 0), CRC checked. For sections bounded by the file size. */
        private ByteBuffer readSmall(Section s) throws IOException {
            if (s.length() > MAX_ARRAY) {
                throw corrupt(s, "section of " + num(s.length()) + " bytes is too large to read");
            }
            // through the direct chunk buffer: reading a large heap buffer directly would make the JDK allocate a
            // temporary direct buffer of the same size
            byte[] a = new byte[(int) s.length()];
            int[] at = {0};
            stream(s, chunk -> {
                int n = chunk.remaining();
                chunk.get(a, at[0], n);
                at[0] += n;
            });
            return ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN);
        }

        private void checkCrc(Section s) throws IOException {
            ByteBuffer c = ByteBuffer.allocate(CRC_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(c, s.payloadPos() + s.length(), "section '" + s.name() + "'");
            if (c.getInt(0) != (int) crc.getValue()) {
                throw error("checksum mismatch in section '" + s.name() + "' (file corrupted)");
            }
        }

        private AlsParams readParams(Section s) throws IOException {
            if (s.length() != PARAMS_BYTES) {
                throw corrupt(s, num(s.length()) + " bytes, expected " + PARAMS_BYTES);
            }
            ByteBuffer b = readSmall(s);
            int rank = b.getInt();
            int maxIter = b.getInt();
            double regParam = b.getDouble();
            double alpha = b.getDouble();
            long seed = b.getLong();
            int cgSteps = b.getInt();
            byte implicit = b.get();
            byte nonneg = b.get();
            byte solver = b.get();
            byte cold = b.get();
            if (rank < 1 || rank > AlsParams.MAX_RANK) {
                throw error(s, "rank " + Integer.toUnsignedString(rank) + " is outside [1, " + AlsParams.MAX_RANK
                    + "]");
            }
            if (implicit > 1 || implicit < 0 || nonneg > 1 || nonneg < 0) {
                throw error(s, "invalid flag byte (implicitPrefs " + implicit + ", nonnegative " + nonneg + ")");
            }
            if (solver != 0 && solver != 1) {
                throw error(s, "unknown solver code " + solver);
            }
            if (cold != 0 && cold != 1) {
                throw error(s, "unknown cold-start strategy code " + cold);
            }
            try {
                // init and numBlocks keep their defaults until an 'initialisation' section says otherwise
                return AlsParams.builder().rank(rank).maxIter(maxIter).regParam(regParam).implicitPrefs(implicit == 1)
                    .alpha(alpha).nonnegative(nonneg == 1).seed(seed)
                    .solver(solver == 1 ? AlsParams.Solver.CG : AlsParams.Solver.CHOLESKY).cgSteps(cgSteps)
                    .coldStartStrategy(cold == 1 ? AlsParams.ColdStartStrategy.DROP : AlsParams.ColdStartStrategy.NAN)
                    .build();
            } catch (IllegalArgumentException e) {
                throw error(s, "invalid parameters: " + e.getMessage());
            }
        }

        private AlsParams readInit(Section s, AlsParams p) throws IOException {
            if (s.length() != INIT_BYTES) {
                throw corrupt(s, num(s.length()) + " bytes, expected " + INIT_BYTES);
            }
            ByteBuffer b = readSmall(s);
            byte init = b.get();
            int blocks = b.getInt();
            if (init != 0 && init != 1) {
                throw error(s, "unknown initialisation code " + init);
            }
            if (blocks < 1) {
                throw error(s, "numBlocks " + Integer.toUnsignedString(blocks) + " is not >= 1");
            }
            return p.toBuilder().init(init == 1 ? AlsParams.Init.SPARK : AlsParams.Init.ENCORE).numBlocks(blocks)
                .build();
        }

        /** A non-negative u32 count or length that must fit in {@code remaining} bytes at {@code bytesEach}. */
        private int count(ByteBuffer b, Section s, String what, int bytesEach) throws ModelFormatException {
            if (b.remaining() < 4) {
                throw error(s, "ends inside " + what);
            }
            int v = b.getInt();
            if (v < 0 || (long) v * bytesEach > b.remaining()) {
                throw error(s, what + " " + num(Integer.toUnsignedLong(v)) + " does not fit in the "
                    + num(b.remaining()) + " bytes that remain");
            }
            return v;
        }

        private String string(ByteBuffer b, Section s, String what) throws ModelFormatException {
            int len = count(b, s, "length of " + what, 1);
            int off = b.position();
            b.position(off + len);
            String str = decode(b.array(), off, len);
            if (str == null) {
                throw error(s, what + " is not valid UTF-8");
            }
            return str;
        }

        private Map<String, String> readMetadata(Section s) throws IOException {
            ByteBuffer b = readSmall(s);
            int n = count(b, s, "entry count", 8);
            Map<String, String> map = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String k = string(b, s, "key " + i);
                String v = string(b, s, "value " + i);
                if (map.put(k, v) != null) {
                    throw error(s, "duplicate key \"" + k + "\"");
                }
            }
            if (b.hasRemaining()) {
                throw error(s, num(b.remaining()) + " unexpected bytes after the last entry");
            }
            return Collections.unmodifiableMap(map);
        }

        /**
         * Reads a label section: the structure (count, frequencies, length prefixes) at once; for large sections the
         * strings are decoded on all cores and the index (whose construction hashes every label) is built on a
         * background thread while the factor sections stream in.
         */
        private Labels readLabels(Section s) throws IOException {
            ByteBuffer b = readSmall(s);
            int n = count(b, s, "label count", 8);
            int[] freq = new int[n];
            b.asIntBuffer().get(freq);
            b.position(b.position() + 4 * n);
            for (int i = 0; i < n; i++) {
                if (freq[i] < 0) {
                    throw error(s, "label " + i + " has negative frequency " + freq[i]);
                }
            }
            int[] start = new int[n]; // where each label's bytes begin; its length is the u32 just before
            int p = b.position();
            int end = b.limit();
            for (int i = 0; i < n; i++) {
                if (end - p < 4) {
                    throw error(s, "ends inside the length of label " + i);
                }
                int len = b.getInt(p);
                p += 4;
                if (len < 0 || len > end - p) {
                    throw error(s, "label " + i + " of " + num(Integer.toUnsignedLong(len))
                        + " bytes does not fit in the " + num(end - p) + " bytes that remain");
                }
                start[i] = p;
                p += len;
            }
            if (p != end) {
                throw error(s, num(end - p) + " unexpected bytes after the last label");
            }

            String[] labels = new String[n];
            byte[] a = b.array();
            boolean parallel = n >= PARALLEL_LABELS && CORES > 1;
            int parts = parallel ? Math.min(CORES * 4, n / (PARALLEL_LABELS / 8)) : 1;
            Parallel.forEach(parallel ? CORES : 1, parts, part -> {
                int from = (int) ((long) n * part / parts);
                int to = (int) ((long) n * (part + 1) / parts);
                for (int i = from; i < to; i++) {
                    labels[i] = decode(a, start[i], b.getInt(start[i] - 4));
                    if (labels[i] == null) {
                        throw error(s, "label " + i + " is not valid UTF-8");
                    }
                }
            });

            FutureTask<LabelIndex> index = new FutureTask<>(() -> {
                LabelIndex x;
                try {
                    x = LabelIndex.ofOrdered(labels, freq);
                } catch (IllegalArgumentException e) {
                    throw error(s, e.getMessage());
                }
                // ofOrdered rejects a label equal to any earlier one except the one just before it (its dictionary
                // check compares the id it gets back with the newest id); that case is caught here
                for (int i = 1; i < n; i++) {
                    if (labels[i].equals(labels[i - 1])) {
                        throw error(s, "duplicate label: " + labels[i]);
                    }
                }
                return x;
            });
            if (parallel) {
                Thread t = new Thread(index, "encore-model-labels");
                t.setDaemon(true);
                t.start();
            } else {
                index.run();
            }
            return new Labels(n, index);
        }

        private BitSet readPresence(Section s, int count) throws IOException {
            long words = (count + 63L) / 64;
            if (s.length() != 4 + 8 * words) {
                throw corrupt(s, num(s.length()) + " bytes, expected " + num(4 + 8 * words) + " for " + num(count)
                    + " entries");
            }
            ByteBuffer b = readSmall(s);
            int n = b.getInt();
            if (n != count) {
                throw error(s, "covers " + num(Integer.toUnsignedLong(n)) + " entries, expected " + num(count));
            }
            long[] w = new long[(int) words];
            b.asLongBuffer().get(w);
            BitSet bits = BitSet.valueOf(w);
            if (bits.length() > count) {
                throw error(s, "bit " + (bits.length() - 1) + " is set beyond the " + num(count) + " entries");
            }
            return bits;
        }

        private float[] readFactors(Section s, int count, int rank, String what) throws IOException {
            long floats = (long) count * rank;
            if (s.length() != 4 * floats) {
                throw corrupt(s, num(s.length()) + " bytes, expected " + num(4 * floats) + " (" + num(count) + " "
                    + what + " × rank " + rank + " × 4)");
            }
            if (floats > MAX_ARRAY) {
                throw error(s, num(count) + " " + what + " × rank " + rank + " exceeds the largest array");
            }
            float[] f = new float[(int) floats];
            stream(s, floats(f));
            return f;
        }

        private Csr readSeen(Section s, int users, int items) throws IOException {
            if (s.length() < 12) {
                throw corrupt(s, num(s.length()) + " bytes, too short for its dimensions");
            }
            ByteBuffer d = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readFully(d, s.payloadPos(), "section '" + s.name() + "'");
            int rows = d.getInt(0);
            int cols = d.getInt(4);
            int nnz = d.getInt(8);
            if (rows != users || cols != items) {
                throw corrupt(s, "matrix is " + Integer.toUnsignedString(rows) + " × " + Integer.toUnsignedString(cols)
                    + ", expected " + users + " × " + items + " (users × items)");
            }
            long want = 12 + 4L * (rows + 1L) + 4L * Integer.toUnsignedLong(nnz);
            if (nnz < 0 || nnz > MAX_ARRAY || s.length() != want) {
                throw corrupt(s, num(s.length()) + " bytes do not hold " + num(Integer.toUnsignedLong(nnz))
                    + " entries of a " + rows + "-row matrix");
            }
            int[] head = new int[3];
            int[] rowPtr = new int[rows + 1];
            int[] colIdx = new int[nnz];
            stream(s, ints(head, rowPtr, colIdx));
            String problem = csrProblem(rows, cols, rowPtr, colIdx, users, items);
            if (problem != null) {
                throw error(s, problem);
            }
            float[] ones = new float[nnz];
            Arrays.fill(ones, 1f);
            return new Csr(rows, cols, rowPtr, colIdx, ones);
        }
    }
}
