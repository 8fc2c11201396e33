package encore.cpu;

import encore.als.AlsParams;

/**
 * What the {@link RowStrategy#WOODBURY} rows of a half-iteration share, computed once from YᵀY: with the scalar
 * kernels the Cholesky factors of B(n⁺) = YᵀY + λ·n⁺·I for each n⁺ ({@link WoodburyRow#baseFactors}), with the
 * vector kernels the eigendecomposition of YᵀY ({@link GramEigen}), which serves every n⁺.
 *
 * @param factors the Cholesky factors by n⁺ ({@link WoodburyRow}), or null
 * @param eigen   YᵀY's eigendecomposition ({@link VectorWoodburyRow}), or null (also when it did not converge)
 */
record WoodburyBase(double[][] factors, GramEigen eigen) {
    /**
     * What {@code simd}'s Woodbury solver needs of {@code gram} under {@code p}, or null when no row takes that path
     * (explicit feedback, CG, nonnegative).
     */
    static WoodburyBase of(double[] gram, AlsParams p, boolean simd) {
        int k = p.rank();
        if (!RowStrategy.WOODBURY.possibleWith(p) || !RowSolvers.solvesWoodbury(simd, k)) {
            return null;
        }
        return simd
                ? new WoodburyBase(null, GramEigen.of(gram, k, VectorDense.stride(k)))
                : new WoodburyBase(WoodburyRow.baseFactors(gram, k, p.regParam()), null);
    }
}
