package encore.matrix;

import java.util.Arrays;
import java.util.BitSet;

/**
 * A dense factor matrix: {@code rows × rank} float32 values, row-major ({@code row r} at
 * {@code [r·rank, r·rank + rank)}), plus which rows are <em>present</em> (have factors). Absent rows — users or items
 * without training ratings ("cold") — hold zeros and are skipped by every scorer and solver.
 *
 * <p>Ownership is explicit:
 * <ul>
 *   <li>{@link #wrap} takes ownership of the arrays it is given (no copy): the caller must not touch them afterwards.
 *       Engines use it for the matrices they compute; the one who created a {@code Factors} by {@code wrap} and has
 *       not yet handed it out is its only writer (a fit handle writes into the factors it owns between
 *       half-iterations).</li>
 *   <li>{@link #copyOf} copies, so the caller keeps its arrays.</li>
 *   <li>Once handed out (in a model, a snapshot, a result) a {@code Factors} is a value: nobody writes it again, and
 *       it is safe for any number of concurrent readers. {@link #data()} exposes the backing array to engines and
 *       scorers for zero-copy reads; it must be treated as read-only.</li>
 * </ul>
 */
public final class Factors {
    private final float[] data;
    private final int rows;
    private final int rank;
    private final BitSet present;
    private final int presentCount;

    private Factors(float[] data, int rows, int rank, BitSet present) {
        if (rows < 0 || rank < 1) {
            throw new IllegalArgumentException("factors need rows >= 0 and rank >= 1, got " + rows + " × " + rank);
        }
        if (data.length != (long) rows * rank) {
            throw new IllegalArgumentException(
                    "factor array has " + data.length + " values, expected " + rows + " rows × rank " + rank);
        }
        if (present.length() > rows) {
            throw new IllegalArgumentException(
                    "row " + (present.length() - 1) + " is marked present in a " + rows + "-row factor matrix");
        }
        this.data = data;
        this.rows = rows;
        this.rank = rank;
        this.present = present;
        this.presentCount = present.cardinality();
    }

    /** Wraps the arrays without copying; this object takes ownership of both. */
    public static Factors wrap(float[] data, int rows, int rank, BitSet present) {
        return new Factors(data, rows, rank, present);
    }

    /** Copies the arrays; the caller keeps its own. */
    public static Factors copyOf(float[] data, int rows, int rank, BitSet present) {
        return new Factors(data.clone(), rows, rank, (BitSet) present.clone());
    }

    /** {@code rows × rank} zeros with the given rows present (the bit set is copied). */
    public static Factors zeros(int rows, int rank, BitSet present) {
        if ((long) rows * rank > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(
                    "rank " + rank + " × " + rows + " rows is more factors than one Java " + "array holds");
        }
        return new Factors(new float[rows * rank], rows, rank, (BitSet) present.clone());
    }

    /** Number of rows, present or not. */
    public int rows() {
        return rows;
    }

    /** Length of every row. */
    public int rank() {
        return rank;
    }

    /** True when {@code r} is a row index of this matrix and that row has factors. */
    public boolean has(int r) {
        return r >= 0 && r < rows && present.get(r);
    }

    /** Offset of row {@code r}'s first value in {@link #data()}: {@code r · rank}. */
    public int offset(int r) {
        return r * rank;
    }

    /** A copy of row {@code r}, or null when it is absent. */
    public float[] row(int r) {
        return has(r) ? Arrays.copyOfRange(data, r * rank, (r + 1) * rank) : null;
    }

    /** Value {@code d} of row {@code r}. */
    public float get(int r, int d) {
        return data[r * rank + d];
    }

    /** Number of present rows. */
    public int presentCount() {
        return presentCount;
    }

    /**
     * The first present row at or after {@code from}, or -1; iterate with
     * {@code for (int r = f.nextPresent(0); r >= 0; r = f.nextPresent(r + 1))}.
     */
    public int nextPresent(int from) {
        return present.nextSetBit(from);
    }

    /** A copy of the present rows' bit set. */
    public BitSet present() {
        return (BitSet) present.clone();
    }

    /** The backing row-major array (not a copy): read-only for everyone but the owner that wrapped it. */
    public float[] data() {
        return data;
    }

    /** A deep copy. */
    public Factors copy() {
        return copyOf(data, rows, rank, present);
    }

    /**
     * The same values with only the rows of {@code keep} that are present here still present (e.g. the items a
     * blacklist allows); shares the values, which is safe since both are read-only.
     */
    public Factors restrictTo(BitSet keep) {
        BitSet p = (BitSet) present.clone();
        p.and(keep);
        return new Factors(data, rows, rank, p);
    }

    /** The first present row whose factor has a NaN or infinite value, or -1. */
    public int firstNonFinite() {
        for (int r = present.nextSetBit(0); r >= 0; r = present.nextSetBit(r + 1)) {
            for (int d = r * rank, e = d + rank; d < e; d++) {
                if (!Float.isFinite(data[d])) {
                    return r;
                }
            }
        }
        return -1;
    }

    /** Equal shape, present rows and values (bit for bit, so NaN equals NaN and 0 differs from −0). */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Factors)) {
            return false;
        }
        Factors f = (Factors) o;
        return rows == f.rows && rank == f.rank && present.equals(f.present) && Arrays.equals(data, f.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + rank) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Factors[" + rows + " × " + rank + ", " + presentCount + " present]";
    }
}
