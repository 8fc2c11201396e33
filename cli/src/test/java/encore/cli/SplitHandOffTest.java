package encore.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static encore.cli.EncoreCliTest.concat;
import static encore.cli.EncoreCliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The split hand-off the README gives for feeding another tool (Spark) the same split: {@code prepare --split} writes
 * {@code train.tsv} and {@code test.tsv}; {@code run --format triples} on them must give what {@code run --split}
 * gives on the CSV, byte for byte — with labels holding a TAB, a line feed and a backslash, which the TSV files
 * escape ({@code \t}, {@code \n}, {@code \\}) and the triples reader unescapes.
 */
class SplitHandOffTest {
    @TempDir
    Path dir;

    @Test
    void prepareSplitThenTriplesReproducesRunSplit() throws Exception {
        Path csv = dir.resolve("listenings.csv");
        assertEquals(
                0,
                run("generate", "--rows", "20000", "--seed", "3", "--out", csv.toString(), "--quiet")
                        .code());
        StringBuilder odd = new StringBuilder();
        for (int u = 0; u < 30; u++) {
            for (int t = 0; t < 8; t++) {
                if ((u * 7 + t * 3) % 5 < 3) { // 60 % of the 30 × 8 pairs, some played twice
                    int plays = 1 + (u + t) % 2;
                    for (int p = 0; p < plays; p++) {
                        odd.append("\"fan\t")
                                .append(u)
                                .append("\\\",2009-05-04T23:08:57Z,\"track\n")
                                .append(t)
                                .append("\\x\",\"art\tist\",album\n");
                    }
                }
            }
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        StringBuilder all = new StringBuilder(lines.get(0)).append('\n').append(odd);
        for (String l : lines.subList(1, lines.size())) {
            all.append(l).append('\n');
        }
        Files.writeString(csv, all, StandardCharsets.UTF_8);

        String[] model = {"--rank", "6", "--max-iter", "4", "--reg", "0.1", "--backend", "cpu", "--quiet"};
        Path prepared = dir.resolve("prepared");
        Path direct = dir.resolve("direct");
        Path handedOff = dir.resolve("handed-off");
        assertEquals(
                0,
                run(
                                "prepare",
                                "--data",
                                csv.toString(),
                                "--split",
                                "0.3",
                                "--seed",
                                "9",
                                "--out",
                                prepared.toString(),
                                "--quiet")
                        .code());
        EncoreCliTest.Result a = run(concat(
                new String[] {
                    "run", "--data", csv.toString(), "--split", "0.3", "--seed", "9", "--out", direct.toString()
                },
                model));
        assertEquals(0, a.code(), a.err());
        EncoreCliTest.Result b = run(concat(
                new String[] {
                    "run",
                    "--format",
                    "triples",
                    "--train",
                    prepared.resolve("train.tsv").toString(),
                    "--test",
                    prepared.resolve("test.tsv").toString(),
                    "--out",
                    handedOff.toString()
                },
                model));
        assertEquals(0, b.code(), b.err());

        // the escapes were exercised: the odd labels are in the hand-off files in their escaped form
        String train = Files.readString(prepared.resolve("train.tsv"), StandardCharsets.UTF_8);
        String test = Files.readString(prepared.resolve("test.tsv"), StandardCharsets.UTF_8);
        assertTrue(train.contains("fan\\t3\\\\\ttrack\\n"), "escaped labels in train.tsv");
        assertTrue(test.contains("fan\\t"), "escaped labels in test.tsv");

        for (String f : List.of("recommendations.csv", "users.csv", "items.csv")) {
            assertArrayEquals(Files.readAllBytes(direct.resolve(f)), Files.readAllBytes(handedOff.resolve(f)), f);
        }
        String ma = Files.readString(direct.resolve("metrics.json"));
        String mb = Files.readString(handedOff.resolve("metrics.json"));
        for (String key : List.of(
                "rmse",
                "mae",
                "precision_at_10",
                "recall_at_10",
                "map_at_10",
                "ndcg_at_10",
                "cold_pairs_skipped",
                "popularity_precision_at_10")) {
            double va = JsonNumbers.number(ma, key);
            assertEquals(va, JsonNumbers.number(mb, key), 0.0, key);
        }
        assertTrue(JsonNumbers.number(ma, "rmse") > 0, "a real evaluation");
        assertTrue(
                Files.readString(direct.resolve("users.csv"), StandardCharsets.UTF_8)
                        .contains("fan\t3\\"),
                "the odd users are in the model, unescaped");
    }
}
