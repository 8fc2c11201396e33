package encore.cuda;

import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One device per provider instance, opened on first use and shared by everything the provider opens: its probe
 * ({@link #probe}), its training engines and its scorers ({@link #acquire}), so that a run that probes, trains and
 * then recommends opens the device (and loads the kernel modules) once. The count of holders lives here, on the
 * instance.
 * <ul>
 *   <li>Each engine or scorer holds a {@link DeviceLease}; the device closes when the last lease is given back and no
 *       probe hold remains.</li>
 *   <li>The probe keeps the device it opened (a "probe hold"), so that the engine and the scorer opened later, one
 *       after the other, find it open; {@link #close()} gives the probe hold back (the provider does, when it is
 *       closed or becomes unreachable).</li>
 *   <li>A device left broken by a sticky error is closed as soon as its last lease is given back, probe hold or not;
 *       the next {@link #acquire} opens a fresh one.</li>
 *   <li>A failed open is remembered: every later probe or acquire answers with the same reason without retrying.</li>
 * </ul>
 * Thread-safe.
 *
 * @param <D> the device type ({@link GpuDevice}; a fake in tests)
 */
final class SharedDevice<D> {
    /** Opens a device, or says why not. */
    @FunctionalInterface
    interface Opener<D> {
        D open() throws GpuUnavailableException;
    }

    private final Opener<D> opener;
    private final Predicate<D> broken;
    private final Consumer<D> closer;
    private D device;
    private int leases;
    private boolean probeHold;
    private String failure;
    private int opens;

    /**
     * @param opener opens the device
     * @param broken whether an open device is unusable (a sticky error)
     * @param closer closes a device
     */
    SharedDevice(Opener<D> opener, Predicate<D> broken, Consumer<D> closer) {
        this.opener = opener;
        this.broken = broken;
        this.closer = closer;
    }

    /** Null when the device opens (it then stays open for the engines and scorers to come), else why not. */
    synchronized String probe() {
        try {
            ensureOpen();
            probeHold = true;
            return null;
        } catch (GpuUnavailableException e) {
            return e.getMessage();
        }
    }

    /** A hold on the device, opening it when nobody holds it. */
    synchronized DeviceLease<D> acquire() throws GpuUnavailableException {
        if (device != null && leases == 0 && broken.test(device)) {
            closeDevice();
        }
        ensureOpen();
        leases++;
        return new DeviceLease<>(device, this::release);
    }

    /** Gives the probe hold back; the device closes now when no lease holds it. */
    synchronized void close() {
        probeHold = false;
        if (device != null && leases == 0) {
            closeDevice();
        }
    }

    /** How many times this instance has tried to open a device. */
    synchronized int opens() {
        return opens;
    }

    /** Whether a device is open now. */
    synchronized boolean isOpen() {
        return device != null;
    }

    private void ensureOpen() throws GpuUnavailableException {
        if (device != null) {
            return;
        }
        if (failure != null) {
            throw new GpuUnavailableException(failure);
        }
        opens++;
        try {
            device = opener.open();
        } catch (GpuUnavailableException e) {
            failure = e.getMessage();
            throw e;
        }
    }

    private synchronized void release() {
        leases--;
        if (leases == 0 && (!probeHold || broken.test(device))) {
            closeDevice();
        }
    }

    private void closeDevice() {
        D d = device;
        device = null;
        probeHold = false;
        closer.accept(d);
    }
}
