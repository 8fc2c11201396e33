package encore.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * Device memory that is freed by {@link #close()}, never by the garbage collector (which cannot see device
 * pressure). Transfers are synchronous and chunk-free: JCuda pins the Java array for the copy.
 */
final class DeviceBuffer implements AutoCloseable {
    private final GpuDevice device;
    private final CUdeviceptr ptr;
    private final long bytes;
    private boolean freed;

    DeviceBuffer(GpuDevice device, CUdeviceptr ptr, long bytes) {
        this.device = device;
        this.ptr = ptr;
        this.bytes = bytes;
    }

    CUdeviceptr pointer() {
        if (freed) {
            throw new IllegalStateException("device buffer used after close");
        }
        return ptr;
    }

    long bytes() {
        return bytes;
    }

    /** False once closed. */
    boolean isOpen() {
        return !freed;
    }

    void upload(float[] a) {
        copyIn(Pointer.to(a), 4L * a.length);
    }

    void upload(int[] a) {
        copyIn(Pointer.to(a), 4L * a.length);
    }

    void upload(long[] a) {
        copyIn(Pointer.to(a), 8L * a.length);
    }

    void upload(double[] a) {
        copyIn(Pointer.to(a), 8L * a.length);
    }

    void download(float[] a) {
        copyOut(Pointer.to(a), 4L * a.length);
    }

    void download(int[] a) {
        copyOut(Pointer.to(a), 4L * a.length);
    }

    void download(double[] a) {
        copyOut(Pointer.to(a), 8L * a.length);
    }

    /** Sets every 32-bit word to {@code value}. */
    void fill32(int value) {
        Cuda.check(JCudaDriver.cuMemsetD32(pointer(), value, bytes / 4), "cuMemsetD32");
    }

    private void copyIn(Pointer host, long n) {
        check(n);
        if (n > 0) {
            Cuda.check(JCudaDriver.cuMemcpyHtoD(pointer(), host, n), "cuMemcpyHtoD(" + n + " bytes)");
        }
    }

    private void copyOut(Pointer host, long n) {
        check(n);
        if (n > 0) {
            Cuda.check(JCudaDriver.cuMemcpyDtoH(host, pointer(), n), "cuMemcpyDtoH(" + n + " bytes)");
        }
    }

    private void check(long n) {
        if (n > bytes) {
            throw new IllegalArgumentException("copy of " + n + " bytes into a " + bytes + "-byte device buffer");
        }
    }

    /** Frees the memory on the GPU-owner thread. Idempotent. */
    @Override
    public void close() {
        if (freed) {
            return;
        }
        freed = true;
        if (device.onOwnerThread()) {
            JCudaDriver.cuMemFree(ptr);
        } else {
            try {
                device.call(() -> JCudaDriver.cuMemFree(ptr));
            } catch (RuntimeException e) {
                // the context is gone (closed or broken): its memory went with it
            }
        }
    }
}
