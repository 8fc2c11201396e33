package encore.data;

/**
 * The open-addressing tables of the label dictionaries ({@link LabelDictionary}, {@link ByteLabelDictionary}): one
 * {@code long} per slot, 0 empty, else a 32-bit hash tag in the high half (which also picks the home slot) and the
 * entry in the low half; linear probing, a power-of-two capacity.
 */
final class TagSlots {
    private TagSlots() {}

    /**
     * The table of twice the capacity holding every entry of {@code slots}, read in slot order (each entry's tag gives
     * its new slot, so the old table is read in order rather than one miss per label).
     *
     * @param size the entries held, for the error when the table cannot grow
     */
    static long[] doubled(long[] slots, int size) {
        int cap = slots.length << 1;
        if (cap <= 0) {
            throw new IllegalStateException("too many distinct labels: " + size);
        }
        long[] n = new long[cap];
        int nm = cap - 1;
        for (long e : slots) {
            if (e != 0) {
                int slot = (int) (e >>> 32) & nm;
                while (n[slot] != 0) {
                    slot = (slot + 1) & nm;
                }
                n[slot] = e;
            }
        }
        return n;
    }
}
