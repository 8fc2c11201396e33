package encore.als;

import java.util.BitSet;

/**
 * Which items a single recommendation may return: an optional allow list (the candidates) and a deny list, both by
 * item index — one meaning everywhere (library, {@code encore recommend --only/--exclude}, {@code encore serve}). An item
 * is allowed when it is a candidate (every item, when no allow list is set) and not denied; items without factors are
 * never recommended whatever the filter says. A recommendation under a filter has exactly
 * {@code min(k, allowed items with factors)} entries. Immutable; the bit sets are copied in and never handed out.
 */
public final class ItemFilter {
    private static final ItemFilter NONE = new ItemFilter(null, null);

    private final BitSet candidates;
    private final BitSet denied;

    private ItemFilter(BitSet candidates, BitSet denied) {
        this.candidates = candidates;
        this.denied = denied;
    }

    /** No restriction: every item with factors. */
    public static ItemFilter none() {
        return NONE;
    }

    /** Only the given item indices (negative indices are rejected; indices past the catalogue never match). */
    public static ItemFilter only(int... items) {
        return new ItemFilter(bits(items, "only"), null);
    }

    /** Every item but the given indices. */
    public static ItemFilter excluding(int... items) {
        return new ItemFilter(null, bits(items, "exclude"));
    }

    /** This filter, restricted further to the given candidates (intersected with any allow list already set). */
    public ItemFilter andOnly(int... items) {
        BitSet c = bits(items, "only");
        if (candidates != null) {
            c.and(candidates);
        }
        return new ItemFilter(c, denied);
    }

    /** This filter with the given items denied as well. */
    public ItemFilter andExcluding(int... items) {
        if (items.length == 0) {
            return this;
        }
        BitSet d = bits(items, "exclude");
        if (denied != null) {
            d.or(denied);
        }
        return new ItemFilter(candidates, d);
    }

    /** Whether item {@code i} may be returned (its factors aside). */
    public boolean allows(int i) {
        return (candidates == null || candidates.get(i)) && (denied == null || !denied.get(i));
    }

    /** Whether an allow list is set. */
    public boolean hasCandidates() {
        return candidates != null;
    }

    /** The number of candidates of the allow list (only when {@link #hasCandidates()}). */
    int candidateCount() {
        return candidates.cardinality();
    }

    /** The next candidate of the allow list at or after {@code from}, or −1 (only when {@link #hasCandidates()}). */
    int nextCandidate(int from) {
        return candidates.nextSetBit(from);
    }

    private static BitSet bits(int[] items, String what) {
        BitSet b = new BitSet();
        for (int i : items) {
            if (i < 0) {
                throw new IllegalArgumentException(what + ": item index " + i + " is negative");
            }
            b.set(i);
        }
        return b;
    }

    @Override
    public String toString() {
        return "ItemFilter[only=" + (candidates == null ? "all" : candidates.cardinality() + " items") + ", exclude="
                + (denied == null ? 0 : denied.cardinality()) + " items]";
    }
}
