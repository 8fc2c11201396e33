package encore.als.io;

import encore.als.io.Sections.Section;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static encore.als.io.ModelFiles.assertContains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Sections}: the framing alone, with payloads that mean nothing. */
class SectionsTest {
    @TempDir
    Path dir;

    private interface Body {
        void write(Sections.Writer w) throws IOException;
    }

    private static byte[] written(Body body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Sections.Writer w = new Sections.Writer(out);
        w.fileHeader(7);
        body.write(w);
        w.flush();
        return out.toByteArray();
    }

    private interface Check {
        void check(Sections.Reader r) throws IOException;
    }

    private void read(byte[] file, Check check) throws IOException {
        Path f = dir.resolve("f.bin");
        Files.write(f, file);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            check.check(new Sections.Reader(f, ch));
        }
    }

    @Test
    void aSectionIsIdLengthPayloadAndACrcOverAllThree() throws IOException {
        byte[] file = written(w -> {
            w.begin(5, 7);
            w.putByte('a');
            w.putInt(0x01020304);
            w.putBytes(new byte[] {'b', 'c'});
            w.end();
        });
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertArrayEquals(ModelFormat.MAGIC, Arrays.copyOf(file, 8));
        assertEquals(7, b.getInt(8));
        assertEquals(0, b.getInt(12));
        assertEquals(5, b.getInt(16));
        assertEquals(7, b.getLong(20));
        assertArrayEquals(new byte[] {'a', 4, 3, 2, 1, 'b', 'c'}, Arrays.copyOfRange(file, 28, 35));
        CRC32C crc = new CRC32C();
        crc.update(file, 16, 12 + 7);
        assertEquals((int) crc.getValue(), b.getInt(35));
        assertEquals(39, file.length);
    }

    @Test
    void theWriterHoldsSectionsToTheirDeclaredLength() {
        assertThrows(
                IllegalStateException.class,
                () -> written(w -> {
                    w.begin(1, 8);
                    w.putInt(1);
                    w.end();
                }));
        assertThrows(
                IllegalStateException.class,
                () -> written(w -> {
                    w.begin(1, 0);
                    w.begin(2, 0);
                }));
    }

    @Test
    void payloadsLargerThanTheBufferStreamBackExactly() throws IOException {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] floats = new float[Sections.CHUNK / 4 * 2 + 123];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = Float.intBitsToFloat(rnd.nextInt()); // any bits, NaN payloads included
        }
        int[] ints = new int[Sections.CHUNK / 4 + 5];
        Arrays.setAll(ints, i -> rnd.nextInt());
        byte[] bytes = new byte[Sections.CHUNK + 3]; // larger than the buffer: bypasses it
        rnd.nextBytes(bytes);
        byte[] file = written(w -> {
            w.begin(1, 4L * floats.length);
            w.putFloats(floats);
            w.end();
            w.begin(2, 4L * ints.length + 4 + bytes.length + 1);
            w.putInts(ints);
            w.putInt(-1);
            w.putBytes(bytes);
            w.putByte(9);
            w.end();
        });
        read(file, r -> {
            assertEquals(7, r.fileHeader(1, 7));
            Section a = r.next();
            float[] back = new float[floats.length];
            r.stream(a, Sections.floats(back));
            for (int i = 0; i < floats.length; i++) {
                assertEquals(Float.floatToRawIntBits(floats[i]), Float.floatToRawIntBits(back[i]));
            }
            Section b = r.next();
            ByteBuffer all = r.readAll(b);
            int[] head = new int[ints.length];
            all.asIntBuffer().get(head);
            assertArrayEquals(ints, head);
            assertEquals(-1, all.getInt(4 * ints.length));
            assertArrayEquals(bytes, Arrays.copyOfRange(all.array(), 4 * ints.length + 4, all.limit() - 1));
            assertEquals(9, all.get(all.limit() - 1));
            r.requireLast(b);
        });
    }

    @Test
    void theCrcCoversTheSectionHeader() throws IOException {
        byte[] file = written(w -> {
            w.begin(3, 4);
            w.putInt(42);
            w.end();
        });
        byte[] bad = file.clone();
        bad[19] ^= (byte) 0x80; // id 3 becomes 0x80000003: skippable, if the CRC did not cover it
        read(bad, r -> {
            r.fileHeader(7, 7);
            Section s = r.next();
            assertEquals(ModelFormat.SKIPPABLE | 3, s.id());
            assertContains(
                    "checksum mismatch in section '0x80000003'",
                    assertThrows(ModelFormatException.class, () -> r.stream(s, Sections.SKIP)));
        });
    }

    @Test
    void lengthsAndCountsAreCheckedAgainstTheBytesThatRemain() throws IOException {
        byte[] file = written(w -> {
            w.begin(3, 8);
            w.putInt(2);
            w.putInt(5);
            w.end();
        });
        read(file, r -> {
            r.fileHeader(7, 7);
            Section s = r.next();
            ByteBuffer b = r.readAll(s);
            assertEquals(2, r.count(b, s, "pairs", 2)); // 2 × 2 bytes fit in the 4 that remain
            assertContains(
                    "count 5 does not fit in the 0 bytes that remain",
                    assertThrows(ModelFormatException.class, () -> r.count(b, s, "count", 1)));
            ByteBuffer c = r.readAll(s);
            assertContains(
                    "pairs 2 does not fit in the 4 bytes that remain",
                    assertThrows(ModelFormatException.class, () -> r.count(c, s, "pairs", 3)));
            assertContains(
                    "truncated: the file ends at offset 40 without an end marker",
                    assertThrows(ModelFormatException.class, r::next));
        });
        byte[] longer = file.clone();
        ByteBuffer.wrap(longer).order(ByteOrder.LITTLE_ENDIAN).putLong(20, 9);
        read(longer, r -> {
            r.fileHeader(7, 7);
            assertContains(
                    "truncated in section 'user labels' (expected 13 bytes, found 12)",
                    assertThrows(ModelFormatException.class, r::next));
        });
    }

    @Test
    void theHeaderNamesWhatIsWrong() throws IOException {
        byte[] file = written(w -> {});
        read(
                file,
                r -> assertContains(
                        "format version 7 is newer than this Encore (reads 1 to 2)",
                        assertThrows(ModelFormatException.class, () -> r.fileHeader(1, 2))));
        read(
                file,
                r -> assertContains(
                        "format version 7 is newer than this Encore (reads 6)",
                        assertThrows(ModelFormatException.class, () -> r.fileHeader(6, 6))));
        read(
                file,
                r -> assertContains(
                        "invalid format version 7",
                        assertThrows(ModelFormatException.class, () -> r.fileHeader(8, 9))));
        read(
                Arrays.copyOf(file, 12),
                r -> assertContains(
                        "truncated in header (expected 16 bytes, found 12)",
                        assertThrows(ModelFormatException.class, () -> r.fileHeader(1, 7))));
    }
}
