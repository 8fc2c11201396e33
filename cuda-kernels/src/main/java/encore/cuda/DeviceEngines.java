package encore.cuda;

import java.util.function.Function;

/**
 * What {@link GpuBackendProvider} opens from its {@link SharedDevice}: raw ALS engines and top-k engines, each holding
 * a lease on the one device until it is closed.
 *
 * @param <D> the device type ({@link GpuDevice}; a fake in tests)
 */
final class DeviceEngines<D> {
    private final SharedDevice<D> device;
    private final Function<DeviceLease<D>, GpuAlsBackend.Engine> als;
    private final Function<DeviceLease<D>, GpuTopKScorer.Engine> topK;

    /**
     * @param als  builds an ALS engine that closes its lease when closed
     * @param topK builds a top-k engine that closes its lease when closed
     */
    DeviceEngines(
            SharedDevice<D> device,
            Function<DeviceLease<D>, GpuAlsBackend.Engine> als,
            Function<DeviceLease<D>, GpuTopKScorer.Engine> topK) {
        this.device = device;
        this.als = als;
        this.topK = topK;
    }

    /** The engines of the real GPU: {@link GpuAlsEngine} and {@link GpuTopKEngine} on device 0. */
    static DeviceEngines<GpuDevice> gpu() {
        return new DeviceEngines<>(
                new SharedDevice<>(GpuDevice::open, GpuDevice::broken, GpuDevice::close),
                GpuAlsEngine::new,
                GpuTopKEngine::new);
    }

    /** See {@link SharedDevice#probe()}. */
    String probe() {
        return device.probe();
    }

    GpuAlsBackend.Engine openAls() throws GpuUnavailableException {
        return open(als);
    }

    GpuTopKScorer.Engine openTopK() throws GpuUnavailableException {
        return open(topK);
    }

    private <E> E open(Function<DeviceLease<D>, E> build) throws GpuUnavailableException {
        DeviceLease<D> lease = device.acquire();
        try {
            return build.apply(lease);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /** See {@link SharedDevice#opens()}. */
    int opens() {
        return device.opens();
    }

    /** Whether the device is open now. */
    boolean deviceOpen() {
        return device.isOpen();
    }

    /** Gives the probe hold back (see {@link SharedDevice#close()}). */
    void close() {
        device.close();
    }
}
