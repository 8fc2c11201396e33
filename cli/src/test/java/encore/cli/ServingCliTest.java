package encore.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static encore.cli.EncoreCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code encore recommend --plays/--only/--exclude} and {@code encore explain} on a small trained model. */
class ServingCliTest {
    @TempDir
    Path dir;

    private Path model;

    private static final String TRAIN = String.join(
            "\n",
            "alice\ta\t5",
            "alice\tb\t3",
            "alice\tc\t1",
            "bob\ta\t2",
            "bob\td\t4",
            "bob\te\t1",
            "carol\tb\t6",
            "carol\tc\t2",
            "carol\tf\t3",
            "dave\td\t1",
            "dave\te\t5",
            "dave\tf\t2",
            "erin\ta\t1",
            "erin\tf\t7",
            "");

    @BeforeEach
    void train() throws Exception {
        Path t = dir.resolve("train.tsv");
        Files.writeString(t, TRAIN, StandardCharsets.UTF_8);
        model = dir.resolve("m.encore");
        EncoreCliTest.Result r = run(
                "train",
                "--format",
                "triples",
                "--train",
                t.toString(),
                "--rank",
                "3",
                "--max-iter",
                "6",
                "--reg",
                "0.1",
                "--implicit",
                "--alpha",
                "2",
                "--model",
                model.toString());
        assertEquals(0, r.code(), r.err());
    }

    private String recommend(String... args) {
        EncoreCliTest.Result r =
                run(EncoreCliTest.concat(new String[] {"recommend", "--model", model.toString()}, args));
        assertEquals(0, r.code(), r.err());
        return r.out();
    }

    private Path plays(String content) throws Exception {
        Path p = dir.resolve("plays-" + content.hashCode() + ".csv");
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void aTrainingUsersOwnPlaysFoldInToItsOwnRecommendations() throws Exception {
        Path alice = plays("user,item,count\nalice,a,5\nalice,b,3\nalice,c,1\n");
        assertEquals(recommend("--users", "alice", "--top", "4"), recommend("--plays", alice.toString(), "--top", "4"));
        assertEquals(
                recommend("--users", "alice", "--top", "4", "--exclude-seen"),
                recommend("--plays", alice.toString(), "--top", "4", "--exclude-seen"));
        List<String> lines = recommend("--plays", alice.toString(), "--top", "6", "--exclude-seen")
                .lines()
                .toList();
        assertEquals("user_id,rank,item,score", lines.get(0));
        assertEquals(4, lines.size(), "d, e and f: the items alice has not played");
    }

    @Test
    void severalNewUsersAtOnceAndUnknownItemsReported() throws Exception {
        Path p = plays("zoe,d,3\nzoe,e,1\nyan,b,2\nyan,nope,9\nxav,unheard,1\n");
        EncoreCliTest.Result r = run("recommend", "--model", model.toString(), "--plays", p.toString(), "--top", "2");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(5, lines.size(), r.out());
        assertEquals(2, lines.stream().filter(l -> l.startsWith("zoe,")).count());
        assertEquals(2, lines.stream().filter(l -> l.startsWith("yan,")).count());
        assertTrue(r.err().contains("2 of 5 items are not in the model"), r.err());
        assertTrue(r.err().contains("user 'xav': none of its items is in the model, skipped"), r.err());
        EncoreCliTest.Result none = run(
                "recommend",
                "--model",
                model.toString(),
                "--plays",
                plays("q,nope,1\n").toString());
        assertEquals(1, none.code());
        assertTrue(none.err().contains("none of the users' plays has an item in the model"), none.err());
    }

    @Test
    void onlyAndExcludeGiveExactlyTheAllowedItems() throws Exception {
        List<String> only = recommend("--users", "bob,carol", "--only", "a,f,nope", "--top", "5")
                .lines()
                .skip(1)
                .toList();
        assertEquals(4, only.size(), "two users × the two known candidates");
        for (String l : only) {
            assertTrue(l.split(",")[2].equals("a") || l.split(",")[2].equals("f"), l);
        }
        Path deny = plays("a\nb\r\n\nc\n");
        List<String> rest = recommend("--all", "--exclude", deny.toString(), "--top", "6")
                .lines()
                .skip(1)
                .toList();
        assertEquals(5 * 3, rest.size());
        for (String l : rest) {
            assertFalse(List.of("a", "b", "c").contains(l.split(",")[2]), l);
        }
        List<String> similar = recommend("--similar-to", "a", "--exclude", "b,c", "--top", "10")
                .lines()
                .skip(1)
                .toList();
        assertEquals(3, similar.size(), "d, e, f");
        // the same items and similarities as the unfiltered list without b and c, ranked from 1 again
        List<String> unfiltered = recommend("--similar-to", "a", "--top", "10")
                .lines()
                .skip(1)
                .map(l -> l.split(",")[2] + "," + l.split(",")[3])
                .filter(l -> !l.startsWith("b,") && !l.startsWith("c,"))
                .toList();
        assertEquals(
                unfiltered,
                similar.stream()
                        .map(l -> l.split(",")[2] + "," + l.split(",")[3])
                        .toList());
        assertEquals(
                List.of("1", "2", "3"),
                similar.stream().map(l -> l.split(",")[1]).toList());
    }

    @Test
    void explainListsTheContributionsOfATrainingUserAndOfTheSamePlaysGiven() throws Exception {
        EncoreCliTest.Result r =
                run("explain", "--model", model.toString(), "--user", "bob", "--item", "f", "--top", "5");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("user_id,item,score,rank,because_of,contribution,share", lines.get(0));
        assertEquals(4, lines.size(), "bob's three plays");
        double sum = 0;
        double shares = 0;
        float score = Float.parseFloat(lines.get(1).split(",")[2]);
        for (String l : lines.subList(1, 4)) {
            String[] f = l.split(",");
            sum += Double.parseDouble(f[5]);
            shares += Double.parseDouble(f[6]);
        }
        assertEquals(score, sum, 1e-4);
        assertEquals(1.0, shares, 1e-5);
        Path bob = plays("bob\ta\t2\nbob\td\t4\nbob\te\t1\nzed\ta\t1\n");
        EncoreCliTest.Result given = run(
                "explain",
                "--model",
                model.toString(),
                "--user",
                "bob",
                "--item",
                "f",
                "--top",
                "5",
                "--plays",
                bob.toString());
        assertEquals(0, given.code(), given.err());
        assertEquals(r.out(), given.out(), "folding in bob's plays gives bob's factor");
        EncoreCliTest.Result unknown = run("explain", "--model", model.toString(), "--user", "nobody", "--item", "f");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("unknown user 'nobody': not in the model (give its plays with --plays)"));
    }

    @Test
    void flagErrors() {
        EncoreCliTest.Result two = run("recommend", "--model", model.toString(), "--all", "--plays", "x");
        assertEquals(2, two.code());
        assertTrue(two.err().contains("choose exactly one of --users, --all, --plays and --similar-to"), two.err());
        EncoreCliTest.Result sim = run("recommend", "--model", model.toString(), "--similar-to", "a", "--exclude-seen");
        assertEquals(2, sim.code());
        EncoreCliTest.Result top =
                run("explain", "--model", model.toString(), "--user", "bob", "--item", "f", "--top", "0");
        assertEquals(2, top.code());
    }
}
