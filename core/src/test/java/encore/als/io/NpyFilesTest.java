package encore.als.io;

import encore.data.InputFormatException;
import encore.matrix.Factors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link NpyWriter}'s exact bytes and {@link NpyReader}'s checks. */
class NpyFilesTest {
    @TempDir
    Path dir;

    /** Two rows at rank 3, both present. */
    static Factors twoByThree() {
        BitSet present = new BitSet();
        present.set(0, 2);
        return Factors.copyOf(new float[] {1.5f, -0.25f, 0f, 2f, 0.5f, -3f}, 2, 3, present);
    }

    static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void headerOfATwoByThreeFloatMatrixIsNumpysByteForByte() {
        // magic, version 1.0, header length 118 (uint16 LE), the dict, 20 spaces of growth room + 38 of padding, \n:
        // 10 + 118 = 128 bytes, a multiple of 64
        byte[] expected = concat(
                bytes(0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0),
                ascii("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + " ".repeat(58) + "\n"));
        assertArrayEquals(expected, NpyWriter.header(NpyWriter.FLOAT32, 2, 3));
    }

    @Test
    void headerOfABoolVectorWritesTheOneElementTuple() {
        byte[] expected = concat(
                bytes(0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0),
                ascii("{'descr': '|b1', 'fortran_order': False, 'shape': (5,), }" + " ".repeat(60) + "\n"));
        assertArrayEquals(expected, NpyWriter.header(NpyWriter.BOOL, 5));
    }

    @Test
    void everyHeaderEndsTheFirst64ByteMultipleWithANewline() {
        for (long n = 0; n < Long.MAX_VALUE / 10; n = n * 10 + 7) {
            for (long[] shape : new long[][] {{n, 64}, {7, n}, {n}}) {
                byte[] h = NpyWriter.header(shape.length == 1 ? NpyWriter.BOOL : NpyWriter.FLOAT32, shape);
                assertEquals(0, h.length % 64, Arrays.toString(shape));
                assertEquals('\n', h[h.length - 1]);
                assertEquals(h.length - 10, (h[8] & 0xff) | (h[9] & 0xff) << 8);
                String dict = new String(h, 10, h.length - 10, StandardCharsets.US_ASCII);
                assertEquals(dict.strip().length(), dict.indexOf('}') + 1, "only spaces and the newline follow");
            }
        }
    }

    @Test
    void factorsAreFloat32LittleEndianRowMajorAndAbsentRowsAreZeros() throws Exception {
        BitSet present = new BitSet();
        present.set(1);
        // row 0 is absent but holds non-zero garbage: the export must not leak it
        Factors f = Factors.wrap(new float[] {9f, 9f, 1.5f, -0.25f}, 2, 2, present);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyWriter.writeFactors(out, f);
        byte[] all = out.toByteArray();
        byte[] header = NpyWriter.header(NpyWriter.FLOAT32, 2, 2);
        assertArrayEquals(header, Arrays.copyOf(all, header.length));
        assertArrayEquals(
                bytes(0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x80, 0xbe),
                Arrays.copyOfRange(all, header.length, all.length));
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        NpyWriter.writePresence(p, f);
        byte[] pb = p.toByteArray();
        assertArrayEquals(bytes(0, 1), Arrays.copyOfRange(pb, pb.length - 2, pb.length));
        assertEquals(NpyWriter.header(NpyWriter.BOOL, 2).length + 2, pb.length);
    }

    @Test
    void roundTripThroughTheReader() throws Exception {
        Path m = dir.resolve("m.npy");
        try (var out = Files.newOutputStream(m)) {
            NpyWriter.writeFactors(out, twoByThree());
        }
        NpyReader.Float32Matrix back = NpyReader.readFloat32Matrix(m);
        assertEquals(2, back.rows());
        assertEquals(3, back.cols());
        assertArrayEquals(new float[] {1.5f, -0.25f, 0f, 2f, 0.5f, -3f}, back.data());
        assertEquals(-3f, back.get(1, 2));

        BitSet present = new BitSet();
        present.set(0);
        present.set(2);
        present.set(70_000); // past the first 64 KiB buffer
        Factors sparse = Factors.zeros(70_001, 1, present);
        Path p = dir.resolve("p.npy");
        try (var out = Files.newOutputStream(p)) {
            NpyWriter.writePresence(out, sparse);
        }
        boolean[] bits = NpyReader.readBoolVector(p);
        assertEquals(70_001, bits.length);
        int n = 0;
        for (int i = 0; i < bits.length; i++) {
            if (bits[i]) {
                n++;
                assertEquals(true, present.get(i), "row " + i);
            }
        }
        assertEquals(3, n);
    }

    @Test
    void zeroRowsRoundTrip() throws Exception {
        Path m = dir.resolve("empty.npy");
        try (var out = Files.newOutputStream(m)) {
            NpyWriter.writeFactors(out, Factors.zeros(0, 4, new BitSet()));
        }
        NpyReader.Float32Matrix back = NpyReader.readFloat32Matrix(m);
        assertEquals(0, back.rows());
        assertEquals(4, back.cols());
        assertEquals(128, Files.size(m));
    }

    private String readError(byte[] content, boolean matrix) throws Exception {
        Path f = dir.resolve("bad.npy");
        Files.write(f, content);
        InputFormatException e = assertThrows(InputFormatException.class, () -> {
            if (matrix) {
                NpyReader.readFloat32Matrix(f);
            } else {
                NpyReader.readBoolVector(f);
            }
        });
        assertEquals(f, e.file());
        return e.getMessage().substring((f + ": ").length());
    }

    /** A complete v1.0 file with the given header dict (padded as numpy does) and data bytes. */
    static byte[] file(String dict, byte[] data) {
        int hlen = dict.length() + 1;
        int pad = 64 - (10 + hlen) % 64;
        String h = dict + " ".repeat(pad) + "\n";
        return concat(bytes(0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, h.length(), 0), ascii(h), data);
    }

    @Test
    void theReaderRefusesWhatItCannotReadExactly() throws Exception {
        String ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }";
        byte[] eight = new byte[8];
        assertEquals(
                2,
                NpyReader.readFloat32Matrix(Files.write(dir.resolve("ok.npy"), file(ok, eight)))
                        .cols());

        assertEquals(
                "not a .npy file (4 bytes, shorter than the magic and header length)", readError(ascii("abcd"), true));
        assertEquals("not a .npy file (no \\x93NUMPY magic)", readError(ascii("PK\u0003\u0004 a zip file"), true));
        byte[] v2 = file(ok, eight);
        v2[6] = 2;
        assertEquals(".npy format version 2.0 is not read, only 1.0", readError(v2, true));
        byte[] longHeader = file(ok, eight);
        longHeader[9] = 0x7f;
        assertEquals(
                "the header length " + (0x7f00 | (longHeader[8] & 0xff)) + " runs past the end of the file ("
                        + longHeader.length + " bytes)",
                readError(longHeader, true));
        assertEquals(
                "shape (1, 2) needs 8 data bytes, the file has 7 (truncated)", readError(file(ok, new byte[7]), true));
        assertEquals(
                "shape (1, 2) needs 8 data bytes, the file has 9 (trailing bytes)",
                readError(file(ok, new byte[9]), true));
        assertEquals(
                "shape (3000000000, 1000000000) has more elements than one Java array holds",
                readError(
                        file("{'descr': '<f4', 'fortran_order': False, 'shape': (3000000000, 1000000000), }", eight),
                        true));
        assertEquals(
                "shape (10000, 10000) needs 400000000 data bytes, the file has 8 (truncated)",
                readError(file("{'descr': '<f4', 'fortran_order': False, 'shape': (10000, 10000), }", eight), true));
        assertEquals(
                "element type (descr) is '<f8', expected '<f4'",
                readError(file("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", eight), true));
        assertEquals(
                "fortran_order is true: only C order (False) is read",
                readError(file("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2), }", eight), true));
        assertEquals(
                "shape (8,) has 1 dimensions, expected 2",
                readError(file("{'descr': '<f4', 'fortran_order': False, 'shape': (8,), }", new byte[32]), true));
        assertEquals(
                "malformed header at character 53: '(8)' is not a tuple (a one-element tuple is written '(n,)')",
                readError(file("{'descr': '|b1', 'fortran_order': False, 'shape': (8), }", new byte[8]), false));
        assertEquals(
                "malformed header at character 16: the keys descr, fortran_order and shape are required, found "
                        + "[descr]",
                readError(file("{'descr': '|b1'}", new byte[8]), false));
        assertEquals(
                "malformed header at character 17: unexpected or repeated key 'descr'",
                readError(
                        file("{'descr': '|b1', 'descr': '|b1', 'fortran_order': False, 'shape': (1,)}", new byte[1]),
                        false));
        assertEquals(
                "malformed header at character 50: unexpected 'x' where a value belongs",
                readError(file("{'descr': '|b1', 'fortran_order': False, 'shape': x}", new byte[1]), false));
        assertEquals(
                "malformed header at character 58: unexpected 'o' after the dict",
                readError(file("{'descr': '|b1', 'fortran_order': False, 'shape': (1,), } odd", new byte[1]), false));
        assertEquals(
                "bool element 1 is 2, expected 0 or 1",
                readError(file("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", bytes(1, 2, 0)), false));
    }
}
