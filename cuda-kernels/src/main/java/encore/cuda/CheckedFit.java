package encore.cuda;

import encore.als.AlsFit;
import encore.als.AlsParams;
import encore.als.HostFit;
import encore.als.Objective;
import encore.als.SingularSystemException;
import encore.matrix.Csr;
import encore.matrix.Factors;

/**
 * The fit handle of {@link GpuAlsBackend}: the engine's fit ({@link GpuAlsBackend.EngineFit}) keeps both factor
 * matrices on the device; after each half-iteration this handle takes a snapshot of the side just solved (the one
 * per-half-iteration copy, there only because of the check), checks it against the last good state
 * ({@link SpotCheck}: the fixed side is the last good one, CG's warm starts are the last good values of the side
 * solved) and, when it passes, makes it the last good state. On any fault the engine's fit is closed, the backend falls
 * back, a CPU fit starts from the last good state and re-runs that half-iteration — so the factors are, bit for bit,
 * those of a CPU run — and the CPU fit serves every later call.
 *
 * <p>While on the engine, the last good state is the current one: {@link #loss}, {@link #firstNonFinite},
 * {@link #snapshot} and {@link #finish} read it on the host and copy nothing from the device.
 */
final class CheckedFit implements AlsFit {
    private final GpuAlsBackend backend;
    private final Csr userItems;
    private final Csr itemUsers;
    private final AlsParams params;
    private final boolean warmStarts;
    private GpuAlsBackend.EngineFit onEngine;
    private AlsFit onCpu;
    private State good;
    private boolean finished;

    /** @param initial taken over (the last good state until the first half-iteration passes) */
    CheckedFit(GpuAlsBackend backend, Csr userItems, Csr itemUsers, State initial, AlsParams params) {
        HostFit.check(userItems, itemUsers, initial, params);
        this.backend = backend;
        this.userItems = userItems;
        this.itemUsers = itemUsers;
        this.params = params;
        this.warmStarts = backend.engine().warmStarts(params);
        this.good = initial;
        try {
            onEngine = backend.engine().startFit(userItems, itemUsers, initial, params);
        } catch (GpuException | IllegalArgumentException | IllegalStateException e) {
            backend.fallBack("GPU fit start: " + GpuAlsBackend.deviceError(e));
        }
    }

    @Override
    public void solveItems() {
        solve(Side.ITEMS);
    }

    @Override
    public void solveUsers() {
        solve(Side.USERS);
    }

    private void solve(Side side) {
        if (finished) {
            throw new IllegalStateException("this fit has finished");
        }
        if (onEngine != null && solvedOnEngine(side)) {
            return;
        }
        if (side == Side.ITEMS) {
            cpu().solveItems();
        } else {
            cpu().solveUsers();
        }
    }

    /** The half-iteration on the engine, checked; false (engine released, backend fallen back) on any fault. */
    private boolean solvedOnEngine(Side side) {
        long call = backend.nextCall();
        long checkSeed = backend.checkSeed(call);
        Csr ratings = side == Side.ITEMS ? itemUsers : userItems;
        Factors src = side == Side.ITEMS ? good.users() : good.items();
        Factors before = side == Side.ITEMS ? good.items() : good.users();
        SpotCheck.CgSample cg =
                warmStarts ? SpotCheck.CgSample.of(ratings, before.data(), params.rank(), checkSeed) : null;
        String failure;
        Factors after = null;
        try {
            if (side == Side.ITEMS) {
                onEngine.solveItems();
            } else {
                onEngine.solveUsers();
            }
            after = onEngine.snapshot(side);
            failure = backend.check(
                    new SpotCheck.Solution(ratings, src.data(), after.data(), params, onEngine.lastGram()),
                    cg,
                    checkSeed);
        } catch (SingularSystemException e) {
            failure = GpuAlsBackend.singular(e);
        } catch (GpuException | IllegalArgumentException | IllegalStateException e) {
            failure = GpuAlsBackend.deviceError(e);
        }
        if (failure == null) {
            good = side == Side.ITEMS ? new State(good.users(), after) : new State(after, good.items());
            return true;
        }
        closeEngineFit();
        backend.fallBack("GPU half-iteration " + (call + 1) + ": " + failure);
        return false;
    }

    /** The CPU fit, started from the last good state (which it takes over) on first use. */
    private AlsFit cpu() {
        if (onCpu == null) {
            onCpu = backend.cpu().startFit(userItems, itemUsers, good, params);
            good = null;
        }
        return onCpu;
    }

    @Override
    public double loss() {
        return onCpu != null ? onCpu.loss() : Objective.of(userItems, good.users(), good.items(), params);
    }

    @Override
    public int firstNonFinite(Side side) {
        if (onCpu != null) {
            return onCpu.firstNonFinite(side);
        }
        return (side == Side.USERS ? good.users() : good.items()).firstNonFinite();
    }

    @Override
    public State snapshot() {
        return onCpu != null
                ? onCpu.snapshot()
                : new State(good.users().copy(), good.items().copy());
    }

    @Override
    public State finish() {
        if (finished) {
            throw new IllegalStateException("this fit has finished");
        }
        finished = true;
        State last = onCpu != null ? onCpu.finish() : good;
        closeEngineFit();
        return last;
    }

    private void closeEngineFit() {
        if (onEngine != null) {
            GpuAlsBackend.EngineFit f = onEngine;
            onEngine = null;
            f.close();
        }
    }

    @Override
    public void close() {
        finished = true;
        closeEngineFit();
        if (onCpu != null) {
            onCpu.close();
        }
    }
}
