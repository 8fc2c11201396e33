package encore.cuda;

import encore.als.AlsParams;
import encore.als.HostFit;
import encore.als.Objective;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.BitSet;

/**
 * A fit on the GPU (the raw, unchecked fit handle of {@link GpuAlsEngine}): the ratings (both orientations, with their
 * solve order) and both factor matrices are uploaded once by the constructor and stay on the device until
 * {@link #close()}. A half-iteration runs its kernels on those buffers and copies no factors; what comes back is
 * <ul>
 *   <li>{@link #solveItems}/{@link #solveUsers}: the 4-byte status word (a singular row);</li>
 *   <li>{@link #firstNonFinite}: a device reduction ({@code first_non_finite}), 4 bytes;</li>
 *   <li>{@link #lastGram}: the k × k Gram, downloaded when asked (the check does);</li>
 *   <li>{@link #snapshot()}, {@link #snapshot(Side)}, {@link #finish()}: the factors, downloaded;
 *       {@link #loss()} downloads both sides and evaluates the {@link Objective} on the host.</li>
 * </ul>
 * Public for the benchmarks ({@link UncheckedGpu}), which read {@link #lastKernelMillis()}. Not thread-safe.
 */
public final class GpuFit implements GpuAlsBackend.EngineFit {
    /** One side of the factorisation on the device: its ratings (this side × the other), factors and present rows. */
    private static final class Resident implements AutoCloseable {
        final DeviceCsr ratings;
        final DeviceBuffer factors;
        final DeviceBuffer presentMask;
        final BitSet present;
        final int rows;

        Resident(DeviceCsr ratings, DeviceBuffer factors, DeviceBuffer presentMask, Factors initial) {
            this.ratings = ratings;
            this.factors = factors;
            this.presentMask = presentMask;
            this.present = initial.present();
            this.rows = initial.rows();
        }

        /** Uploads {@code ratings} (with the solve order), the factors and the present rows (owner thread). */
        static Resident upload(GpuDevice dev, Csr ratings, Factors initial) {
            DeviceCsr m = DeviceCsr.upload(dev, ratings, true);
            DeviceBuffer f = null;
            try {
                f = dev.upload(initial.data(), "factors");
                DeviceBuffer mask = dev.upload(Kernel.rowMask(initial.present(), initial.rows()), "present rows");
                return new Resident(m, f, mask, initial);
            } catch (RuntimeException e) {
                if (f != null) {
                    f.close();
                }
                m.close();
                throw e;
            }
        }

        Factors download(int k) {
            float[] a = new float[rows * k];
            factors.download(a);
            return Factors.wrap(a, rows, k, (BitSet) present.clone());
        }

        @Override
        public void close() {
            ratings.close();
            factors.close();
            presentMask.close();
        }
    }

    private final GpuAlsEngine engine;
    private final GpuDevice dev;
    private final Csr userItems;
    private final AlsParams params;
    private final DeviceWorkspace ws;
    private final Resident users;
    private final Resident items;
    private boolean gramReady;
    private boolean finished;
    private boolean closed;
    private double lastKernelMillis;

    /** Uploads the ratings and {@code initial} (read, not kept). */
    GpuFit(GpuAlsEngine engine, Csr userItems, Csr itemUsers, State initial, AlsParams params) {
        HostFit.check(userItems, itemUsers, initial, params);
        GpuAlsEngine.requireSupported(params);
        this.engine = engine;
        this.dev = engine.device();
        this.userItems = userItems;
        this.params = params;
        this.ws = new DeviceWorkspace(dev);
        Resident[] sides = dev.call(() -> {
            Resident u = Resident.upload(dev, userItems, initial.users());
            try {
                return new Resident[] {u, Resident.upload(dev, itemUsers, initial.items())};
            } catch (RuntimeException e) {
                u.close();
                throw e;
            }
        });
        this.users = sides[0];
        this.items = sides[1];
    }

    @Override
    public void solveItems() {
        solve(items, users);
    }

    @Override
    public void solveUsers() {
        solve(users, items);
    }

    private void solve(Resident dst, Resident src) {
        ensureRunning();
        gramReady = false;
        lastKernelMillis = dev.call(() -> engine.halfIteration(dst.ratings, src.factors, dst.factors, params, ws));
        gramReady = params.implicitPrefs();
    }

    /** Kernel time of the last half-iteration (Gram + solve), from CUDA events. */
    public double lastKernelMillis() {
        return lastKernelMillis;
    }

    @Override
    public double[] lastGram() {
        return gramReady ? dev.call(() -> ws.downloadGram(params.rank())) : null;
    }

    @Override
    public double loss() {
        State s = snapshot();
        return Objective.of(userItems, s.users(), s.items(), params);
    }

    @Override
    public int firstNonFinite(Side side) {
        Resident r = side == Side.USERS ? users : items;
        return dev.call(() -> engine.firstNonFinite(r.factors, r.rows, params.rank(), r.presentMask, ws));
    }

    @Override
    public Factors snapshot(Side side) {
        Resident r = side == Side.USERS ? users : items;
        return dev.call(() -> r.download(params.rank()));
    }

    @Override
    public State snapshot() {
        return new State(snapshot(Side.USERS), snapshot(Side.ITEMS));
    }

    @Override
    public State finish() {
        ensureRunning();
        State last = snapshot();
        finished = true;
        return last;
    }

    private void ensureRunning() {
        if (finished || closed) {
            throw new IllegalStateException("this fit has finished");
        }
    }

    /** Frees every device buffer of the fit (idempotent). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            dev.call(() -> {
                users.close();
                items.close();
                ws.close();
                return null;
            });
        } catch (RuntimeException e) {
            // a broken or closed context took its memory with it
        }
    }
}
