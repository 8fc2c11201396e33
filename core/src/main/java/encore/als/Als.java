package encore.als;

import encore.data.Interactions;
import encore.internal.Memory;
import encore.matrix.Csr;

/**
 * The ALS estimator: parameters, the engine to run them on, and a listener, then {@link #fit}.
 * <pre>
 * FitResult r = Als.with(params).backend("auto").listener(l).fit(train);
 * AlsModel model = r.model();           // r.engine(), r.fallbackReason(), r.iterationSeconds()
 * </pre>
 * {@code fit} checks that the factors fit in the heap, chooses the backend ({@link Backends#choose}), opens it, runs
 * the fit and closes it. Each setter returns a new estimator: an {@code Als} is an immutable value, safe to share.
 */
public final class Als {
    private final AlsParams params;
    private final String backend;
    private final Backends.Choice choice;
    private final int threads;
    private final FitListener listener;

    private Als(AlsParams params, String backend, Backends.Choice choice, int threads, FitListener listener) {
        this.params = params;
        this.backend = backend;
        this.choice = choice;
        this.threads = threads;
        this.listener = listener;
    }

    /** An estimator with these parameters on backend {@code auto}, all cores, no listener. */
    public static Als with(AlsParams params) {
        if (params == null) {
            throw new IllegalArgumentException("params must be set");
        }
        return new Als(params, "auto", null, Runtime.getRuntime().availableProcessors(), FitListener.NONE);
    }

    /**
     * The backend: {@code auto} (the best available engine, checked, falling back to the CPU with a reason), or a
     * provider's name ({@code cpu}, {@code gpu}: that engine or an {@link AlsException}).
     */
    public Als backend(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("backend must be auto or an engine name, got '" + name + "'");
        }
        return new Als(params, name, null, threads, listener);
    }

    /**
     * A backend already chosen with {@link Backends#choose} (so that a run which also opens a {@link Recommender}
     * from the same choice probes and opens the device once). The caller keeps the choice and closes it.
     */
    public Als backend(Backends.Choice chosen) {
        if (chosen == null) {
            throw new IllegalArgumentException("backend must be set");
        }
        return new Als(params, chosen.name(), chosen, threads, listener);
    }

    /** CPU worker threads (≥ 1); the factors do not depend on it. */
    public Als threads(int n) {
        return new Als(params, backend, choice, EngineOptions.requireThreads(n), listener);
    }

    /** Progress reports. */
    public Als listener(FitListener l) {
        return new Als(params, backend, choice, threads, l == null ? FitListener.NONE : l);
    }

    /** This estimator with other parameters (same backend, threads and listener). */
    public Als withParams(AlsParams p) {
        if (p == null) {
            throw new IllegalArgumentException("params must be set");
        }
        return new Als(p, backend, choice, threads, listener);
    }

    /** The parameters. */
    public AlsParams params() {
        return params;
    }

    /** The backend name asked for. */
    public String backendName() {
        return backend;
    }

    /** The thread count. */
    public int threadCount() {
        return threads;
    }

    /**
     * Fits a model on {@code train}.
     *
     * @throws IllegalArgumentException for an empty training set, or an unknown backend name
     * @throws IllegalStateException    when the backend asked for is unavailable, or the factors do not fit in memory
     * @throws AlsException             when a system is singular or factors stop being finite (naming the entity), or a
     *                                  named accelerated backend fails
     */
    public FitResult fit(Interactions train) {
        Memory.requireFit(train.users().size(), train.items().size(), params.rank());
        if (choice != null) {
            return fit(train, choice);
        }
        try (Backends.Choice chosen = Backends.choose(backend)) {
            return fit(train, chosen);
        }
    }

    /**
     * Fits a model on ratings in index space (row = user, column = item); the model labels users and items by their
     * decimal index ({@link Interactions#ofIndices}).
     */
    public FitResult fit(Csr userItems) {
        return fit(Interactions.ofIndices(userItems));
    }

    private FitResult fit(Interactions train, Backends.Choice chosen) {
        try (AlsBackend engine = chosen.open(params, threads)) {
            AlsTrainer.Fit fit = AlsTrainer.fit(train, params, engine, listener);
            return new FitResult(fit.model(), engine.name(), chosen.fallbackReason(engine), fit.iterationSeconds());
        }
    }
}
