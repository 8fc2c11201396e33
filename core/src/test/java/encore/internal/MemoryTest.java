package encore.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryTest {
    @Test
    void aStageThatCannotFitIsRefusedWithTheHeapToUse() {
        long max = Runtime.getRuntime().maxMemory();
        Memory.NotEnoughMemoryException e = assertThrows(
                Memory.NotEnoughMemoryException.class, () -> Memory.requireFit(50_000_000, 10_000_000, 256));
        String m = e.getMessage();
        assertTrue(
                m.startsWith("not enough memory: the ALS factors of 50000000 users and 10000000 items at rank 256 "
                        + "need about 57.2 GiB but the heap has "),
                m);
        assertTrue(m.endsWith("run the JVM with a larger heap, e.g. -Xmx" + e.suggestedHeap()), m);
        assertTrue(e.suggestedHeap().matches("[0-9]+g"), e.suggestedHeap());
        assertTrue(max < 57L << 30);
        assertDoesNotThrow(() -> Memory.requireFit(1000, 1000, 10));
    }

    @Test
    void suggestionsRoundUpWithRoomToSpare() {
        assertEquals("256m", Memory.suggest(100L << 20));
        assertEquals("768m", Memory.suggest(500L << 20));
        assertEquals("2g", Memory.suggest(1L << 30));
        assertEquals("15g", Memory.suggest(10L << 30));
    }
}
