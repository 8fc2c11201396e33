package encore.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.util.BitSet;

/**
 * One kernel function of a loaded module, and the one place where kernel arguments are packed for
 * {@code cuLaunchKernel}. Only the typed facades ({@link AlsKernels}, {@link TopKKernels}) launch kernels: each of
 * their methods mirrors a {@code .cu} prototype and fills an {@link Args} in that prototype's order, so a
 * {@code long long} parameter is a Java {@code long} in the facade's signature and cannot be passed an {@code int} by
 * mistake.
 */
final class Kernel {
    /** Static shared memory any kernel may declare; launches size their dynamic part to the rest. */
    static final int STATIC_SHARED_RESERVE = 256;

    /** Grid and block size (1-D) and dynamic shared memory of one launch. */
    record Launch(int grid, int block, int sharedBytes) {}

    /** Kernel arguments in prototype order, each packed as its C parameter type. */
    static final class Args {
        private final Pointer[] params;
        private int n;

        Args(int count) {
            params = new Pointer[count];
        }

        /** A {@code T*} (null → a null pointer). */
        Args ptr(DeviceBuffer b) {
            return add(Pointer.to(b == null ? new CUdeviceptr() : b.pointer()));
        }

        /** An {@code int}. */
        Args i32(int v) {
            return add(Pointer.to(new int[] {v}));
        }

        /** A {@code long long}. */
        Args i64(long v) {
            return add(Pointer.to(new long[] {v}));
        }

        /** A {@code double}. */
        Args f64(double v) {
            return add(Pointer.to(new double[] {v}));
        }

        private Args add(Pointer p) {
            params[n++] = p;
            return this;
        }

        Pointer pack() {
            if (n != params.length) {
                throw new IllegalStateException(n + " kernel arguments packed, " + params.length + " declared");
            }
            return Pointer.to(params);
        }
    }

    private final CUfunction fn;
    private final String name;

    private Kernel(CUfunction fn, String name) {
        this.fn = fn;
        this.name = name;
    }

    /**
     * Looks {@code name} up in {@code m} and opts it in to as much dynamic shared memory as the device allows next
     * to its static shared memory (launches above 48 KiB need the opt-in). Owner thread only.
     */
    static Kernel lookup(CUmodule m, String name, int maxSharedOptin) throws GpuUnavailableException {
        CUfunction f = new CUfunction();
        GpuDevice.require(JCudaDriver.cuModuleGetFunction(f, m, name), "cuModuleGetFunction(" + name + ")");
        int[] staticBytes = new int[1];
        GpuDevice.require(
                JCudaDriver.cuFuncGetAttribute(
                        staticBytes, CUfunction_attribute.CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, f),
                "cuFuncGetAttribute(" + name + ", static shared memory)");
        if (staticBytes[0] > STATIC_SHARED_RESERVE) {
            throw new GpuUnavailableException("kernel " + name + " uses " + staticBytes[0] + " bytes of static shared "
                    + "memory, more than the " + STATIC_SHARED_RESERVE + " reserved");
        }
        GpuDevice.require(
                JCudaDriver.cuFuncSetAttribute(
                        f,
                        CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                        maxSharedOptin - staticBytes[0]),
                "cuFuncSetAttribute(" + name + ", max dynamic shared memory)");
        return new Kernel(f, name);
    }

    /**
     * Launches on the default stream and waits (owner thread only): synchronizing after each launch pins an error on
     * the kernel that caused it. A grid of 0 launches nothing.
     */
    void launch(Launch l, Args args) {
        Pointer packed = args.pack();
        if (l.grid() <= 0) {
            return;
        }
        Cuda.check(
                JCudaDriver.cuLaunchKernel(fn, l.grid(), 1, 1, l.block(), 1, 1, l.sharedBytes(), null, packed, null),
                "launch " + name);
        Cuda.check(JCudaDriver.cuCtxSynchronize(), name);
    }

    /** A row set as the kernels read it: bit {@code r & 31} of word {@code r >>> 5}, one spare word. */
    static int[] rowMask(BitSet rows, int n) {
        int[] words = new int[(n + 31) / 32 + 1];
        for (int r = rows.nextSetBit(0); r >= 0 && r < n; r = rows.nextSetBit(r + 1)) {
            words[r >>> 5] |= 1 << (r & 31);
        }
        return words;
    }
}
