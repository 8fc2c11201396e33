package encore.synth;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ListeningsGeneratorTest {

    private static final int BIG_ROWS = 200_000;
    /** The generator's shared titles (Names.SHARED_TITLES, decoded). */
    private static final Set<String> SHARED_TITLES = java.util.Arrays.stream(Names.SHARED_TITLES)
            .map(t -> new String(t, java.nio.charset.StandardCharsets.UTF_8))
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** The 200 K-row file shared by the content tests, with the observer's view of every row. */
    private static ListeningsGenerator big;

    private static GeneratorSummary bigSummary;
    private static byte[] bigBytes;
    private static String[] bigLines; // data lines only
    private static int[] obsUser;
    private static int[] obsTrack;
    private static boolean[] obsValid;

    @BeforeAll
    static void generateBig() throws IOException {
        big = new ListeningsGenerator(
                GeneratorConfig.forRows(BIG_ROWS, 20240601L).withThreads(2));
        obsUser = new int[BIG_ROWS];
        obsTrack = new int[BIG_ROWS];
        obsValid = new boolean[BIG_ROWS];
        int[] n = {0};
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 24);
        bigSummary = big.write(out, (u, t, v) -> {
            obsUser[n[0]] = u;
            obsTrack[n[0]] = t;
            obsValid[n[0]] = v;
            n[0]++;
        });
        assertEquals(BIG_ROWS, n[0], "observer calls");
        bigBytes = out.toByteArray();
        String text = new String(bigBytes, StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\n"), "file ends with a line feed");
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        assertEquals(ListeningsGenerator.HEADER, lines[0]);
        bigLines = Arrays.copyOfRange(lines, 1, lines.length);
    }

    private static byte[] generate(GeneratorConfig c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new ListeningsGenerator(c).write(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A minimal RFC-4180 field splitter for one line (fields never hold line breaks in this generator). */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>(5);
        StringBuilder sb = new StringBuilder();
        int n = line.length();
        int i = 0;
        while (true) {
            sb.setLength(0);
            if (i < n && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw new IllegalArgumentException("unterminated quoted field: " + line);
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            sb.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        sb.append(c);
                    }
                }
                if (i < n && line.charAt(i) != ',') {
                    throw new IllegalArgumentException("text after a closing quote: " + line);
                }
            } else {
                while (i < n && line.charAt(i) != ',') {
                    char c = line.charAt(i++);
                    if (c == '"' || c == '\r') {
                        throw new IllegalArgumentException("bare quote or CR in an unquoted field: " + line);
                    }
                    sb.append(c);
                }
            }
            out.add(sb.toString());
            if (i >= n) {
                return out;
            }
            i++; // the comma
        }
    }

    @Test
    void outputDoesNotDependOnThreadCountButOnSeed() {
        GeneratorConfig c = GeneratorConfig.forRows(50_000, 99L);
        byte[] one = generate(c.withThreads(1));
        byte[] three = generate(c.withThreads(3));
        byte[] again = generate(c.withThreads(3));
        assertArrayEquals(one, three, "threads=1 and threads=3 must give byte-identical output");
        assertArrayEquals(three, again, "repeatable");
        byte[] other = generate(c.withSeed(100L).withThreads(3));
        assertFalse(Arrays.equals(one, other), "another seed gives another file");
    }

    @Test
    void writesToPathAtomicallyWithSameBytes(@TempDir Path dir) throws IOException {
        GeneratorConfig c = GeneratorConfig.forRows(5_000, 3L).withThreads(2);
        Path file = dir.resolve("sub").resolve("listenings.csv");
        GeneratorSummary s = new ListeningsGenerator(c).write(file);
        byte[] onDisk = Files.readAllBytes(file);
        assertArrayEquals(generate(c.withThreads(1)), onDisk);
        assertEquals(onDisk.length, s.bytes());
        assertEquals(5_000, s.rows());
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void summaryAndObserverAgree() {
        assertEquals(BIG_ROWS, bigSummary.rows());
        assertEquals(bigBytes.length, bigSummary.bytes());
        long valid = 0;
        for (boolean v : obsValid) {
            if (v) {
                valid++;
            }
        }
        assertEquals(bigSummary.validPlays(), valid);
        assertEquals(BIG_ROWS, bigLines.length, "exact row count");
    }

    @Test
    void everyRowParsesAndMatchesTheObserver() {
        Set<String> users = new HashSet<>();
        for (int i = 0; i < bigLines.length; i++) {
            String line = bigLines[i];
            List<String> f = split(line);
            assertTrue(f.size() >= 3 && f.size() <= 5, "3 to 5 fields: " + line);
            int u = obsUser[i];
            int t = obsTrack[i];
            boolean complete = f.size() == 5
                    && !f.get(0).isEmpty()
                    && !f.get(2).isEmpty()
                    && !f.get(3).isEmpty()
                    && !f.get(4).isEmpty();
            assertEquals(obsValid[i], complete, "observer validity of row " + i + ": " + line);
            // Whatever is present is what the catalogue says.
            if (!f.get(0).isEmpty()) {
                assertEquals(big.userLabel(u), f.get(0));
                users.add(f.get(0));
            }
            if (!f.get(2).isEmpty()) {
                assertEquals(big.trackTitle(t), f.get(2), "row " + i);
            }
            if (f.size() > 3 && !f.get(3).isEmpty()) {
                assertEquals(big.artistName(t), f.get(3), "row " + i);
            }
            if (f.size() > 4 && !f.get(4).isEmpty()) {
                assertEquals(big.albumName(t), f.get(4), "row " + i);
            }
            assertTrue(i == 0 || obsUser[i - 1] <= u, "rows grouped by user in order");
        }
        assertTrue(users.size() > big.users() * 0.95, "nearly every user appears: " + users.size());
        assertTrue(big.userLabel(42).equals("user_000042"));
    }

    @Test
    void datesAreMillisIncreasingWithinAUser() {
        long lo = 1_104_537_600_000L; // 2005-01-01
        long hi = 1_262_304_000_000L; // 2010-01-01
        long prev = -1;
        int prevUser = -1;
        int emptyDates = 0;
        for (int i = 0; i < bigLines.length; i++) {
            String d = split(bigLines[i]).get(1);
            if (obsUser[i] != prevUser) {
                prevUser = obsUser[i];
                prev = -1;
            }
            if (d.isEmpty()) {
                emptyDates++;
                continue;
            }
            assertTrue(d.chars().allMatch(c -> c >= '0' && c <= '9'), "digits only: " + d);
            long ms = Long.parseLong(d);
            assertTrue(ms >= lo && ms < hi, "within 2005-2009: " + ms);
            boolean duplicate = i > 0 && bigLines[i].equals(bigLines[i - 1]);
            if (duplicate) {
                assertTrue(ms >= prev, "duplicate keeps its date");
            } else {
                assertTrue(ms > prev, "strictly increasing within a user at row " + i);
            }
            prev = ms;
        }
        assertTrue(emptyDates > 0, "some rows have an empty date");
    }

    @Test
    void containsTheExpectedDirt() {
        int commaField = 0;
        int quoteField = 0;
        int nonAscii = 0;
        int supplementary = 0;
        int padded = 0;
        int duplicates = 0;
        int emptyRequired = 0;
        int truncated = 0;
        int invalid = 0;
        for (int i = 0; i < bigLines.length; i++) {
            String line = bigLines[i];
            List<String> f = split(line);
            for (String s : f) {
                if (s.indexOf(',') >= 0) {
                    commaField++;
                }
                if (s.indexOf('"') >= 0) {
                    quoteField++;
                }
                if (s.chars().anyMatch(c -> c > 127)) {
                    nonAscii++;
                }
                if (s.codePoints().anyMatch(Character::isSupplementaryCodePoint)) {
                    supplementary++;
                }
                if (!s.isEmpty() && (s.startsWith(" ") || s.endsWith(" "))) {
                    padded++;
                }
            }
            if (i > 0 && line.equals(bigLines[i - 1])) {
                duplicates++;
            }
            if (f.size() < 5) {
                truncated++;
            } else if (f.get(0).isEmpty()
                    || f.get(2).isEmpty()
                    || f.get(3).isEmpty()
                    || f.get(4).isEmpty()) {
                emptyRequired++;
            }
            if (!obsValid[i]) {
                invalid++;
            }
        }
        assertTrue(commaField > 0, "a quoted field with a comma");
        assertTrue(quoteField > 0, "a field with a doubled quote");
        assertTrue(nonAscii > 0, "a non-ASCII name");
        assertTrue(supplementary > 0, "a name with a character outside the BMP");
        assertTrue(padded > 0, "a name with a leading or trailing space");
        assertTrue(duplicates > 0, "a duplicated row");
        assertTrue(emptyRequired > 0, "a row with an empty required field");
        assertTrue(truncated > 0, "a truncated row");
        double invalidRate = (double) invalid / bigLines.length;
        assertTrue(invalidRate >= 0.001 && invalidRate <= 0.02, "invalid fraction " + invalidRate);
        assertEquals(invalid, emptyRequired + truncated, "invalid rows are exactly the emptied and truncated ones");
        // Quoting is RFC-4180: a quoted field in the raw text holds a comma or a quote.
        assertTrue(new String(bigBytes, StandardCharsets.UTF_8).contains("\"\""), "doubled quotes in the raw text");
    }

    @Test
    void sharedTitlesAcrossArtistsAndFavouriteReplays() {
        Map<String, Set<String>> artistsOfTitle = new HashMap<>();
        Map<Long, Integer> pairCounts = new HashMap<>();
        for (int i = 0; i < bigLines.length; i++) {
            if (!obsValid[i]) {
                continue;
            }
            int t = obsTrack[i];
            String title = big.trackTitle(t);
            if (SHARED_TITLES.contains(title)) {
                artistsOfTitle.computeIfAbsent(title, k -> new HashSet<>()).add(big.artistName(t));
            }
            pairCounts.merge(((long) obsUser[i] << 32) | t, 1, Integer::sum);
        }
        assertTrue(
                artistsOfTitle.values().stream().anyMatch(s -> s.size() >= 2),
                "a shared title under two or more artists: " + artistsOfTitle);
        long heavyPairs = pairCounts.values().stream().filter(c -> c >= 10).count();
        assertTrue(heavyPairs > 0, "some (user, track) pairs played 10 times or more");
        double playsPerPair = (double) bigSummary.validPlays() / pairCounts.size();
        assertTrue(playsPerPair > 1.1 && playsPerPair < 3.0, "plays per pair " + playsPerPair);
    }

    @Test
    void heavyTailsForUsersAndTracks() {
        long[] userPlays = new long[big.users()];
        long[] trackPlays = new long[big.tracks()];
        long total = 0;
        for (int i = 0; i < obsValid.length; i++) {
            if (obsValid[i]) {
                userPlays[obsUser[i]]++;
                trackPlays[obsTrack[i]]++;
                total++;
            }
        }
        double topUsers = topShare(userPlays, total);
        double topTracks = topShare(trackPlays, total);
        assertTrue(topUsers > 0.05, "top 1% of users' share of plays: " + topUsers);
        assertTrue(topTracks > 0.15, "top 1% of tracks' share of plays: " + topTracks);
    }

    private static double topShare(long[] counts, long total) {
        long[] c = counts.clone();
        Arrays.sort(c);
        int k = Math.max(1, c.length / 100);
        long s = 0;
        for (int i = 0; i < k; i++) {
            s += c[c.length - 1 - i];
        }
        return (double) s / total;
    }

    @Test
    void plantedGenreStructure() {
        int users = big.users();
        int genres = big.config().genres();
        boolean[][] top3 = new boolean[users][];
        for (int u = 0; u < users; u++) {
            double[] m = big.genreMixture(u);
            assertEquals(genres, m.length);
            assertEquals(1.0, Arrays.stream(m).sum(), 1e-9);
            Integer[] idx = new Integer[genres];
            for (int g = 0; g < genres; g++) {
                idx[g] = g;
            }
            Arrays.sort(idx, (a, b) -> Double.compare(m[b], m[a]));
            top3[u] = new boolean[genres];
            for (int j = 0; j < Math.min(3, genres); j++) {
                top3[u][idx[j]] = true;
            }
        }
        long[] hits = new long[users];
        long[] plays = new long[users];
        List<Integer> playTracks = new ArrayList<>();
        List<Integer> playUsers = new ArrayList<>();
        for (int i = 0; i < obsValid.length; i++) {
            if (obsValid[i]) {
                int u = obsUser[i];
                int t = obsTrack[i];
                plays[u]++;
                if (top3[u][big.genreOfTrack(t)]) {
                    hits[u]++;
                }
                playTracks.add(t);
                playUsers.add(u);
            }
        }
        double mean = 0;
        int active = 0;
        for (int u = 0; u < users; u++) {
            if (plays[u] > 0) {
                mean += (double) hits[u] / plays[u];
                active++;
            }
        }
        mean /= active;
        assertTrue(mean > 0.8, "mean fraction of a user's plays inside the user's top-3 genres: " + mean);

        // The same statistic for random user–track pairings: about 3/G (somewhat more, genres differ in size).
        SplittableRandom rnd = new SplittableRandom(5);
        long randomHits = 0;
        int n = playTracks.size();
        for (int i = 0; i < n; i++) {
            int u = playUsers.get(rnd.nextInt(n));
            int t = playTracks.get(rnd.nextInt(n));
            if (top3[u][big.genreOfTrack(t)]) {
                randomHits++;
            }
        }
        double random = (double) randomHits / n;
        double base = 3.0 / genres;
        assertTrue(
                random < 2.5 * base && random > 0.5 * base,
                "random pairing fraction " + random + " should be near 3/G = " + base);
        assertTrue(mean > 3 * random, "planted structure is far above chance: " + mean + " vs " + random);
    }

    @Test
    void forRowsMatchesLastFmScale() {
        GeneratorConfig c = GeneratorConfig.forRows(13_758_905L, 1L);
        assertTrue(c.users() >= 52_000 && c.users() <= 58_000, "users " + c.users());
        // The catalogue is a little larger than the ~1.04 M tracks that actually get played.
        assertTrue(c.tracks() >= 1_040_000 && c.tracks() <= 1_300_000, "tracks " + c.tracks());
        assertTrue(c.artists() >= 100_000 && c.artists() <= 300_000, "artists " + c.artists());
        assertEquals(GeneratorConfig.DEFAULT_GENRES, c.genres());
        assertEquals(GeneratorConfig.DEFAULT_DIRT_RATE, c.dirtRate());
        assertEquals(13_758_905L, c.rows());

        GeneratorConfig tiny = GeneratorConfig.forRows(1_000, 1L);
        assertTrue(tiny.users() >= 20, "users " + tiny.users());
        assertTrue(tiny.tracks() >= 50, "tracks " + tiny.tracks());
        assertTrue(tiny.artists() >= 1 && tiny.artists() <= tiny.tracks());
        assertTrue(tiny.genres() >= 2 && tiny.genres() <= tiny.artists());

        GeneratorConfig demo = GeneratorConfig.defaults();
        assertEquals(1_000_000L, demo.rows());
        assertEquals(GeneratorConfig.DEFAULT_ROWS, demo.rows());
    }

    @Test
    void tinyAndCleanConfigsWork() {
        for (long rows : new long[] {1, 7, 1_000}) {
            GeneratorConfig c = GeneratorConfig.forRows(rows, 5L);
            String text = new String(generate(c), StandardCharsets.UTF_8);
            assertEquals(rows + 1, text.lines().count(), "rows for " + rows);
        }
        GeneratorConfig one = GeneratorConfig.builder()
                .rows(3)
                .users(1)
                .tracks(1)
                .artists(1)
                .genres(1)
                .dirtRate(0)
                .threads(1)
                .build();
        ListeningsGenerator g = new ListeningsGenerator(one);
        String[] lines = new String(generate(one), StandardCharsets.UTF_8).split("\n");
        assertEquals(4, lines.length);
        for (int i = 1; i < 4; i++) {
            List<String> f = split(lines[i]);
            assertEquals(List.of("user_000000", f.get(1), g.trackTitle(0), g.artistName(0), g.albumName(0)), f);
        }
        GeneratorConfig clean =
                GeneratorConfig.forRows(20_000, 8L).toBuilder().dirtRate(0).build();
        long[] invalid = {0};
        try {
            GeneratorSummary s = new ListeningsGenerator(clean)
                    .write(new ByteArrayOutputStream(), (u, t, v) -> invalid[0] += v ? 0 : 1);
            assertEquals(s.rows(), s.validPlays());
        } catch (IOException e) {
            fail(e);
        }
        assertEquals(0, invalid[0]);
    }

    @Test
    void validationNamesTheProblem() {
        GeneratorConfig ok = GeneratorConfig.forRows(1_000, 1L);
        assertMessage("rows", () -> GeneratorConfig.forRows(0, 1L));
        assertMessage("users", () -> ok.toBuilder().users(2_000).build());
        assertMessage("users", () -> ok.toBuilder().users(-1).build());
        assertMessage(
                "artists", () -> ok.toBuilder().tracks(10).artists(11).genres(2).build());
        assertMessage("genres", () -> ok.toBuilder().artists(3).genres(4).build());
        assertMessage("dirtRate", () -> ok.toBuilder().dirtRate(0.9).build());
        assertMessage("dirtRate", () -> ok.toBuilder().dirtRate(Double.NaN).build());
        assertMessage("threads", () -> ok.toBuilder().threads(0).build());
        assertMessage("tracks", () -> ok.toBuilder().tracks(-5).build());
        assertMessage(
                "per user", () -> ok.toBuilder().rows(10_000_000).users(20).build());
        GeneratorConfig built = GeneratorConfig.builder().rows(5_000).seed(9).build();
        assertEquals(GeneratorConfig.forRows(5_000, 9).withThreads(built.threads()), built);
    }

    @Test
    void deterministicMathAndDigitsAreAccurate() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < 20_000; i++) {
            double x = (rnd.nextDouble() - 0.5) * 1_200;
            assertEquals(Math.exp(x), DMath.exp(x), Math.exp(x) * 1e-14, "exp " + x);
            double y = Math.exp((rnd.nextDouble() - 0.5) * 1_200);
            assertEquals(Math.log(y), DMath.log(y), Math.max(1e-300, Math.abs(Math.log(y))) * 1e-14, "log " + y);
        }
        assertEquals(0.0, DMath.log(1.0));
        byte[] b = new byte[40];
        for (long v : new long[] {
            0,
            7,
            10,
            99,
            100,
            12_345_678,
            99_999_999,
            100_000_000,
            1_104_537_600_000L,
            1_262_303_999_999L,
            Long.MAX_VALUE
        }) {
            int end = RowWriter.writeLong(v, b, 2);
            assertEquals(Long.toString(v), new String(b, 2, end - 2, StandardCharsets.US_ASCII));
        }
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(fragment), "message '" + ex.getMessage() + "' mentions " + fragment);
    }
}
