package encore.spark;

import encore.data.LabelIndex;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The label files: exact bytes written, strict RFC 4180 reading, and every malformed input named by file and line. */
class LabelFilesTest {
    private static FileSystem fs;

    @BeforeAll
    static void localFs() throws IOException {
        fs = FileSystem.getLocal(new Configuration());
    }

    private static LabelFiles.Labels read(Path file) throws IOException {
        return LabelFiles.read(fs, new org.apache.hadoop.fs.Path(file.toUri()));
    }

    private static Path file(Path dir, String content) throws IOException {
        return Files.write(dir.resolve("labels.csv"), content.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void writesRfc4180RecordsForEveryIndex() throws IOException {
        LabelIndex index = LabelIndex.ofOrdered(
                new String[] {"plain", "a,b", "say \"hi\"", "two\nlines", " padded ", "", "日本 🎵", "back\\slash"},
                new int[] {7, 6, 5, 4, 3, 2, 1, 0});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LabelFiles.write(out, index, "user");
        assertEquals(
                "id,label,frequency\n"
                        + "0,plain,7\n"
                        + "1,\"a,b\",6\n"
                        + "2,\"say \"\"hi\"\"\",5\n"
                        + "3,\"two\nlines\",4\n"
                        + "4,\" padded \",3\n"
                        + "5,\"\",2\n"
                        + "6,日本 🎵,1\n"
                        + "7,back\\slash,0\n",
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void whatIsWrittenReadsBackExactly(@TempDir Path dir) throws IOException {
        String[] labels = {"plain", "a,b", "say \"hi\"", "two\r\nlines", " padded ", "", "日本 🎵", "x"};
        int[] freq = {7, 6, 5, 4, 3, 2, 1, 0};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LabelFiles.write(out, LabelIndex.ofOrdered(labels, freq), "item");
        LabelFiles.Labels back = read(Files.write(dir.resolve("l.csv"), out.toByteArray()));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, back.ids());
        assertArrayEquals(labels, back.labels());
        assertArrayEquals(freq, back.frequencies());
    }

    @Test
    void readsIdLabelFilesInAnyIdOrderWithCrlfAndABom(@TempDir Path dir) throws IOException {
        LabelFiles.Labels l = read(file(dir, "\uFEFFid,label\r\n30,c\r\n-5,\"minus, five\"\r\n10,\"a\r\nb\"\r\n7,"));
        assertArrayEquals(new int[] {-5, 7, 10, 30}, l.ids());
        assertArrayEquals(new String[] {"minus, five", "", "a\r\nb", "c"}, l.labels());
        assertArrayEquals(new int[] {0, 0, 0, 0}, l.frequencies(), "no frequency column: 0");
    }

    @Test
    void readsADirectoryOfSparkPartFiles(@TempDir Path dir) throws IOException {
        Path parts = Files.createDirectories(dir.resolve("labels"));
        Files.writeString(parts.resolve("part-00001-x.csv"), "id,label\n2,two\n");
        Files.writeString(parts.resolve("part-00000-x.csv"), "id,label\n0,zero\n1,one\n");
        Files.writeString(parts.resolve("part-00002-x.csv"), ""); // an empty partition
        Files.writeString(parts.resolve("_SUCCESS"), "");
        Files.writeString(parts.resolve(".part-00000-x.csv.crc"), "stale");
        LabelFiles.Labels l = LabelFiles.read(fs, new org.apache.hadoop.fs.Path(parts.toUri()));
        assertArrayEquals(new int[] {0, 1, 2}, l.ids());
        assertArrayEquals(new String[] {"zero", "one", "two"}, l.labels());
        Path empty = Files.createDirectories(dir.resolve("nothing"));
        InteropFormatException e = assertThrows(
                InteropFormatException.class, () -> LabelFiles.read(fs, new org.apache.hadoop.fs.Path(empty.toUri())));
        assertTrue(e.getMessage().contains("without CSV part files"), e.getMessage());
    }

    @Test
    void aDuplicateIdNamesBothLines(@TempDir Path dir) throws IOException {
        Path f = file(dir, "id,label\n1,a\n2,b\n1,c\n");
        InteropFormatException e = assertThrows(InteropFormatException.class, () -> read(f));
        assertTrue(e.getMessage().contains("labels.csv line 4: id 1 appears twice"), e.getMessage());
        assertTrue(e.getMessage().contains("labels.csv line 2"), e.getMessage());
    }

    @Test
    void aDuplicateLabelIsRejected(@TempDir Path dir) throws IOException {
        Path f = file(dir, "id,label\n1,a\n2,\"a\"\n");
        InteropFormatException e = assertThrows(InteropFormatException.class, () -> read(f));
        assertTrue(e.getMessage().contains("label 'a' of id 2 is also the label of id 1"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "bad header|user,name\\n1,a|line 1: the header must be id,label or id,label,frequency",
                "too few fields|id,label\\n1,a\\n2|line 3: 2 fields expected (id,label), got 1",
                "too many fields|id,label\\n1,a,b|line 2: 2 fields expected (id,label), got 3",
                "empty line|id,label\\n1,a\\n\\n2,b|line 3: empty line",
                "id not an integer|id,label\\n1.5,a|line 2: id '1.5' is not an integer in the int range",
                "id with a plus sign|id,label\\n+3,a|line 2: id '+3' is not an integer",
                "id out of range|id,label\\n2147483648,a|line 2: id '2147483648' is not an integer in the int range",
                "negative frequency|id,label,frequency\\n1,a,-1|line 2: frequency '-1' is not a non-negative integer",
                "quote inside a field|id,label\\n1,a\"b|line 2: a quote inside an unquoted field",
                "text after a quote|id,label\\n1,\"a\"b|line 2: a character after a field's closing quote",
                "unclosed quote|id,label\\n1,\"a\\n2,b|line 2: a quoted field is not closed",
                "bare CR|id,label\\r1,a|line 1: a CR that is not followed by LF",
                "empty file||empty file (expected the header id,label)"
            })
    void malformedFilesNameTheLine(String what, String content, String message, @TempDir Path dir) throws IOException {
        Path f = file(dir, content == null ? "" : content.replace("\\n", "\n").replace("\\r", "\r"));
        InteropFormatException e = assertThrows(InteropFormatException.class, () -> read(f), what);
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(message), what + ": " + e.getMessage());
    }

    @Test
    void invalidUtf8IsRejected(@TempDir Path dir) throws IOException {
        Path f = Files.write(
                dir.resolve("l.csv"),
                new byte[] {'i', 'd', ',', 'l', 'a', 'b', 'e', 'l', '\n', '1', ',', (byte) 0xC3, (byte) 0x28, '\n'});
        InteropFormatException e = assertThrows(InteropFormatException.class, () -> read(f));
        assertTrue(e.getMessage().contains("l.csv line 2: not valid UTF-8"), e.getMessage());
    }

    @Test
    void anOverlongFieldIsRejected(@TempDir Path dir) throws IOException {
        Path f = file(dir, "id,label\n1," + "x".repeat(LabelFiles.MAX_FIELD_CHARS + 1) + "\n");
        InteropFormatException e = assertThrows(InteropFormatException.class, () -> read(f));
        assertTrue(e.getMessage().contains("line 2: a field longer than"), e.getMessage());
    }

    @Test
    void anUnpairedSurrogateCannotBeWritten() {
        LabelIndex index = LabelIndex.ofOrdered(new String[] {"ok", "bad\uD800"}, new int[2]);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> LabelFiles.write(new ByteArrayOutputStream(), index, "item"));
        assertEquals("the label of item 1 is not valid Unicode (an unpaired surrogate at character 3)", e.getMessage());
    }
}
