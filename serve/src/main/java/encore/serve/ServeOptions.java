package encore.serve;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How an {@link EncoreServer} runs: the model file, where it listens, how much it takes on at once and how large a
 * request may be. Immutable; built with {@link #builder(Path)}. Errors name the parameter.
 */
public final class ServeOptions {
    /** The largest {@code k} (and {@code top}) a request may ask for. */
    public static final int MAX_K = 1000;

    private final Path model;
    private final String host;
    private final int port;
    private final int threads;
    private final int maxConcurrent;
    private final int maxBodyBytes;
    private final int maxPlays;
    private final Duration pollInterval;
    private final boolean sighup;
    private final Consumer<String> log;
    private final Consumer<String> admitted;

    private ServeOptions(Builder b) {
        this.model = b.model;
        this.host = b.host;
        this.port = b.port;
        this.maxConcurrent = b.maxConcurrent;
        this.threads = b.threads > 0 ? b.threads : b.maxConcurrent + 4;
        this.maxBodyBytes = b.maxBodyBytes;
        this.maxPlays = b.maxPlays;
        this.pollInterval = b.pollInterval;
        this.sighup = b.sighup;
        this.log = b.log;
        this.admitted = b.admitted;
    }

    /** Options for serving {@code model} with every other setting at its default. */
    public static Builder builder(Path model) {
        return new Builder(model);
    }

    /** The model file (re-read when it changes). */
    public Path model() {
        return model;
    }

    /** The address to bind (default {@code 127.0.0.1}: only this machine). */
    public String host() {
        return host;
    }

    /** The port (0: a free one, see {@link EncoreServer#port()}). */
    public int port() {
        return port;
    }

    /** Handler threads: {@code maxConcurrent} plus 4 unless set (the spare ones refuse the excess quickly). */
    public int threads() {
        return threads;
    }

    /** Requests answered at once; one more gets 503 at once. */
    public int maxConcurrent() {
        return maxConcurrent;
    }

    /** The largest request body, in bytes (413 beyond). */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** The most entries of any list in a request: plays, {@code exclude}, {@code only} (413 beyond). */
    public int maxPlays() {
        return maxPlays;
    }

    /** How often the model file is checked for a change besides the directory watch. */
    public Duration pollInterval() {
        return pollInterval;
    }

    /** Whether SIGHUP reloads the model (installs a JVM-wide handler where the platform has the signal). */
    public boolean sighup() {
        return sighup;
    }

    /** Where log lines go. */
    Consumer<String> log() {
        return log;
    }

    /** Called with the endpoint once a request holds its admission permit and its model (tests hold requests here). */
    Consumer<String> admitted() {
        return admitted;
    }

    /** Builds {@link ServeOptions}. */
    public static final class Builder {
        private final Path model;
        private String host = "127.0.0.1";
        private int port = 8080;
        private int threads;
        private int maxConcurrent = 32;
        private int maxBodyBytes = 1 << 20;
        private int maxPlays = 10_000;
        private Duration pollInterval = Duration.ofSeconds(2);
        private boolean sighup;
        private Consumer<String> log = line -> System.err.println(Instant.now() + " encore serve: " + line);
        private Consumer<String> admitted = endpoint -> {};

        private Builder(Path model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /** The address to bind: a host name or IP literal ({@code 0.0.0.0} for every interface). */
        public Builder host(String v) {
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException("host must be a host name or address, got '" + v + "'");
            }
            host = v;
            return this;
        }

        /** The port, 0 for any free one. */
        public Builder port(int v) {
            if (v < 0 || v > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535, got " + v);
            }
            port = v;
            return this;
        }

        /** Handler threads (0: {@code maxConcurrent + 4}). */
        public Builder threads(int v) {
            if (v < 0 || v > 10_000) {
                throw new IllegalArgumentException("threads must be in 1..10000 (or 0 for the default), got " + v);
            }
            threads = v;
            return this;
        }

        /** Requests answered at once. */
        public Builder maxConcurrent(int v) {
            if (v < 1 || v > 10_000) {
                throw new IllegalArgumentException("maxConcurrent must be in 1..10000, got " + v);
            }
            maxConcurrent = v;
            return this;
        }

        /** The largest request body in bytes. */
        public Builder maxBodyBytes(int v) {
            if (v < 1024 || v > 256 << 20) {
                throw new IllegalArgumentException("maxBodyBytes must be in 1024..268435456, got " + v);
            }
            maxBodyBytes = v;
            return this;
        }

        /** The most entries of any list in a request. */
        public Builder maxPlays(int v) {
            if (v < 1 || v > 10_000_000) {
                throw new IllegalArgumentException("maxPlays must be in 1..10000000, got " + v);
            }
            maxPlays = v;
            return this;
        }

        /** How often the model file is checked besides the directory watch. */
        public Builder pollInterval(Duration v) {
            if (v == null || v.toMillis() < 10 || v.toHours() > 24) {
                throw new IllegalArgumentException("pollInterval must be between 10 ms and 24 h, got " + v);
            }
            pollInterval = v;
            return this;
        }

        /** Whether SIGHUP reloads the model. */
        public Builder sighup(boolean v) {
            sighup = v;
            return this;
        }

        /** Where log lines go (default: standard error with a timestamp). */
        public Builder log(Consumer<String> v) {
            log = Objects.requireNonNull(v, "log");
            return this;
        }

        /** Test hook: called on the handler thread once a request is admitted. */
        Builder admitted(Consumer<String> v) {
            admitted = Objects.requireNonNull(v, "admitted");
            return this;
        }

        /** The options. */
        public ServeOptions build() {
            return new ServeOptions(this);
        }
    }
}
