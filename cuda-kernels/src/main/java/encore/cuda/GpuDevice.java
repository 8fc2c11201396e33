package encore.cuda;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
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
 * One CUDA device as Encore uses it: the primary context and the kernel modules with their typed launch facades
 * ({@link AlsKernels}, {@link TopKKernels}), all owned by one thread ("encore-gpu"). The driver's current context is per thread, so every driver call goes through
 * {@link #call}, which runs it on the owner thread. {@link #open()} is also the probe: each step that can fail
 * (natives, driver, device, compute capability, module load) becomes a one-line reason in a
 * {@link GpuUnavailableException}.
 */
public final class GpuDevice implements AutoCloseable {
    /** Compute capability floor: Turing (sm_75), the oldest target nvcc 13 still compiles for. */
    static final int MIN_CC = 75;

    /**
     * What the probe found.
     *
     * @param computeCapability major · 10 + minor (90 for sm_90)
     */
    public record Info(
            String name,
            int computeCapability,
            int driverVersion,
            int multiprocessors,
            long totalMemory,
            int maxSharedPerBlockOptin,
            int fp64Ratio) {
        /** The compute capability's major version (9 for sm_90). */
        public int ccMajor() {
            return computeCapability / 10;
        }

        /** The compute capability's minor version (0 for sm_90). */
        public int ccMinor() {
            return computeCapability % 10;
        }

        /** "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, 79.1 GiB, driver 13.0, FP64 1:2)". */
        public String describe() {
            return String.format(
                    Locale.ROOT,
                    "%s (sm_%d, %d SMs, %.1f GiB, driver %d.%d, FP64 1:%d)",
                    name,
                    computeCapability,
                    multiprocessors,
                    totalMemory / (1024.0 * 1024 * 1024),
                    driverVersion / 1000,
                    driverVersion % 1000 / 10,
                    fp64Ratio);
        }
    }

    private final ExecutorService owner;
    private final Thread ownerThread;
    private final CUdevice device;
    private final Info info;
    private final Modules modules;
    private volatile boolean broken;
    private volatile boolean closed;

    /** The loaded kernel modules and their typed launch facades. */
    private record Modules(CUmodule als, CUmodule topk, AlsKernels alsKernels, TopKKernels topkKernels) {}

    private GpuDevice(ExecutorService owner, Thread ownerThread, CUdevice device, Info info, Modules modules) {
        this.owner = owner;
        this.ownerThread = ownerThread;
        this.device = device;
        this.info = info;
        this.modules = modules;
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
        int driver = initDriver();
        int[] v = new int[1];
        require(JCudaDriver.cuDeviceGetCount(v), "cuDeviceGetCount");
        if (v[0] == 0) {
            throw new GpuUnavailableException("no CUDA device (cuDeviceGetCount = 0)");
        }
        CUdevice dev = new CUdevice();
        require(JCudaDriver.cuDeviceGet(dev, 0), "cuDeviceGet");
        Info info = describe(dev, driver);
        if (info.computeCapability() < MIN_CC) {
            throw new GpuUnavailableException(String.format(
                    Locale.ROOT,
                    "%s has compute capability %d.%d; Encore's " + "kernels need 7.5 (Turing) or newer",
                    info.name(),
                    info.ccMajor(),
                    info.ccMinor()));
        }
        CUcontext ctx = new CUcontext();
        require(JCudaDriver.cuDevicePrimaryCtxRetain(ctx, dev), "cuDevicePrimaryCtxRetain");
        CUmodule als = null;
        CUmodule topk = null;
        try {
            require(JCudaDriver.cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
            als = loadModule(KernelImages.ALS);
            topk = loadModule(KernelImages.TOPK);
            Modules m = new Modules(
                    als,
                    topk,
                    AlsKernels.load(als, info.maxSharedPerBlockOptin()),
                    TopKKernels.load(topk, info.maxSharedPerBlockOptin()));
            return new GpuDevice(owner, ownerThread, dev, info, m);
        } catch (GpuUnavailableException | RuntimeException e) {
            for (CUmodule m : new CUmodule[] {als, topk}) {
                if (m != null) {
                    JCudaDriver.cuModuleUnload(m);
                }
            }
            JCudaDriver.cuDevicePrimaryCtxRelease(dev);
            throw e;
        }
    }

    /** cuInit and the driver version (≥ 13.0), each failure as its one-line reason. */
    private static int initDriver() throws GpuUnavailableException {
        int rc;
        try {
            rc = JCudaDriver.cuInit(0);
        } catch (LinkageError e) {
            throw new GpuUnavailableException(GpuProbe.nativesFailure());
        }
        switch (rc) {
            case 0 -> {}
            case 100 -> throw new GpuUnavailableException("no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE)");
            case 34 ->
                throw new GpuUnavailableException("no CUDA driver: only the toolkit's stub libcuda is on the "
                        + "library path (cuInit: CUDA_ERROR_STUB_LIBRARY)");
            case 35 ->
                throw new GpuUnavailableException("the CUDA driver is older than the runtime JCuda needs "
                        + "(cuInit: CUDA_ERROR_INSUFFICIENT_DRIVER)");
            default -> throw new GpuUnavailableException("cuInit failed: " + Cuda.describe(rc));
        }
        int[] v = new int[1];
        require(JCudaDriver.cuDriverGetVersion(v), "cuDriverGetVersion");
        int driver = v[0];
        if (driver < KernelImages.MIN_DRIVER) {
            throw new GpuUnavailableException(String.format(
                    Locale.ROOT,
                    "CUDA driver %d.%d is older than 13.0: the "
                            + "kernels are built by nvcc 13 (PTX ISA 9.0) and need driver r580 or newer",
                    driver / 1000,
                    driver % 1000 / 10));
        }
        return driver;
    }

    private static Info describe(CUdevice dev, int driver) throws GpuUnavailableException {
        byte[] nameBytes = new byte[256];
        require(JCudaDriver.cuDeviceGetName(nameBytes, nameBytes.length, dev), "cuDeviceGetName");
        int len = 0;
        while (len < nameBytes.length && nameBytes[len] != 0) {
            len++;
        }
        long[] mem = new long[1];
        require(JCudaDriver.cuDeviceTotalMem(mem, dev), "cuDeviceTotalMem");
        return new Info(
                new String(nameBytes, 0, len, StandardCharsets.UTF_8),
                attr(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) * 10
                        + attr(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
                driver,
                attr(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT),
                mem[0],
                attr(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN),
                attr(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_SINGLE_TO_DOUBLE_PRECISION_PERF_RATIO));
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

    /** The most dynamic shared memory a launch of any of our kernels may ask for. */
    int maxDynamicShared() {
        return info.maxSharedPerBlockOptin() - Kernel.STATIC_SHARED_RESERVE;
    }

    private static int attr(CUdevice dev, int attribute) throws GpuUnavailableException {
        int[] v = new int[1];
        require(JCudaDriver.cuDeviceGetAttribute(v, attribute, dev), "cuDeviceGetAttribute(" + attribute + ")");
        return v[0];
    }

    /** Turns a failed driver call during {@link #open()} into its one-line reason. */
    static void require(int rc, String call) throws GpuUnavailableException {
        if (rc != 0) {
            throw new GpuUnavailableException(call + " failed: " + Cuda.describe(rc));
        }
    }

    /** What the probe found about this device. */
    public Info info() {
        return info;
    }

    /** The ALS kernels (owner thread only). */
    AlsKernels als() {
        return modules.alsKernels();
    }

    /** The top-k kernel (owner thread only). */
    TopKKernels topk() {
        return modules.topkKernels();
    }

    /** Whether an earlier sticky error left the context unusable (every later call fails). */
    boolean broken() {
        return broken;
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
            throw new GpuException(
                    2,
                    String.format(
                            Locale.ROOT,
                            "not enough GPU memory for %s: %.1f MiB needed, " + "%.1f MiB free",
                            what,
                            bytes / 1048576.0,
                            free[0] / 1048576.0));
        }
        CUdeviceptr p = new CUdeviceptr();
        Cuda.check(JCudaDriver.cuMemAlloc(p, Math.max(bytes, 4)), "cuMemAlloc(" + bytes + " bytes for " + what + ")");
        return new DeviceBuffer(this, p, bytes);
    }

    /** A new buffer holding a copy of {@code a} (owner thread only). */
    DeviceBuffer upload(float[] a, String what) {
        return filled(alloc(4L * a.length, what), b -> b.upload(a));
    }

    /** A new buffer holding a copy of {@code a} (owner thread only). */
    DeviceBuffer upload(int[] a, String what) {
        return filled(alloc(4L * a.length, what), b -> b.upload(a));
    }

    /** {@code b} after {@code fill}; closed (and the failure rethrown) when the fill fails. */
    private static DeviceBuffer filled(DeviceBuffer b, java.util.function.Consumer<DeviceBuffer> fill) {
        try {
            fill.accept(b);
            return b;
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
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
                JCudaDriver.cuModuleUnload(modules.als());
                JCudaDriver.cuModuleUnload(modules.topk());
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
