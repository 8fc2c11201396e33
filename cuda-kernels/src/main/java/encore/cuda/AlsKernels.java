package encore.cuda;

import jcuda.driver.CUmodule;

/**
 * Typed launches of the kernels in {@code als.cu}: one method per kernel, written against its prototype (quoted in
 * each javadoc) and packing the arguments in that order. A method that mirrors a prototype with more than seven
 * parameters has as many (the project's seven-parameter limit does not apply to this facade); CSR arguments travel as
 * one {@link DeviceCsr} ({@code rowPtr}, {@code col}, {@code val}, and for the solvers {@code order}, {@code nOrder}).
 * Owner thread only; every launch waits for the kernel ({@link Kernel#launch}).
 */
final class AlsKernels {
    private final Kernel gramPartial;
    private final Kernel gramReduce;
    private final Kernel solveRows;
    private final Kernel cgRows;
    private final Kernel squaredError;
    private final Kernel firstNonFinite;

    private AlsKernels(CUmodule m, int maxSharedOptin) throws GpuUnavailableException {
        gramPartial = Kernel.lookup(m, "gram_partial", maxSharedOptin);
        gramReduce = Kernel.lookup(m, "gram_reduce", maxSharedOptin);
        solveRows = Kernel.lookup(m, "solve_rows", maxSharedOptin);
        cgRows = Kernel.lookup(m, "cg_rows", maxSharedOptin);
        squaredError = Kernel.lookup(m, "squared_error", maxSharedOptin);
        firstNonFinite = Kernel.lookup(m, "first_non_finite", maxSharedOptin);
    }

    /** Looks every kernel of the als module up (owner thread). */
    static AlsKernels load(CUmodule m, int maxSharedOptin) throws GpuUnavailableException {
        return new AlsKernels(m, maxSharedOptin);
    }

    /**
     * {@code gram_partial(const float* y, long long rows, int k, long long rowsPerBlock, int tileRows,
     * double* partials)}.
     */
    void gramPartial(
            Kernel.Launch l, DeviceBuffer y, long rows, int k, long rowsPerBlock, int tileRows, DeviceBuffer partials) {
        gramPartial.launch(
                l,
                new Kernel.Args(6)
                        .ptr(y)
                        .i64(rows)
                        .i32(k)
                        .i64(rowsPerBlock)
                        .i32(tileRows)
                        .ptr(partials));
    }

    /** {@code gram_reduce(const double* partials, int parts, int k, double* gram)}. */
    void gramReduce(Kernel.Launch l, DeviceBuffer partials, int parts, int k, DeviceBuffer gram) {
        gramReduce.launch(l, new Kernel.Args(4).ptr(partials).i32(parts).i32(k).ptr(gram));
    }

    /**
     * {@code solve_rows(const long long* rowPtr, const int* col, const float* val, const float* src, float* dst,
     * const int* order, int nOrder, int k, double lambda, int implicitMode, double alpha, const double* gram,
     * double* scratch, int aInShared, int tileRows, int* firstBad)}; {@code gram} and {@code scratch} may be null
     * (explicit; A in shared memory). Mirrors the prototype, hence more than seven parameters.
     */
    void solveRows(
            Kernel.Launch l,
            DeviceCsr m,
            DeviceBuffer src,
            DeviceBuffer dst,
            int k,
            double lambda,
            boolean implicit,
            double alpha,
            DeviceBuffer gram,
            DeviceBuffer scratch,
            boolean aInShared,
            int tileRows,
            DeviceBuffer firstBad) {
        solveRows.launch(
                l,
                new Kernel.Args(16)
                        .ptr(m.rowPtr)
                        .ptr(m.col)
                        .ptr(m.val)
                        .ptr(src)
                        .ptr(dst)
                        .ptr(m.order)
                        .i32(m.nonEmptyRows)
                        .i32(k)
                        .f64(lambda)
                        .i32(implicit ? 1 : 0)
                        .f64(alpha)
                        .ptr(gram)
                        .ptr(scratch)
                        .i32(aInShared ? 1 : 0)
                        .i32(tileRows)
                        .ptr(firstBad));
    }

    /**
     * {@code cg_rows(const long long* rowPtr, const int* col, const float* val, const float* src, float* dst,
     * const int* order, int nOrder, int k, double lambda, double alpha, const double* gram, int cgSteps,
     * int* firstBad)}. Mirrors the prototype, hence more than seven parameters.
     */
    void cgRows(
            Kernel.Launch l,
            DeviceCsr m,
            DeviceBuffer src,
            DeviceBuffer dst,
            int k,
            double lambda,
            double alpha,
            DeviceBuffer gram,
            int cgSteps,
            DeviceBuffer firstBad) {
        cgRows.launch(
                l,
                new Kernel.Args(13)
                        .ptr(m.rowPtr)
                        .ptr(m.col)
                        .ptr(m.val)
                        .ptr(src)
                        .ptr(dst)
                        .ptr(m.order)
                        .i32(m.nonEmptyRows)
                        .i32(k)
                        .f64(lambda)
                        .f64(alpha)
                        .ptr(gram)
                        .i32(cgSteps)
                        .ptr(firstBad));
    }

    /**
     * {@code squared_error(const long long* rowPtr, const int* col, const float* val, const float* x, const float* y,
     * int rows, int k, int rowsPerBlock, double* partials)}. Mirrors the prototype, hence more than seven parameters.
     */
    void squaredError(
            Kernel.Launch l,
            DeviceCsr m,
            DeviceBuffer x,
            DeviceBuffer y,
            int rows,
            int k,
            int rowsPerBlock,
            DeviceBuffer partials) {
        squaredError.launch(
                l,
                new Kernel.Args(9)
                        .ptr(m.rowPtr)
                        .ptr(m.col)
                        .ptr(m.val)
                        .ptr(x)
                        .ptr(y)
                        .i32(rows)
                        .i32(k)
                        .i32(rowsPerBlock)
                        .ptr(partials));
    }

    /**
     * {@code first_non_finite(const float* f, long long rows, int k, const unsigned* present, int* first)};
     * {@code present} in the layout of {@link Kernel#rowMask}.
     */
    void firstNonFinite(Kernel.Launch l, DeviceBuffer f, long rows, int k, DeviceBuffer present, DeviceBuffer first) {
        firstNonFinite.launch(
                l, new Kernel.Args(5).ptr(f).i64(rows).i32(k).ptr(present).ptr(first));
    }
}
