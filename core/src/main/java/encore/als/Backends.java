package encore.als;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/** Finds the {@link AlsBackendProvider}s on the class path and picks one. */
public final class Backends {
    private Backends() {}

    /** Every provider found, highest priority first; the caller closes them. */
    public static List<AlsBackendProvider> providers() {
        List<AlsBackendProvider> list = new ArrayList<>();
        ServiceLoader.load(AlsBackendProvider.class, Backends.class.getClassLoader())
                .forEach(list::add);
        list.sort(Comparator.comparingInt(AlsBackendProvider::priority)
                .reversed()
                .thenComparing(AlsBackendProvider::name));
        return list;
    }

    /** Each provider's name and why it is unavailable (null when available), highest priority first. */
    public static Map<String, String> status() {
        Map<String, String> m = new LinkedHashMap<>();
        for (AlsBackendProvider p : providers()) {
            try (p) {
                m.put(p.name(), p.unavailableReason());
            }
        }
        return m;
    }

    /**
     * The chosen provider and, for {@code auto}, why higher-priority ones were passed over. It owns the provider (a
     * GPU provider keeps the device its probe opened for the engine and the scorer opened from it): close it when
     * done; backends and recommenders opened from it stay usable until they are closed themselves.
     */
    public static final class Choice implements AutoCloseable {
        private final AlsBackendProvider provider;
        private final String skipped;
        private final boolean auto;

        private Choice(AlsBackendProvider provider, String skipped, boolean auto) {
            this.provider = provider;
            this.skipped = skipped;
            this.auto = auto;
        }

        /** The chosen provider's name. */
        public String name() {
            return provider.name();
        }

        /** For {@code auto}: the higher-priority backends passed over and why ("gpu: no CUDA driver"), or null. */
        public String skipped() {
            return skipped;
        }

        /** Whether it was chosen by {@code auto} (which lets a checked backend fall back to the CPU). */
        public boolean auto() {
            return auto;
        }

        /** Opens the chosen backend, allowing a fallback to the CPU engine only when chosen by {@code auto}. */
        public AlsBackend open(AlsParams params, int threads) {
            return provider.open(params, new EngineOptions(threads, auto));
        }

        /** Opens the chosen backend's top-k scorer (the CPU scorer when it has none); the caller closes it. */
        public TopKScorer openScorer(int threads) {
            TopKScorer s = provider.openScorer(new EngineOptions(threads, auto));
            return s != null ? s : new CpuTopKScorer(threads);
        }

        /**
         * Why the run does not use the highest-priority backend: the backend's own fallback reason, else why
         * {@code auto} passed over higher-priority ones; null when neither applies.
         */
        public String fallbackReason(AlsBackend opened) {
            String own = opened.fallbackReason();
            return own != null ? own : skipped;
        }

        /** Closes the provider (what it opened stays open until closed). Idempotent. */
        @Override
        public void close() {
            provider.close();
        }
    }

    /**
     * Picks a provider: {@code auto} takes the highest-priority available one; a name takes that one or fails with
     * its reason.
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException when the named (or every) backend is unavailable
     */
    public static Choice choose(String name) {
        List<AlsBackendProvider> all = providers();
        AlsBackendProvider chosen = null;
        try {
            Choice c = choose(name, all);
            chosen = c.provider;
            return c;
        } finally {
            for (AlsBackendProvider p : all) {
                if (p != chosen) {
                    p.close();
                }
            }
        }
    }

    private static Choice choose(String name, List<AlsBackendProvider> all) {
        String want = name.toLowerCase(Locale.ROOT);
        if (all.isEmpty()) {
            throw new IllegalStateException("no ALS backend on the class path (encore-cpu missing?)");
        }
        StringBuilder skipped = new StringBuilder();
        for (AlsBackendProvider p : all) {
            if (!want.equals("auto") && !p.name().equals(want)) {
                continue;
            }
            String why = p.unavailableReason();
            if (why == null) {
                return new Choice(p, skipped.length() == 0 ? null : skipped.toString(), want.equals("auto"));
            }
            if (!want.equals("auto")) {
                throw new IllegalStateException("backend " + p.name() + " is unavailable: " + why);
            }
            skipped.append(skipped.length() == 0 ? "" : "; ")
                    .append(p.name())
                    .append(": ")
                    .append(why);
        }
        if (want.equals("auto")) {
            throw new IllegalStateException("no ALS backend is available: " + skipped);
        }
        List<String> names = new ArrayList<>();
        all.forEach(p -> names.add(p.name()));
        if (want.equals("gpu")) {
            throw new IllegalStateException("backend gpu is unavailable: no GPU engine is installed (the encore-cuda "
                    + "module is not on the class path); available: " + names);
        }
        throw new IllegalArgumentException("unknown backend '" + name + "': expected auto or one of " + names);
    }
}
