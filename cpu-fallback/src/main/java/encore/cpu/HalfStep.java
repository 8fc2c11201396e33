package encore.cpu;

import encore.als.AlsParams;
import encore.matrix.Csr;

/**
 * What every row of one half-iteration shares (read-only except {@code dst}, where each row writes only its own
 * slice).
 *
 * @param ratings      dst × src ratings
 * @param src          the fixed side's factors, row-major at rank k
 * @param dst          the side being solved, row-major at rank k (CG reads a row's current value as its warm start)
 * @param gram         YᵀY of {@code src} (k × k row-major, upper triangle read) in implicit mode, else null
 * @param woodburyBase what the {@link RowStrategy#WOODBURY} rows share ({@link WoodburyBase#of}), or null
 *                     where no row takes {@link RowStrategy#WOODBURY}
 * @param params       the parameters
 */
record HalfStep(Csr ratings, float[] src, float[] dst, double[] gram, WoodburyBase woodburyBase, AlsParams params) {
    /**
     * The regularisation λ of row {@code row} (ALS-WR scaling): regParam · n, with n the row's entries (explicit)
     * or its entries with r &gt; 0 (implicit).
     */
    double lambda(int row) {
        int n = ratings.rowLength(row);
        if (params.implicitPrefs()) {
            float[] val = ratings.values();
            n = 0;
            for (int q = ratings.rowStart(row), e = ratings.rowEnd(row); q < e; q++) {
                if (val[q] > 0) {
                    n++;
                }
            }
        }
        return params.regParam() * n;
    }

    /**
     * Builds row {@code row}'s k × k normal equations into {@code ne} (upper triangle), the λ term included: explicit
     * {@code Σ y yᵀ + λ·n·I}, implicit {@code YᵀY + Σ α|r| y yᵀ + λ·n⁺·I}, and the right-hand side.
     */
    void buildNormalEquation(int row, NormalEquation ne) {
        int s = ratings.rowStart(row);
        int e = ratings.rowEnd(row);
        ne.reset();
        int n;
        if (params.implicitPrefs()) {
            ne.addMatrix(gram);
            n = ne.addRatings(src, ratings.colIdx(), ratings.values(), s, e, params.alpha());
        } else {
            n = ne.addRatings(src, ratings.colIdx(), ratings.values(), s, e, -1);
        }
        ne.addToDiagonal(params.regParam() * n);
    }
}
