package encore.als.io;

import encore.als.AlsModel;
import encore.matrix.Factors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The export read by numpy itself ({@code python3} + numpy; every test here is skipped where they are missing):
 * {@code numpy.save} writes the same bytes as {@link NpyWriter}, {@code numpy.load} and Python's {@code json} and
 * {@code csv} modules read exactly the values and labels of {@link ExportModels}, and the README's numpy snippet (kept
 * verbatim in {@code src/test/resources/export/readme-numpy.py}) runs and prints the expected top 3.
 */
class NumpyInteropTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsNumpy() {
        Python3.assumeNumpy();
    }

    /** Each label as its code points in hex, one label per line: what the Python side prints for comparison. */
    static String codePoints(List<String> labels) {
        StringBuilder sb = new StringBuilder();
        for (String l : labels) {
            sb.append(l.codePoints().mapToObj(Integer::toHexString).collect(Collectors.joining(" ")))
                    .append('\n');
        }
        return sb.toString();
    }

    @Test
    void numpySaveWritesTheSameBytes() throws Exception {
        try (var out = Files.newOutputStream(dir.resolve("ours.npy"))) {
            NpyWriter.writeFactors(out, NpyFilesTest.twoByThree());
        }
        BitSet present = new BitSet();
        present.set(1);
        present.set(4);
        try (var out = Files.newOutputStream(dir.resolve("ours_bool.npy"))) {
            NpyWriter.writePresence(out, Factors.zeros(5, 1, present));
        }
        try (var out = Files.newOutputStream(dir.resolve("ours_empty.npy"))) {
            NpyWriter.writeFactors(out, Factors.zeros(0, 3, new BitSet()));
        }
        Python3.run(dir, """
                import numpy as np
                np.save("theirs.npy", np.array([[1.5, -0.25, 0], [2, 0.5, -3]], dtype="<f4"))
                np.save("theirs_bool.npy", np.array([False, True, False, False, True]))
                np.save("theirs_empty.npy", np.zeros((0, 3), dtype="<f4"))
                """);
        for (String n : List.of("", "_bool", "_empty")) {
            assertArrayEquals(
                    Files.readAllBytes(dir.resolve("theirs" + n + ".npy")),
                    Files.readAllBytes(dir.resolve("ours" + n + ".npy")),
                    n);
        }
        // headers of shapes too large to save here: numpy's own header writer
        String headers = Python3.run(dir, """
                import io, sys
                import numpy.lib.format as fmt
                for rows, cols in [(54800, 64), (1100000, 128), (123456789012, 7), (3, 1), (1, 123456)]:
                    b = io.BytesIO()
                    fmt.write_array_header_1_0(b, {"descr": "<f4", "fortran_order": False, "shape": (rows, cols)})
                    print(b.getvalue().hex())
                """);
        long[][] shapes = {{54800, 64}, {1100000, 128}, {123456789012L, 7}, {3, 1}, {1, 123456}};
        StringBuilder ours = new StringBuilder();
        for (long[] s : shapes) {
            for (byte b : NpyWriter.header(NpyWriter.FLOAT32, s)) {
                ours.append(String.format("%02x", b & 0xff));
            }
            ours.append('\n');
        }
        assertEquals(headers, ours.toString());
    }

    @Test
    void ourReaderReadsWhatNumpyWrites() throws Exception {
        Python3.run(dir, """
                import numpy as np
                np.save("m.npy", np.arange(12, dtype="<f4").reshape(4, 3) / 8)
                np.save("b.npy", np.arange(7) % 3 == 0)
                """);
        NpyReader.Float32Matrix m = NpyReader.readFloat32Matrix(dir.resolve("m.npy"));
        assertEquals(4, m.rows());
        assertEquals(3, m.cols());
        assertEquals(11 / 8f, m.get(3, 2));
        assertEquals(5 / 8f, m.get(1, 2));
        assertArrayEquals(
                new boolean[] {true, false, false, true, false, false, true},
                NpyReader.readBoolVector(dir.resolve("b.npy")));
    }

    @Test
    void numpyAndJsonReadTheNpyExportExactly() throws Exception {
        AlsModel model = ExportModels.model();
        FactorsExport.write(dir.resolve("export"), model, null, FactorsExport.Format.NPY);
        String out = Python3.run(dir, """
                import json
                import numpy as np
                for side in ("user", "item"):
                    f = np.load(f"export/{side}_factors.npy")
                    p = np.load(f"export/{side}_present.npy")
                    print(f.dtype.str, f.shape, f.tobytes().hex())
                    print(p.dtype.str, p.shape, "".join("1" if x else "0" for x in p))
                    with open(f"export/{side}_labels.jsonl", encoding="utf-8") as lines:
                        for line in lines:
                            print(" ".join("%x" % ord(c) for c in json.loads(line)))
                """);
        String expected = "<f4 (3, 2) " + hex(ExportModels.USER_FACTORS) + "\n|b1 (3,) 110\n"
                + codePoints(List.of(ExportModels.USERS))
                + "<f4 (6, 2) " + hex(ExportModels.ITEM_FACTORS) + "\n|b1 (6,) 111011\n"
                + codePoints(List.of(ExportModels.ITEMS));
        assertEquals(expected, out);
    }

    @Test
    void pythonsCsvModuleReadsTheCsvExportExactly() throws Exception {
        FactorsExport.write(dir.resolve("export"), ExportModels.model(), null, FactorsExport.Format.CSV);
        String out = Python3.run(dir, """
                import csv
                import numpy as np
                with open("export/item_factors.csv", newline="", encoding="utf-8") as f:
                    rows = list(csv.reader(f))
                print(",".join(rows[0]))
                for r in rows[1:]:
                    bits = [np.float32(float(x)).view(np.uint32) for x in r[1:]]
                    print(" ".join("%x" % ord(c) for c in r[0]), " ".join("%08x" % b for b in bits))
                """);
        StringBuilder expected = new StringBuilder("label,f0,f1\n");
        for (int i : new int[] {0, 1, 2, 4, 5}) {
            expected.append(codePoints(List.of(ExportModels.ITEMS[i])).strip());
            for (int d = 0; d < 2; d++) {
                expected.append(" ")
                        .append(String.format("%08x", Float.floatToRawIntBits(ExportModels.ITEM_FACTORS[2 * i + d])));
            }
            expected.append('\n');
        }
        assertEquals(expected.toString(), out);
    }

    /** The snippet of README.md's "Export" section, which must be the resource's text verbatim. */
    static String readmeSnippet() throws Exception {
        String snippet;
        try (InputStream in = Objects.requireNonNull(
                NumpyInteropTest.class.getResourceAsStream("/export/readme-numpy.py"), "readme-numpy.py")) {
            snippet = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path readme = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("README.md")) && Files.exists(p.resolve("core"))) {
                readme = p.resolve("README.md");
                break;
            }
        }
        assertNotNull(readme, "README.md not found above " + Path.of("").toAbsolutePath());
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        assertTrue(
                text.contains("```python\n" + snippet + "```\n"),
                "README.md's numpy snippet differs from src/test/resources/export/readme-numpy.py: keep them equal");
        return snippet;
    }

    @Test
    void theReadmeSnippetRunsOnAnExportAndPrintsTheTopItems() throws Exception {
        String snippet = readmeSnippet();
        FactorsExport.write(dir.resolve("export"), ExportModels.model(), null, FactorsExport.Format.NPY);
        // alice = (1, 0.5): items 0..5 score 1, 0.5, 2.125, (cold), 3.375, 0.5
        assertEquals("3.3750  spaced \n2.1250 line1\r\nline2 \u2028 é🎵\n1.0000 a,b\n", Python3.run(dir, snippet));
    }

    static String hex(float[] values) {
        StringBuilder sb = new StringBuilder();
        for (float v : values) {
            int b = Float.floatToRawIntBits(v);
            for (int i = 0; i < 4; i++) {
                sb.append(String.format("%02x", (b >>> (8 * i)) & 0xff)); // little-endian
            }
        }
        return sb.toString();
    }
}
