package encore.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelIndexTest {
    @Test
    void mostFrequentFirstTiesByStringCompareTo() {
        String[] labels = {"b", "a", "c", "B", "d"};
        int[] freq = {2, 2, 5, 2, 1};
        LabelIndex.Fit fit = LabelIndex.fit(labels, freq);
        // c(5); then a, b, B tie at 2 -> compareTo order: "B" (66) < "a" (97) < "b" (98); then d
        assertArrayEquals(new String[] {"c", "B", "a", "b", "d"}, fit.index().labels());
        assertArrayEquals(new int[] {3, 2, 0, 1, 4}, fit.idToIndex());
        assertEquals(5, fit.index().frequency(0));
    }

    @Test
    void tieOrderIsUtf16CodeUnitsNotCodePoints() {
        String emoji = "\uD83D\uDE00"; // U+1F600, stored as surrogates D83D DE00
        String fullwidth = "\uFF5E"; // U+FF5E, a BMP character above the surrogate range
        LabelIndex idx = LabelIndex.fit(new String[] {fullwidth, emoji}, new int[] {1, 1})
                .index();
        // Scala's String < (compareTo) compares UTF-16 units: 0xD83D < 0xFF5E, so the emoji comes first,
        // although its code point (0x1F600) is larger.
        assertArrayEquals(new String[] {emoji, fullwidth}, idx.labels());
        assertTrue(emoji.codePointAt(0) > fullwidth.codePointAt(0));
    }

    @Test
    void handleInvalidKeepMapsUnseenAndNullToSize() {
        LabelIndex idx =
                LabelIndex.fit(new String[] {"x", "y"}, new int[] {1, 3}).index();
        assertEquals(0, idx.indexOf("y"));
        assertEquals(1, idx.indexOf("x"));
        assertEquals(2, idx.indexOf("never seen"));
        assertEquals(2, idx.indexOf(null));
        assertFalse(idx.contains("never seen"));
    }

    @Test
    void orderedIndexRefusesDuplicatesAnywhere() {
        for (String[] labels : new String[][] {{"a", "a"}, {"a", "b", "a"}, {"x", "y", "y"}}) {
            assertTrue(org.junit.jupiter.api.Assertions.assertThrows(
                            IllegalArgumentException.class, () -> LabelIndex.ofOrdered(labels, new int[labels.length]))
                    .getMessage()
                    .contains("duplicate label"));
        }
    }

    @Test
    void matchesAReferenceSortOnRandomLabels() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 5000;
        String[] labels = new String[n];
        int[] freq = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = "L" + Integer.toString(r.nextInt(1 << 30), 36) + "#" + i;
            freq[i] = 1 + (int) (Math.pow(r.nextDouble(), 4) * 30);
        }
        Integer[] ref = new Integer[n];
        for (int i = 0; i < n; i++) {
            ref[i] = i;
        }
        Arrays.sort(ref, Comparator.<Integer>comparingInt(i -> -freq[i]).thenComparing(i -> labels[i]));
        LabelIndex idx = LabelIndex.fit(labels, freq).index();
        for (int k = 0; k < n; k++) {
            assertEquals(labels[ref[k]], idx.label(k));
            assertEquals(k, idx.indexOf(labels[ref[k]]));
        }
    }

    @Test
    void labelSortIsStringCompareToOrderOnTrickyLabels() {
        SplittableRandom r = new SplittableRandom(5);
        String[] alphabet = {"a", "b", "\u0000", "\u0001", "\uFFFF", "\uD83D\uDE00", "\uFF5E", "é", " ", "The "};
        for (int round = 0; round < 40; round++) {
            int n = round < 3 ? 20_000 : 1 + r.nextInt(3000); // large ones take the radix path
            String[] labels = new String[n];
            String[] stems = {"", "The Long Common Prefix ", "abcd", "abcdefgh", "abcdefghijkl", "abcdefghijklmnop"};
            for (int i = 0; i < n; i++) {
                StringBuilder sb = new StringBuilder(stems[r.nextInt(stems.length)]);
                for (int k = r.nextInt(6); k > 0; k--) {
                    sb.append(alphabet[r.nextInt(alphabet.length)]);
                }
                labels[i] = sb.toString(); // duplicates and empty labels too: the sort must not mind
            }
            int[] ids = LabelSort.sortedIds(labels);
            String[] want = labels.clone();
            Arrays.sort(want);
            for (int k = 0; k < n; k++) {
                assertEquals(want[k], labels[ids[k]], "round " + round + ", position " + k);
            }
            boolean[] seen = new boolean[n];
            for (int id : ids) {
                assertFalse(seen[id], "each id once");
                seen[id] = true;
            }
        }
    }
}
