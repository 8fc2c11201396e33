package encore.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Everything one read of a listenings file says — the error, or the counts, the bad rows and every kept row as its
 * labels in file order — to compare the fast path with the reference parser. With one thread the ids are first-seen
 * ids in file order, so the label arrays and the row arrays themselves are compared too.
 */
record ReadOutcome(
        String error,
        long errorLine,
        IngestStats stats,
        List<String> rowUsers,
        List<String> rowItems,
        String[] userLabels,
        String[] itemLabels,
        int[] rowUser,
        int[] rowItem) {

    /** Reads {@code file} with {@code options} and the fast path as {@code fastPath} says. */
    static ReadOutcome of(Path file, IngestOptions options, FastPath fastPath) throws IOException {
        RawPlays raw;
        try {
            raw = ListeningsReader.read(file, options, IngestProgress.NONE, fastPath);
        } catch (InputFormatException e) {
            return new ReadOutcome(e.getMessage(), e.line(), null, List.of(), List.of(), null, null, null, null);
        }
        List<String> users = new ArrayList<>(raw.rows());
        List<String> items = new ArrayList<>(raw.rows());
        for (int i = 0; i < raw.rows(); i++) {
            users.add(raw.userLabels()[raw.rowUser()[i]]);
            items.add(raw.itemLabels()[raw.rowItem()[i]]);
        }
        return new ReadOutcome(
                null, 0, raw.stats(), users, items, raw.userLabels(), raw.itemLabels(), raw.rowUser(), raw.rowItem());
    }

    /** Asserts that {@code other} says exactly what this says; {@code exactIds}: compare ids too (one thread). */
    void assertSame(ReadOutcome other, boolean exactIds, String what) {
        assertEquals(error, other.error, what + ": error");
        assertEquals(errorLine, other.errorLine, what + ": error line");
        if (error != null) {
            return;
        }
        assertEquals(stats.rowsRead(), other.stats.rowsRead(), what + ": rows read");
        assertEquals(Arrays.toString(stats.dropped()), Arrays.toString(other.stats.dropped()), what + ": dropped");
        assertEquals(stats.badRows(), other.stats.badRows(), what + ": bad rows");
        assertEquals(stats.chunks(), other.stats.chunks(), what + ": chunks");
        assertEquals(stats.bytes(), other.stats.bytes(), what + ": bytes");
        assertEquals(rowUsers, other.rowUsers, what + ": users of the kept rows");
        assertEquals(rowItems, other.rowItems, what + ": items of the kept rows");
        if (exactIds) {
            assertArrayEquals(userLabels, other.userLabels, what + ": user labels");
            assertArrayEquals(itemLabels, other.itemLabels, what + ": item labels");
            assertArrayEquals(rowUser, other.rowUser, what + ": row users");
            assertArrayEquals(rowItem, other.rowItem, what + ": row items");
        }
    }

    /**
     * Runs the whole front end on {@code file} with the fast path on and off, writes both results as {@code prepare}
     * does, and asserts that every output file is the same byte for byte and every count the same (the report's
     * timings aside). Returns false when the front end refused the file (with the same message both ways).
     */
    static boolean assertSameOutputs(Path file, IngestOptions options, Path work, FastPath fast) throws IOException {
        PrepareOptions po = new PrepareOptions(options, -1, SplitSpec.random(0.5, 7));
        Prepared a;
        Prepared b;
        try {
            a = Prepare.run(file, po, IngestProgress.NONE, fast);
        } catch (InputFormatException e) {
            InputFormatException f = org.junit.jupiter.api.Assertions.assertThrows(
                    InputFormatException.class, () -> Prepare.run(file, po, IngestProgress.NONE, FastPath.OFF));
            assertEquals(e.getMessage(), f.getMessage());
            return false;
        }
        b = Prepare.run(file, po, IngestProgress.NONE, FastPath.OFF);
        Path da = Files.createDirectories(work.resolve("fast"));
        Path db = Files.createDirectories(work.resolve("reference"));
        PreparedFiles.write(da, a, true, Map.of());
        PreparedFiles.write(db, b, true, Map.of());
        for (String name : List.of(PreparedFiles.USERS, PreparedFiles.ITEMS, PreparedFiles.TRAIN, PreparedFiles.TEST)) {
            assertArrayEquals(
                    Files.readAllBytes(db.resolve(name)), Files.readAllBytes(da.resolve(name)), file + ": " + name);
        }
        assertEquals(PreparedFiles.counts(b, true), PreparedFiles.counts(a, true), file + ": counts");
        return true;
    }
}
