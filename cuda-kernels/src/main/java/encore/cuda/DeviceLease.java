package encore.cuda;

/**
 * One user's hold on a device: {@link #device()} until {@link #close()}, which gives the hold back (idempotent). Leases
 * come from a {@link SharedDevice}; {@link #borrowed} wraps a device its opener closes itself (the self-test, the
 * benchmarks).
 *
 * @param <D> the device type ({@link GpuDevice}; a fake in tests)
 */
final class DeviceLease<D> implements AutoCloseable {
    private final D device;
    private final Runnable release;
    private boolean closed;

    DeviceLease(D device, Runnable release) {
        this.device = device;
        this.release = release;
    }

    /** A lease on a device that whoever opened it closes; closing the lease does nothing to the device. */
    static <D> DeviceLease<D> borrowed(D device) {
        return new DeviceLease<>(device, () -> {});
    }

    /** The device (only while the lease is held). */
    synchronized D device() {
        if (closed) {
            throw new IllegalStateException("the device lease was given back");
        }
        return device;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            release.run();
        }
    }
}
