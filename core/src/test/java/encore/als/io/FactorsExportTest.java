package encore.als.io;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import encore.als.AlsModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link FactorsExport}: exact file contents on {@link ExportModels}, labels that break naive formats, atomicity. */
class FactorsExportTest {
    @TempDir
    Path dir;

    static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static Map<String, byte[]> contents(Path d) throws IOException {
        Map<String, byte[]> m = new HashMap<>();
        for (String n : names(d)) {
            m.put(n, Files.readAllBytes(d.resolve(n)));
        }
        return m;
    }

    static Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("created_by", "encore test");
        m.put("source", "listenings.csv");
        return m;
    }

    @Test
    void npyExportHasFactorsPresenceLabelsAndTheDescriptionLast() throws Exception {
        Path out = dir.resolve("export");
        FactorsExport.Report r = FactorsExport.write(out, ExportModels.model(), metadata(), FactorsExport.Format.NPY);
        List<String> expected = List.of(
                "user_factors.npy",
                "user_present.npy",
                "user_labels.jsonl",
                "item_factors.npy",
                "item_present.npy",
                "item_labels.jsonl",
                "model.json");
        assertEquals(expected, r.files());
        assertEquals(expected.stream().sorted().toList(), names(out), "nothing else, no temporary file");

        NpyReader.Float32Matrix u = NpyReader.readFloat32Matrix(out.resolve("user_factors.npy"));
        assertEquals(3, u.rows());
        assertEquals(2, u.cols());
        assertArrayEquals(ExportModels.USER_FACTORS, u.data());
        NpyReader.Float32Matrix i = NpyReader.readFloat32Matrix(out.resolve("item_factors.npy"));
        assertArrayEquals(ExportModels.ITEM_FACTORS, i.data());
        assertArrayEquals(new boolean[] {true, true, false}, NpyReader.readBoolVector(out.resolve("user_present.npy")));
        assertArrayEquals(
                new boolean[] {true, true, true, false, true, true},
                NpyReader.readBoolVector(out.resolve("item_present.npy")));

        assertEquals(
                "\"alice\"\n\"bob, \\\"the\\\" builder\"\n\"cold\\nuser\"\n",
                Files.readString(out.resolve("user_labels.jsonl"), StandardCharsets.UTF_8));
        assertEquals(
                "\"a,b\"\n\"tab\\there\"\n\"line1\\r\\nline2 \\u2028 é🎵\"\n\"cold item\"\n\" spaced \"\n"
                        + "\"back\\\\slash\"\n",
                Files.readString(out.resolve("item_labels.jsonl"), StandardCharsets.UTF_8));

        assertEquals("""
                {
                  "format": "encore-factors",
                  "format_version": 1,
                  "layout": "npy",
                  "dtype": "float32",
                  "rank": 2,
                  "users": 3,
                  "items": 6,
                  "users_with_factors": 2,
                  "items_with_factors": 5,
                  "files": {
                    "user_factors": "user_factors.npy",
                    "user_present": "user_present.npy",
                    "user_labels": "user_labels.jsonl",
                    "item_factors": "item_factors.npy",
                    "item_present": "item_present.npy",
                    "item_labels": "item_labels.jsonl"
                  },
                  "rows": "one per user/item index; rows without factors are zeros (*_present.npy is False)",
                  "labels": "JSON lines: line i is the JSON string of the label of row i (UTF-8)",
                  "params": {
                    "rank": 2,
                    "maxIter": 3,
                    "regParam": 0.5,
                    "implicitPrefs": false,
                    "alpha": 1.0,
                    "nonnegative": false,
                    "seed": 7,
                    "solver": "cholesky",
                    "cgSteps": 3,
                    "coldStartStrategy": "nan",
                    "init": "encore",
                    "numBlocks": 10
                  },
                  "model_metadata": {
                    "created_by": "encore test",
                    "source": "listenings.csv"
                  }
                }
                """, Files.readString(out.resolve("model.json")));
        assertEquals(Files.readString(out.resolve("model.json")), r.json());
    }

    @Test
    void csvExportHasOneRowPerUserOrItemWithFactorsAndQuotedLabels() throws Exception {
        Path out = dir.resolve("csv");
        FactorsExport.Report r = FactorsExport.write(out, ExportModels.model(), null, FactorsExport.Format.CSV);
        assertEquals(List.of("user_factors.csv", "item_factors.csv", "model.json"), r.files());
        assertEquals(List.of("item_factors.csv", "model.json", "user_factors.csv"), names(out));
        assertEquals(
                "label,f0,f1\nalice,1.0,0.5\n\"bob, \"\"the\"\" builder\",-2.0,0.25\n",
                Files.readString(out.resolve("user_factors.csv"), StandardCharsets.UTF_8));
        assertEquals(
                "label,f0,f1\n\"a,b\",0.5,1.0\ntab\there,1.0,-1.0\n\"line1\r\nline2 \u2028 é🎵\",0.125,4.0\n"
                        + "\" spaced \",3.0,0.75\nback\\slash,-0.5,2.0\n",
                Files.readString(out.resolve("item_factors.csv"), StandardCharsets.UTF_8));
        String json = Files.readString(out.resolve("model.json"));
        assertEquals(true, json.contains("\"layout\": \"csv\""), json);
        assertEquals(true, json.contains("\"files\": {\n    \"user_factors\": \"user_factors.csv\",\n"), json);
        assertEquals(true, json.contains("\"model_metadata\": {}"), json);
    }

    @Test
    void csvRoundTripsThroughAnIndependentRfc4180Parser() throws Exception {
        Path out = dir.resolve("csv");
        AlsModel m = ExportModels.model();
        FactorsExport.write(out, m, null, FactorsExport.Format.CSV);
        CsvParserSettings s = new CsvParserSettings();
        s.getFormat().setLineSeparator("\n");
        s.setIgnoreLeadingWhitespaces(false);
        s.setIgnoreTrailingWhitespaces(false);
        s.setMaxCharsPerColumn(-1);
        List<String[]> rows = new CsvParser(s)
                .parseAll(new StringReader(Files.readString(out.resolve("item_factors.csv"), StandardCharsets.UTF_8)));
        assertArrayEquals(new String[] {"label", "f0", "f1"}, rows.get(0));
        int[] present = {0, 1, 2, 4, 5};
        assertEquals(present.length + 1, rows.size());
        for (int q = 0; q < present.length; q++) {
            int item = present[q];
            String[] row = rows.get(q + 1);
            assertEquals(ExportModels.ITEMS[item], row[0]);
            assertEquals(m.itemFactors().get(item, 0), Float.parseFloat(row[1]));
            assertEquals(m.itemFactors().get(item, 1), Float.parseFloat(row[2]));
        }
    }

    @Test
    void csvValuesParseBackToTheIdenticalFloat() throws Exception {
        float[] hard = {
            0.1f,
            1f / 3,
            Float.MIN_VALUE,
            Float.MIN_NORMAL,
            Float.MAX_VALUE,
            -0f,
            1e-40f,
            16777217f,
            3.4028235e38f,
            1.0E-5f,
            123456.79f
        };
        java.util.BitSet p = new java.util.BitSet();
        p.set(0, hard.length);
        AlsModel m = new AlsModel(
                encore.als.AlsParams.builder().rank(1).build(),
                encore.data.LabelIndex.ofOrdered(new String[] {"u"}, new int[] {1}),
                encore.data.LabelIndex.ofOrdered(
                        java.util.stream.IntStream.range(0, hard.length)
                                .mapToObj(Integer::toString)
                                .toArray(String[]::new),
                        new int[hard.length]),
                encore.matrix.Factors.copyOf(new float[] {1f}, 1, 1, bits(1)),
                encore.matrix.Factors.copyOf(hard, hard.length, 1, p));
        FactorsExport.write(dir, m, null, FactorsExport.Format.CSV);
        List<String> lines = Files.readAllLines(dir.resolve("item_factors.csv"));
        for (int i = 0; i < hard.length; i++) {
            String v = lines.get(i + 1).substring(lines.get(i + 1).indexOf(',') + 1);
            assertEquals(Float.floatToRawIntBits(hard[i]), Float.floatToRawIntBits(Float.parseFloat(v)), v);
        }
        assertEquals("0.1", lines.get(1).substring(2));
        assertEquals("-0.0", lines.get(6).substring(2));
    }

    static java.util.BitSet bits(int n) {
        java.util.BitSet b = new java.util.BitSet();
        b.set(0, n);
        return b;
    }

    @Test
    void aLabelUtf8CannotHoldFailsTheExportAndLeavesNoDirectory() {
        Path out = dir.resolve("new").resolve("export");
        String[] items = ExportModels.ITEMS.clone();
        items[5] = "bad\uD800";
        AlsModel bad = ExportModels.model(ExportModels.USERS, items);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> FactorsExport.write(out, bad, null, FactorsExport.Format.NPY));
        assertEquals(
                "item label 5 contains an unpaired surrogate at char 3 and cannot be stored as UTF-8", e.getMessage());
        assertFalse(Files.exists(out), "the directory this export created is gone again");
        assertThrows(
                IllegalArgumentException.class, () -> FactorsExport.write(out, bad, null, FactorsExport.Format.CSV));
        assertFalse(Files.exists(out));
    }

    @Test
    void aFailedExportLeavesThePreviousOneExactlyAsItWas() throws Exception {
        FactorsExport.write(dir, ExportModels.model(), metadata(), FactorsExport.Format.CSV);
        Map<String, byte[]> before = contents(dir);
        String[] users = ExportModels.USERS.clone();
        users[1] = "\uDC00lone low surrogate";
        AlsModel bad = ExportModels.model(users, ExportModels.ITEMS);
        for (FactorsExport.Format f : FactorsExport.Format.values()) {
            assertThrows(IllegalArgumentException.class, () -> FactorsExport.write(dir, bad, null, f));
            Map<String, byte[]> after = contents(dir);
            assertEquals(before.keySet(), after.keySet(), "no file added, none removed, no temporary file");
            for (String n : before.keySet()) {
                assertArrayEquals(before.get(n), after.get(n), n);
            }
        }
    }

    @Test
    void anExportReplacesAnEarlierOneOfTheOtherFormatAndTouchesNothingElse() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "mine");
        FactorsExport.write(dir, ExportModels.model(), null, FactorsExport.Format.NPY);
        FactorsExport.write(dir, ExportModels.model(), null, FactorsExport.Format.CSV);
        assertEquals(List.of("item_factors.csv", "model.json", "notes.txt", "user_factors.csv"), names(dir));
        FactorsExport.write(dir, ExportModels.model(), null, FactorsExport.Format.NPY);
        assertEquals(
                List.of(
                        "item_factors.npy",
                        "item_labels.jsonl",
                        "item_present.npy",
                        "model.json",
                        "notes.txt",
                        "user_factors.npy",
                        "user_labels.jsonl",
                        "user_present.npy"),
                names(dir));
        assertEquals("mine", Files.readString(dir.resolve("notes.txt")));
    }

    @Test
    void theReadmeNumpySnippetIsTheOneTheNumpyTestRuns() throws Exception {
        // checked here too, where numpy is not needed, so that the README cannot drift on machines without it
        assertEquals(true, NumpyInteropTest.readmeSnippet().contains("np.load(f\"{out}/user_factors.npy\")"));
    }

    @Test
    void formatNamesParseCaseInsensitivelyAndOthersAreRefused() {
        assertEquals(FactorsExport.Format.NPY, FactorsExport.Format.parse("NPY"));
        assertEquals(FactorsExport.Format.CSV, FactorsExport.Format.parse("csv"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> FactorsExport.Format.parse("parquet"));
        assertEquals("format must be npy or csv, got 'parquet'", e.getMessage());
    }
}
