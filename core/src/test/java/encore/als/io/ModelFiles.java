package encore.als.io;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.matrix.Csr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * File surgery for the model-file tests: find sections in a file's bytes, patch payloads and re-seal their CRC,
 * splice sections in and out, and turn a file of the current format into one of format 1 (what Encore 0.1.0 wrote:
 * the params section as a 40-byte record followed by the {@code initialisation} section). Like Lucene's read-write
 * test codecs for old formats, the format-1 writer lives only in the tests; it is checked byte for byte against the
 * golden files Encore 0.1.0 wrote ({@code GoldenFilesTest}).
 */
final class ModelFiles {
    /** Every format version this build reads, for tests that hold on all of them. */
    static final int[] VERSIONS = {1, 2};

    private final Path dir;

    ModelFiles(Path dir) {
        this.dir = dir;
    }

    /** A section as laid out in a file: header at {@code start}, payload at {@code start + 12}, CRC, {@code end}. */
    record Sec(int id, int start, int length) {
        int payload() {
            return start + 12;
        }

        int end() {
            return start + 12 + length + 4;
        }
    }

    static List<Sec> sections(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<Sec> out = new ArrayList<>();
        int pos = 16;
        while (true) {
            Sec s = new Sec(b.getInt(pos), pos, Math.toIntExact(b.getLong(pos + 4)));
            out.add(s);
            pos = s.end();
            if (s.id() == ModelFormat.END) {
                assertEquals(file.length, pos);
                return out;
            }
        }
    }

    static Sec section(byte[] file, int id) {
        return sections(file).stream().filter(s -> s.id() == id).findFirst().orElseThrow();
    }

    /** Recomputes a section's CRC after the payload was patched, so only the semantic checks can catch it. */
    static void fixCrc(byte[] file, Sec s) {
        CRC32C crc = new CRC32C();
        crc.update(file, s.start(), 12 + s.length());
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(s.payload() + s.length(), (int) crc.getValue());
    }

    static byte[] encodeSection(int id, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(16 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(id).putLong(payload.length).put(payload);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 12 + payload.length);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    static byte[] splice(byte[] file, int at, byte[] insert, int removeLength) {
        byte[] out = new byte[file.length + insert.length - removeLength];
        System.arraycopy(file, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(file, at + removeLength, out, at + insert.length, file.length - at - removeLength);
        return out;
    }

    /** {@code file} with section {@code s} replaced by {@code replacement} (whole sections, CRCs included). */
    static byte[] replace(byte[] file, Sec s, byte[] replacement) {
        return splice(file, s.start(), replacement, s.end() - s.start());
    }

    /** A key/value payload (metadata, format-2 params) holding {@code pairs} in order, keys and values as UTF-8. */
    static byte[] keyValues(Map<String, String> pairs) {
        List<byte[]> parts = new ArrayList<>();
        for (Map.Entry<String, String> e : pairs.entrySet()) {
            parts.add(e.getKey().getBytes(StandardCharsets.UTF_8));
            parts.add(e.getValue().getBytes(StandardCharsets.UTF_8));
        }
        return keyValues(parts);
    }

    /** A key/value payload of raw key, value, key, value, … bytes. */
    static byte[] keyValues(List<byte[]> keysAndValues) {
        int len = 4;
        for (byte[] b : keysAndValues) {
            len += 4 + b.length;
        }
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN).putInt(keysAndValues.size() / 2);
        for (byte[] part : keysAndValues) {
            b.putInt(part.length).put(part);
        }
        return b.array();
    }

    // ------------------------------------------------------------------------------------------- format 1

    /** Format 1's 40-byte params record. */
    static byte[] v1Params(AlsParams p) {
        return ByteBuffer.allocate(ModelFormat.V1_PARAMS_BYTES)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(p.rank())
                .putInt(p.maxIter())
                .putDouble(p.regParam())
                .putDouble(p.alpha())
                .putLong(p.seed())
                .putInt(p.cgSteps())
                .put((byte) (p.implicitPrefs() ? 1 : 0))
                .put((byte) (p.nonnegative() ? 1 : 0))
                .put((byte) (p.solver() == AlsParams.Solver.CG ? 1 : 0))
                .put((byte) (p.coldStartStrategy() == AlsParams.ColdStartStrategy.DROP ? 1 : 0))
                .array();
    }

    /** Format 1's 5-byte initialisation section payload. */
    static byte[] v1Init(AlsParams p) {
        return ByteBuffer.allocate(ModelFormat.V1_INIT_BYTES)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) (p.init() == AlsParams.Init.SPARK ? 1 : 0))
                .putInt(p.numBlocks())
                .array();
    }

    /**
     * The format-1 file Encore 0.1.0 would have written for the same model: version 1 in the header, and the
     * key/value params section replaced by the 40-byte record and the initialisation section (every other section
     * is the same in both versions).
     */
    static byte[] toVersion1(byte[] current, AlsParams p) {
        byte[] params = encodeSection(ModelFormat.PARAMS, v1Params(p));
        byte[] init = encodeSection(ModelFormat.V1_INIT, v1Init(p));
        byte[] both = new byte[params.length + init.length];
        System.arraycopy(params, 0, both, 0, params.length);
        System.arraycopy(init, 0, both, params.length, init.length);
        byte[] v1 = replace(current, section(current, ModelFormat.PARAMS), both);
        ByteBuffer.wrap(v1).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 1);
        return v1;
    }

    // ------------------------------------------------------------------------------------------- files on disk

    /** The bytes of {@code model} saved in format {@code version}. */
    byte[] bytes(AlsModel model, Csr seen, Map<String, String> meta, int version) throws IOException {
        Path f = dir.resolve("sample.encore");
        ModelStore.save(f, model, seen, meta);
        byte[] b = Files.readAllBytes(f);
        if (version == 1) {
            return toVersion1(b, model.params());
        }
        assertEquals(ModelFormat.VERSION, version);
        return b;
    }

    /** A random model with a seen matrix and metadata, in format {@code version}. */
    byte[] sample(long seed, int nu, int ni, int rank, int version) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        return bytes(
                RandomModels.model(rnd, nu, ni, rank),
                RandomModels.seen(rnd, nu, ni),
                RandomModels.metadata(rnd),
                version);
    }

    /** Loads {@code content}, which must be accepted. */
    ModelStore.Stored load(byte[] content) throws IOException {
        Path f = dir.resolve("load.encore");
        Files.write(f, content);
        return ModelStore.load(f);
    }

    /** Loads {@code content}, which must be rejected with a message naming the file. */
    ModelFormatException rejected(byte[] content) throws IOException {
        Path f = dir.resolve("bad.encore");
        Files.write(f, content);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertEquals(f, e.file());
        return e;
    }

    static void assertContains(String expected, Exception e) {
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }
}
