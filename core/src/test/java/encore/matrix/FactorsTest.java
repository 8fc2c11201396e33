package encore.matrix;

import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FactorsTest {
    private static BitSet bits(int... rows) {
        BitSet b = new BitSet();
        for (int r : rows) {
            b.set(r);
        }
        return b;
    }

    @Test
    void rowsOffsetsAndPresence() {
        float[] data = {1, 2, 0, 0, 5, 6};
        Factors f = Factors.wrap(data, 3, 2, bits(0, 2));
        assertEquals(3, f.rows());
        assertEquals(2, f.rank());
        assertEquals(2, f.presentCount());
        assertEquals(4, f.offset(2));
        assertEquals(6f, f.get(2, 1));
        assertArrayEquals(new float[] {5, 6}, f.row(2));
        assertNull(f.row(1), "an absent row has no vector");
        assertFalse(f.has(1));
        assertFalse(f.has(-1));
        assertFalse(f.has(3));
        assertEquals(0, f.nextPresent(0));
        assertEquals(2, f.nextPresent(1));
        assertEquals(-1, f.nextPresent(3));
    }

    @Test
    void wrapTakesOwnershipAndCopyOfDoesNot() {
        float[] data = {1, 2};
        BitSet present = bits(0);
        Factors wrapped = Factors.wrap(data, 1, 2, present);
        assertSame(data, wrapped.data());
        Factors copied = Factors.copyOf(data, 1, 2, present);
        assertNotSame(data, copied.data());
        data[0] = 9;
        present.clear(0);
        assertEquals(1f, copied.get(0, 0), "a copy does not see the caller's later writes");
        assertTrue(copied.has(0));
        assertEquals(9f, wrapped.get(0, 0), "a wrapped array is the matrix");
    }

    @Test
    void presentIsACopyAndRowsReturnCopies() {
        Factors f = Factors.copyOf(new float[] {1, 2}, 1, 2, bits(0));
        f.present().clear(0);
        f.row(0)[0] = 7;
        assertTrue(f.has(0));
        assertEquals(1f, f.get(0, 0));
    }

    @Test
    void shapesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Factors.wrap(new float[5], 3, 2, new BitSet()));
        assertThrows(IllegalArgumentException.class, () -> Factors.wrap(new float[6], 3, 2, bits(3)));
        assertThrows(IllegalArgumentException.class, () -> Factors.wrap(new float[0], 0, 0, new BitSet()));
    }

    @Test
    void restrictToKeepsValuesAndIntersectsPresence() {
        Factors f = Factors.copyOf(new float[] {1, 2, 3}, 3, 1, bits(0, 1));
        Factors r = f.restrictTo(bits(1, 2));
        assertFalse(r.has(0));
        assertTrue(r.has(1));
        assertFalse(r.has(2), "a row absent here stays absent");
        assertSame(f.data(), r.data());
        assertTrue(f.has(0), "the original is unchanged");
    }

    @Test
    void firstNonFiniteLooksAtPresentRowsOnly() {
        float[] data = {1, Float.NaN, 2, 3, 4, Float.POSITIVE_INFINITY};
        assertEquals(-1, Factors.wrap(data.clone(), 3, 2, bits(1)).firstNonFinite());
        assertEquals(0, Factors.wrap(data.clone(), 3, 2, bits(0, 2)).firstNonFinite());
        assertEquals(2, Factors.wrap(data.clone(), 3, 2, bits(1, 2)).firstNonFinite());
    }

    @Test
    void equalityIsBitExact() {
        Factors a = Factors.copyOf(new float[] {0f, Float.NaN}, 1, 2, bits(0));
        assertEquals(a, Factors.copyOf(new float[] {0f, Float.NaN}, 1, 2, bits(0)));
        assertEquals(a.hashCode(), a.copy().hashCode());
        assertNotEquals(a, Factors.copyOf(new float[] {-0f, Float.NaN}, 1, 2, bits(0)));
        assertNotEquals(a, Factors.copyOf(new float[] {0f, Float.NaN}, 1, 2, new BitSet()));
        assertNotEquals(a, Factors.copyOf(new float[] {0f, Float.NaN}, 2, 1, bits(0)));
    }

    @Test
    void zerosCopiesThePresenceAndHoldsZeros() {
        BitSet p = bits(1);
        Factors z = Factors.zeros(2, 3, p);
        p.set(0);
        assertFalse(z.has(0));
        assertTrue(z.has(1));
        assertArrayEquals(new float[6], z.data());
    }
}
