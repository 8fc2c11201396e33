package encore.cli;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.io.ModelStore;
import encore.als.io.NpyReader;
import encore.data.LabelIndex;
import encore.matrix.Factors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static encore.cli.EncoreCliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExportCommandTest {
    @TempDir
    Path dir;

    Path model;

    /** 3 users (the last without factors) × 2 items at rank 2, saved as a model file. */
    @BeforeEach
    void saveModel() throws Exception {
        BitSet users = new BitSet();
        users.set(0, 2);
        BitSet items = new BitSet();
        items.set(0, 2);
        AlsModel m = new AlsModel(
                AlsParams.builder().rank(2).build(),
                LabelIndex.ofOrdered(new String[] {"u1", "u,2", "cold"}, new int[] {2, 1, 0}),
                LabelIndex.ofOrdered(new String[] {"i\"1\"", "i2"}, new int[] {2, 1}),
                Factors.copyOf(new float[] {1f, 2f, 0.5f, -1f, 0f, 0f}, 3, 2, users),
                Factors.copyOf(new float[] {0.25f, 4f, -3f, 1.5f}, 2, 2, items));
        model = dir.resolve("m.encore");
        ModelStore.save(model, m, null, Map.of("source", "test"));
    }

    static List<String> names(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void exportsNpyByDefaultAndCsvOnRequest() throws Exception {
        Path out = dir.resolve("export");
        EncoreCliTest.Result r = run("export", "--model", model.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertEquals(
                "Exported 3 users (2 with factors) and 2 items (2 with factors), rank 2\n"
                        + "Wrote " + out + "/{user_factors.npy,user_present.npy,user_labels.jsonl,item_factors.npy,"
                        + "item_present.npy,item_labels.jsonl,model.json}\n",
                r.out());
        assertArrayEquals(
                new float[] {1f, 2f, 0.5f, -1f, 0f, 0f},
                NpyReader.readFloat32Matrix(out.resolve("user_factors.npy")).data());
        assertArrayEquals(new boolean[] {true, true, false}, NpyReader.readBoolVector(out.resolve("user_present.npy")));
        assertEquals("\"i\\\"1\\\"\"\n\"i2\"\n", Files.readString(out.resolve("item_labels.jsonl")));
        String json = Files.readString(out.resolve("model.json"));
        assertEquals(true, json.contains("\"model_metadata\": {\n    \"source\": \"test\"\n  }"), json);

        Path csv = dir.resolve("csv");
        EncoreCliTest.Result c =
                run("export", "--model", model.toString(), "--format", "CSV", "--out", csv.toString(), "--json");
        assertEquals(0, c.code(), c.err());
        assertEquals(Files.readString(csv.resolve("model.json")), c.out());
        assertEquals(
                "label,f0,f1\nu1,1.0,2.0\n\"u,2\",0.5,-1.0\n",
                Files.readString(csv.resolve("user_factors.csv"), StandardCharsets.UTF_8));
        assertEquals(
                "label,f0,f1\n\"i\"\"1\"\"\",0.25,4.0\ni2,-3.0,1.5\n",
                Files.readString(csv.resolve("item_factors.csv"), StandardCharsets.UTF_8));

        EncoreCliTest.Result q = run("export", "--model", model.toString(), "--out", csv.toString(), "-q");
        assertEquals(0, q.code(), q.err());
        assertEquals("", q.out());
        assertEquals(
                List.of(
                        "item_factors.npy",
                        "item_labels.jsonl",
                        "item_present.npy",
                        "model.json",
                        "user_factors.npy",
                        "user_labels.jsonl",
                        "user_present.npy"),
                names(csv),
                "the npy export replaced the csv one");
    }

    @Test
    void badFlagsAndFilesExitWithOneLineNamingThem() throws Exception {
        Path out = dir.resolve("never");
        EncoreCliTest.Result f =
                run("export", "--model", model.toString(), "--format", "parquet", "--out", out.toString());
        assertEquals(2, f.code());
        assertEquals(
                "encore: invalid --format 'parquet': expected npy or csv (or spark, through ./encore) (see 'encore export --help')\n",
                f.err());
        EncoreCliTest.Result spark = EncoreCliTest.run(
                "export",
                "--model",
                model.toString(),
                "--format",
                "spark",
                "--out",
                dir.resolve("s").toString());
        assertEquals(2, spark.code());
        assertTrue(spark.err().contains("--format spark is written by the spark module"), spark.err());
        EncoreCliTest.Result noOut = run("export", "--model", model.toString());
        assertEquals(2, noOut.code());
        assertEquals("encore: Missing required option: '--out=DIR' (see 'encore export --help')\n", noOut.err());

        Path missing = dir.resolve("none.encore");
        EncoreCliTest.Result m = run("export", "--model", missing.toString(), "--out", out.toString());
        assertEquals(1, m.code());
        assertEquals("encore: " + missing + ": no such file or directory\n", m.err());

        Path notAModel = Files.writeString(dir.resolve("listenings.csv"), "user_id,track,artist,album\n");
        EncoreCliTest.Result n = run("export", "--model", notAModel.toString(), "--out", out.toString());
        assertEquals(1, n.code());
        assertEquals(1, n.err().lines().count(), n.err());
        assertEquals(true, n.err().startsWith("encore: " + notAModel + ": "), n.err());

        Path file = Files.writeString(dir.resolve("a-file"), "x");
        EncoreCliTest.Result o = run("export", "--model", model.toString(), "--out", file.toString());
        assertEquals(1, o.code());
        assertEquals("encore: " + file + ": already exists and is not a directory\n", o.err());
        assertEquals("x", Files.readString(file));
        assertFalse(Files.exists(out), "nothing was written by the failed runs");
    }
}
