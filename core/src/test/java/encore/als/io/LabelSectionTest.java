package encore.als.io;

import encore.data.LabelIndex;
import org.junit.jupiter.api.Test;

import static encore.als.io.ModelFiles.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What {@link LabelSection} relies on: {@link LabelIndex#ofOrdered} rejects every duplicate label, adjacent ones
 * included (an earlier comment claimed it missed a label equal to the one just before it, and a second loop checked
 * that case again; both are gone). The file-level checks are in {@link ModelReaderTest}.
 */
class LabelSectionTest {
    @Test
    void ofOrderedRejectsEveryDuplicateAdjacentOrNot() {
        String[][] cases = {{"a", "a"}, {"x", "a", "a"}, {"a", "b", "a"}, {"", ""}, {"🎵", "z", "q", "🎵"}};
        for (String[] labels : cases) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> LabelIndex.ofOrdered(labels, new int[labels.length]));
            assertContains("duplicate label", e);
        }
        // larger than the parallel threshold, with the duplicate right after its twin, as the reader calls it
        int n = LabelSection.PARALLEL_LABELS + 10;
        String[] labels = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = "label-" + i;
        }
        labels[n - 1] = labels[n - 2];
        assertEquals(
                "duplicate label: " + labels[n - 2],
                assertThrows(IllegalArgumentException.class, () -> LabelIndex.ofOrdered(labels, new int[n]))
                        .getMessage());
    }
}
