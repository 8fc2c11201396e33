package encore.cli;

import encore.als.ItemFilter;
import encore.data.LabelIndex;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * The item lists of {@code --only} and {@code --exclude}: a file of item labels (one per line; a trailing CR and blank
 * lines ignored) when the value names an existing file, otherwise a comma-separated list of labels. Labels the model
 * does not know are reported once per flag and ignored.
 */
final class ItemLists {
    private ItemLists() {}

    /** The filter of both flags (either may be null). */
    static ItemFilter filter(LabelIndex items, String only, String exclude, PrintWriter err) throws IOException {
        ItemFilter f = ItemFilter.none();
        if (only != null) {
            f = f.andOnly(indices(items, only, "--only", err));
        }
        if (exclude != null) {
            f = f.andExcluding(indices(items, exclude, "--exclude", err));
        }
        return f;
    }

    /** The items {@code filter} does not allow, for the batch scorer's blacklist (null when it allows all). */
    static BitSet blocked(ItemFilter filter, int items) {
        if (filter == ItemFilter.none()) {
            return null;
        }
        BitSet b = new BitSet(items);
        for (int i = 0; i < items; i++) {
            if (!filter.allows(i)) {
                b.set(i);
            }
        }
        return b;
    }

    private static int[] indices(LabelIndex items, String value, String flag, PrintWriter err) throws IOException {
        List<String> labels = labels(value, flag);
        int[] out = new int[labels.size()];
        int n = 0;
        int unknown = 0;
        String first = null;
        for (String label : labels) {
            int i = items.indexOf(label);
            if (i == items.size()) {
                unknown++;
                first = first == null ? label : first;
            } else {
                out[n++] = i;
            }
        }
        if (unknown > 0) {
            err.printf(
                    Locale.ROOT,
                    "encore: %s: %d of %d items are not in the model and are ignored (first: '%s')%n",
                    flag,
                    unknown,
                    labels.size(),
                    first);
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static List<String> labels(String value, String flag) throws IOException {
        Path file = null;
        try {
            Path p = Path.of(value);
            if (Files.isRegularFile(p)) {
                file = p;
            }
        } catch (InvalidPathException notAPath) {
            // a list of labels
        }
        List<String> labels = new ArrayList<>();
        if (file == null) {
            for (String s : value.split(",", -1)) {
                labels.add(s);
            }
            return labels;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                if (!l.isBlank()) {
                    labels.add(l);
                }
            }
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(flag + " " + file + ": not valid UTF-8");
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return labels;
    }
}
