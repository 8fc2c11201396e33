package encore.cuda;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One CUDA device as Encore uses it: the primary context, the kernel modules and their functions, all owned by one
 * thread ("encore-gpu"). The driver's current context is per thread, so every driver call goes through
 * {@link #call}, which runs it on the owner thread. {@link #open()} is also the probe: each step that can fail
 * (natives, driver, device, compute capability, module load) becomes a one-line reason in a
 * {@link GpuUnavailableException}.
 */
public final class GpuDevice implements AutoCloseable {
    /** Compute capability floor: Turing (sm_75), the oldest target nvcc 13 still compiles for. */
    static final int MIN_CC = 75;

    /** What the probe found. */
    public record Info(String name, int ccMajor, int ccMinor, int driverVersion, int multiprocessors,
                       long totalMemory, int maxSharedPerBlockOptin, int fp64Ratio) {
        /** "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, 79.1 GiB, driver 13.0, FP64 1:2)". */
        public String describe() {
            return String.format(Locale.ROOT, "%s (sm_%d%d, %d SMs, %.1f GiB, driver %d.%d, FP64 1:%d)", name, ccMajor,
                ccMinor, multiprocessors, totalMemory / (1024.0 * 1024 * 1024), driverVersion / 1000,
                driverVersion % 1000 / 10, fp64Ratio);
        }
    }

    /** The kernel functions, looked up once. */
    record Kernels(CUfunction gramPartial, CUfunction gramReduce, CUfunction solveRows, CUfunction cgRows,
                   CUfunction squaredError, CUfunction topkUsers) {
    }

    private final ExecutorService owner;
    private final Thread ownerThread;
    private final CUdevice device;
    private final Info info;
    private final CUmodule[] modules;
    private final Kernels kernels;
    private volatile boolean broken;
    private boolean closed;

    private GpuDevice(ExecutorService owner, Thread ownerThread, CUdevice device, Info info, CUmodule[] modules,
                      Kernels kernels) {
        this.owner = owner;
        this.ownerThread = ownerThread;
        this.device = device;
        this.info = info;
        this.modules = modules;
        this.kernels = kernels;
    }

    /**
     * Opens device 0: loads the JCuda natives, initialises the driver, checks the device and loads the kernels.
     *
     * @throws GpuUnavailableException with the reason when any step fails
     */
    public static GpuDevice open() throws GpuUnavailableException {
        if (!KernelImages.present()) {
            throw new GpuUnavailableException("kernels not built (nvcc was not found when encore-cuda was built)");
        }
        ExecutorService owner = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "encore-gpu");
            t.setDaemon(true);
            return t;
        });
        Future<GpuDevice> f = owner.submit(() -> openOnOwner(owner, Thread.currentThread()));
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            owner.shutdownNow();
            throw new GpuUnavailableException("interrupted while opening the GPU");
        } catch (ExecutionException e) {
            owner.shutdownNow();
            Throwable c = e.getCause();
            if (c instanceof GpuUnavailableException u) {
                throw u;
            }
            throw new GpuUnavailableException("GPU initialisation failed: " + c);
        }
    }

    private static GpuDevice openOnOwner(ExecutorService owner, Thread ownerThread) throws GpuUnavailableException {
        int rc;
        try {
            rc = JCudaDriver.cuInit(0);
        } catch (LinkageError e) {
            throw new GpuUnavailableException(nativesFailure());
        }
        switch (rc) {
            case 0 -> { }
            case 100 -> throw new GpuUnavailableException("no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE)");
            case 34 -> throw new GpuUnavailableException("no CUDA driver: only the toolkit's stub libcuda is on the "
                + "library path (cuInit: CUDA_ERROR_STUB_LIBRARY)");
            case 35 -> throw new GpuUnavailableException("the CUDA driver is older than the runtime JCuda needs "
                + "(cuInit: CUDA_ERROR_INSUFFICIENT_DRIVER)");
            default -> throw new GpuUnavailableException("cuInit failed: " + Cuda.describe(rc));
        }
        int[] v = new int[1];
        req(JCudaDriver.cuDriverGetVersion(v), "cuDriverGetVersion");
        int driver = v[0];
        if (driver < KernelImages.MIN_DRIVER) {
            throw new GpuUnavailableException(String.format(Locale.ROOT, "CUDA driver %d.%d is older than 13.0: the "
                + "kernels are built by nvcc 13 (PTX ISA 9.0) and need driver r580 or newer", driver / 1000,
                driver % 1000 / 10));
        }
        req(JCudaDriver.cuDeviceGetCount(v), "cuDeviceGetCount");
        if (v[0] == 0) {
            throw new GpuUnavailableException("no CUDA device (cuDeviceGetCount = 0)");
        }
        CUdevice dev = new CUdevice();
        req(JCudaDriver.cuDeviceGet(dev, 0), "cuDeviceGet");
        int major = attr(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        int minor = attr(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        byte[] nameBytes = new byte[256];
        req(JCudaDriver.cuDeviceGetName(nameBytes, nameBytes.length, dev), "cuDeviceGetName");
        int len = 0;
        while (len < nameBytes.length && nameBytes[len] != 0) {
            len++;
        }
        long[] mem = new long[1];
        req(JCudaDriver.cuDeviceTotalMem(mem, dev), "cuDeviceTotalMem");
        Info info = new Info(new String(nameBytes, 0, len, StandardCharsets.UTF_8), major, minor, driver,
            attr(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), mem[0],
            attr(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN),
            attr(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_SINGLE_TO_DOUBLE_PRECISION_PERF_RATIO));
        if (major * 10 + minor < MIN_CC) {
            throw new GpuUnavailableException(String.format(Locale.ROOT, "%s has compute capability %d.%d; Encore's "
                + "kernels need 7.5 (Turing) or newer", info.name(), major, minor));
        }
        CUcontext ctx = new CUcontext();
        req(JCudaDriver.cuDevicePrimaryCtxRetain(ctx, dev), "cuDevicePrimaryCtxRetain");
        CUmodule[] modules = new CUmodule[2];
        try {
            req(JCudaDriver.cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
            modules[0] = loadModule(KernelImages.ALS);
            modules[1] = loadModule(KernelImages.TOPK);
            Kernels k = new Kernels(function(modules[0], "gram_partial", info), function(modules[0], "gram_reduce", info),
                function(modules[0], "solve_rows", info), function(modules[0], "cg_rows", info),
                function(modules[0], "squared_error", info),
                function(modules[1], "topk_users", info));
            return new GpuDevice(owner, ownerThread, dev, info, modules, k);
        } catch (GpuUnavailableException | RuntimeException e) {
            for (CUmodule m : modules) {
                if (m != null) {
                    JCudaDriver.cuModuleUnload(m);
                }
            }
            JCudaDriver.cuDevicePrimaryCtxRelease(dev);
            throw e;
        }
    }

    private static CUmodule loadModule(String name) throws GpuUnavailableException {
        byte[] image = KernelImages.load(name);
        CUmodule m = new CUmodule();
        int rc = JCudaDriver.cuModuleLoadData(m, image);
        if (rc != 0) {
            String hint = switch (rc) {
                case 209 -> ": no kernel image for this GPU";
                case 218, 222 -> ": the driver cannot JIT the PTX (it is older than the nvcc 13 that built it)";
                default -> "";
            };
            throw new GpuUnavailableException("cannot load the " + name + " kernels: " + Cuda.describe(rc) + hint);
        }
        return m;
    }

    /**
     * Looks a kernel up and opts it in to as much dynamic shared memory as the device allows next to its static
     * shared memory (launches above 48 KiB need the opt-in).
     */
    private static CUfunction function(CUmodule m, String name, Info info) throws GpuUnavailableException {
        CUfunction f = new CUfunction();
        req(JCudaDriver.cuModuleGetFunction(f, m, name), "cuModuleGetFunction(" + name + ")");
        int[] staticBytes = new int[1];
        req(JCudaDriver.cuFuncGetAttribute(staticBytes, CUfunction_attribute.CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, f),
            "cuFuncGetAttribute(" + name + ", static shared memory)");
        if (staticBytes[0] > STATIC_SHARED_RESERVE) {
            throw new GpuUnavailableException("kernel " + name + " uses " + staticBytes[0] + " bytes of static shared "
                + "memory, more than the " + STATIC_SHARED_RESERVE + " reserved");
        }
        req(JCudaDriver.cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
            info.maxSharedPerBlockOptin() - staticBytes[0]), "cuFuncSetAttribute(" + name
            + ", max dynamic shared memory)");
        return f;
    }

    /** Static shared memory any kernel may declare; launches size their dynamic part to the rest. */
    static final int STATIC_SHARED_RESERVE = 256;

    /** The most dynamic shared memory a launch of any of our kernels may ask for. */
    int maxDynamicShared() {
        return info.maxSharedPerBlockOptin() - STATIC_SHARED_RESERVE;
    }

    private static int attr(CUdevice dev, int attribute) throws GpuUnavailableException {
        int[] v = new int[1];
        req(JCudaDriver.cuDeviceGetAttribute(v, attribute, dev), "cuDeviceGetAttribute(" + attribute + ")");
        return v[0];
    }

    private static void req(int rc, String call) throws GpuUnavailableException {
        if (rc != 0) {
            throw new GpuUnavailableException(call + " failed: " + Cuda.describe(rc));
        }
    }

    /**
     * Why JCuda's driver natives did not load. The JVM remembers a failed class initialisation and later attempts
     * only say "Could not initialize class", so the reason is worked out from the machine, the same every time.
     */
    static String nativesFailure() {
        String lib = findLibcuda();
        if (lib == null) {
            return "no CUDA driver: libcuda.so.1 was not found (LD_LIBRARY_PATH, /usr/lib/x86_64-linux-gnu, "
                + "/usr/lib64, /usr/lib/wsl/lib)";
        }
        return "JCuda's driver natives did not load although " + lib + " exists: java.io.tmpdir ("
            + System.getProperty("java.io.tmpdir") + ") must be writable and allow executables, and the driver must "
            + "match this machine (" + System.getProperty("os.arch") + ")";
    }

    private static String findLibcuda() {
        java.util.List<String> dirs = new java.util.ArrayList<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            dirs.addAll(java.util.Arrays.asList(ld.split(":")));
        }
        dirs.addAll(java.util.List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu",
            "/usr/lib/wsl/lib", "/usr/local/nvidia/lib64", "/usr/lib/aarch64-linux-gnu"));
        for (String d : dirs) {
            if (!d.isEmpty() && java.nio.file.Files.exists(java.nio.file.Path.of(d, "libcuda.so.1"))) {
                return java.nio.file.Path.of(d, "libcuda.so.1").toString();
            }
        }
        return null;
    }

    /** What the probe found about this device. */
    public Info info() {
        return info;
    }

    Kernels kernels() {
        return kernels;
    }

    /** Runs {@code task} on the GPU-owner thread and returns its result; driver failures arrive as GpuException. */
    <T> T call(Callable<T> task) {
        if (closed) {
            throw new IllegalStateException("the GPU device is closed");
        }
        if (broken) {
            throw new GpuException(0, "the GPU context is unusable after an earlier error");
        }
        Future<T> f = owner.submit(task);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GpuException(0, "interrupted while waiting for the GPU");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof GpuException g) {
                if (g.sticky()) {
                    broken = true;
                }
                throw g;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new GpuException(0, String.valueOf(c));
        }
    }

    /** Free device memory in bytes now (cuMemGetInfo). */
    long freeMemory() {
        return call(() -> {
            long[] free = new long[1];
            long[] total = new long[1];
            Cuda.check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
            return free[0];
        });
    }

    /** Allocates device memory (owner thread only), checking the free memory first for a clear message. */
    DeviceBuffer alloc(long bytes, String what) {
        long[] free = new long[1];
        long[] total = new long[1];
        Cuda.check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
        if (bytes > free[0]) {
            throw new GpuException(2, String.format(Locale.ROOT, "not enough GPU memory for %s: %.1f MiB needed, "
                + "%.1f MiB free", what, bytes / 1048576.0, free[0] / 1048576.0));
        }
        CUdeviceptr p = new CUdeviceptr();
        Cuda.check(JCudaDriver.cuMemAlloc(p, Math.max(bytes, 4)), "cuMemAlloc(" + bytes + " bytes for " + what + ")");
        return new DeviceBuffer(this, p, bytes);
    }

    /**
     * Launches {@code fn} on the default stream (owner thread only). Arguments map to kernel parameters by their
     * Java type, which must match the C type exactly: DeviceBuffer → T*, Integer → int, Long → long long,
     * Float → float, Double → double; null → a null pointer.
     */
    void launch(CUfunction fn, String name, int grid, int block, int sharedBytes, Object... args) {
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a == null) {
                params[i] = Pointer.to(new CUdeviceptr());
            } else if (a instanceof DeviceBuffer b) {
                params[i] = Pointer.to(b.pointer());
            } else if (a instanceof Integer x) {
                params[i] = Pointer.to(new int[] {x});
            } else if (a instanceof Long x) {
                params[i] = Pointer.to(new long[] {x});
            } else if (a instanceof Float x) {
                params[i] = Pointer.to(new float[] {x});
            } else if (a instanceof Double x) {
                params[i] = Pointer.to(new double[] {x});
            } else {
                throw new IllegalArgumentException("unsupported kernel argument " + a.getClass());
            }
        }
        if (grid <= 0) {
            return;
        }
        Cuda.check(JCudaDriver.cuLaunchKernel(fn, grid, 1, 1, block, 1, 1, sharedBytes, null, Pointer.to(params),
            null), "launch " + name);
        // synchronize after each launch so an error is pinned on the kernel that caused it
        Cuda.check(JCudaDriver.cuCtxSynchronize(), name);
    }

    /** A pair of events timing the work between {@link Timer#start()} and {@link Timer#stopMillis()}. */
    final class Timer implements AutoCloseable {
        private final CUevent start = new CUevent();
        private final CUevent stop = new CUevent();

        Timer() {
            Cuda.check(JCudaDriver.cuEventCreate(start, 0), "cuEventCreate");
            Cuda.check(JCudaDriver.cuEventCreate(stop, 0), "cuEventCreate");
        }

        void start() {
            Cuda.check(JCudaDriver.cuEventRecord(start, null), "cuEventRecord");
        }

        float stopMillis() {
            Cuda.check(JCudaDriver.cuEventRecord(stop, null), "cuEventRecord");
            Cuda.check(JCudaDriver.cuEventSynchronize(stop), "cuEventSynchronize");
            float[] ms = new float[1];
            Cuda.check(JCudaDriver.cuEventElapsedTime(ms, start, stop), "cuEventElapsedTime");
            return ms[0];
        }

        @Override
        public void close() {
            JCudaDriver.cuEventDestroy(start);
            JCudaDriver.cuEventDestroy(stop);
        }
    }

    /** Whether the caller is this device's owner thread (where its context is current). */
    boolean onOwnerThread() {
        return Thread.currentThread() == ownerThread;
    }

    /**
     * Unloads the modules and releases the primary context; after a sticky error it resets the context, so that the
     * process (and the CPU engine that takes over) is not left with a dead context. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        Future<?> f = owner.submit(() -> {
            if (broken) {
                JCudaDriver.cuDevicePrimaryCtxReset(device);
            } else {
                for (CUmodule m : modules) {
                    JCudaDriver.cuModuleUnload(m);
                }
            }
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
        });
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // closing is best effort: the process is about to stop using the device
        } finally {
            closed = true;
            owner.shutdown();
        }
    }
}
