package encore.cuda;

import jcuda.driver.CUmodule;

/**
 * Typed launch of the kernel in {@code topk.cu}, written against its prototype and packing the arguments in that
 * order (see {@link AlsKernels} for the conventions). Owner thread only.
 */
final class TopKKernels {
    private final Kernel topkUsers;

    private TopKKernels(CUmodule m, int maxSharedOptin) throws GpuUnavailableException {
        topkUsers = Kernel.lookup(m, "topk_users", maxSharedOptin);
    }

    /** Looks the kernel of the topk module up (owner thread). */
    static TopKKernels load(CUmodule m, int maxSharedOptin) throws GpuUnavailableException {
        return new TopKKernels(m, maxSharedOptin);
    }

    /**
     * {@code topk_users(const float* uf, const int* users, int nUsers, const float* itf, int nItems, int f,
     * const unsigned* allowed, const long long* seenPtr, const int* seenCol, int k, int ut, int* outIds,
     * float* outScores, int* outCount)}; {@code seen} (its {@code rowPtr} and {@code col}) may be null for no
     * exclusion. Mirrors the prototype, hence more than seven parameters.
     */
    void topkUsers(
            Kernel.Launch l,
            DeviceBuffer uf,
            DeviceBuffer users,
            int nUsers,
            DeviceBuffer itf,
            int nItems,
            int f,
            DeviceBuffer allowed,
            DeviceCsr seen,
            int k,
            int ut,
            DeviceBuffer outIds,
            DeviceBuffer outScores,
            DeviceBuffer outCount) {
        topkUsers.launch(
                l,
                new Kernel.Args(14)
                        .ptr(uf)
                        .ptr(users)
                        .i32(nUsers)
                        .ptr(itf)
                        .i32(nItems)
                        .i32(f)
                        .ptr(allowed)
                        .ptr(seen == null ? null : seen.rowPtr)
                        .ptr(seen == null ? null : seen.col)
                        .i32(k)
                        .i32(ut)
                        .ptr(outIds)
                        .ptr(outScores)
                        .ptr(outCount));
    }
}
