/**
 * The CPU ALS engine (registered as backend {@code cpu}): each half-iteration's rows solved in parallel, one
 * {@link encore.cpu.RowStrategy} per row (normal equations built by {@link encore.cpu.NormalEquation}, solved by
 * {@link encore.cpu.DenseSolvers}: Cholesky, NNLS, or CG), and the reference solves the GPU engine is checked against
 * ({@link encore.cpu.CpuHalfIteration}, {@link encore.cpu.ReferenceRowSolver}). Top-k scoring on the CPU is
 * {@code encore.als.CpuTopKScorer}, in core.
 */
package encore.cpu;
