package encore.synth;

/**
 * The parameters of a synthetic {@code listenings.csv}: how many rows, which seed, the sizes of the user base and of
 * the catalogue, how much dirt, and how many threads generate it.
 *
 * <p>Everything except {@link #threads()} determines the output: two configurations that differ only in
 * {@code threads} produce byte-identical files.
 *
 * <p>{@link #forRows(long, long)} derives realistic sizes from a row count (calibrated on Last.fm's 13,758,905-row
 * file: about 54,800 users and about 1.04 M distinct tracks in the output); {@link #builder()} starts from those
 * derived sizes and lets any of them be overridden.
 *
 * <ul>
 *   <li>{@code rows}: data rows to write (the header is not counted), dirty rows included;</li>
 *   <li>{@code seed}: the random seed;</li>
 *   <li>{@code users}: number of users; every user gets at least one row;</li>
 *   <li>{@code tracks}: catalogue size in tracks (the number of distinct tracks that actually get played is smaller,
 *       since the popularity tail is long);</li>
 *   <li>{@code artists}: number of artists in the catalogue; each artist owns at least one track;</li>
 *   <li>{@code genres}: number of latent genres (the planted taste structure); every artist has exactly one;</li>
 *   <li>{@code dirtRate}: expected fraction of rows that are dirty (emptied field, truncated row or duplicated row);</li>
 *   <li>{@code threads}: worker threads used for generation; does not affect the output.</li>
 * </ul>
 * An immutable value, built by {@link #forRows}, {@link #builder()} or {@link #toBuilder()} and validated whole.
 */
public final class GeneratorConfig {
    private final long rows;
    private final long seed;
    private final int users;
    private final int tracks;
    private final int artists;
    private final int genres;
    private final double dirtRate;
    private final int threads;

    /** Rows written by the demo when nothing else is asked for. */
    public static final long DEFAULT_ROWS = 1_000_000L;
    /** Seed used when none is given. */
    public static final long DEFAULT_SEED = 1L;
    /** Number of latent genres at full scale. */
    public static final int DEFAULT_GENRES = 24;
    /** Default fraction of dirty rows (about 0.5 %). */
    public static final double DEFAULT_DIRT_RATE = 0.005;

    /** Largest supported row count. */
    public static final long MAX_ROWS = 20_000_000_000L;
    /** Largest supported number of users. */
    public static final int MAX_USERS = 100_000_000;
    /** Largest supported catalogue. */
    public static final int MAX_TRACKS = 50_000_000;
    /** Largest supported number of genres. */
    public static final int MAX_GENRES = 4096;
    /** Most rows per user on average (keeps a single user's rows within one in-memory chunk). */
    public static final long MAX_ROWS_PER_USER = 100_000L;
    /** Largest supported dirt rate. */
    public static final double MAX_DIRT_RATE = 0.5;
    /** Largest supported thread count. */
    public static final int MAX_THREADS = 1024;

    /** Rows per user in Last.fm's file: 13,758,905 rows over about 54,800 users. */
    static final double ROWS_PER_USER = 251.07;
    /** Catalogue scale: {@code tracks = TRACK_SCALE * rows^TRACK_EXPONENT} (a Heaps'-law style sub-linear growth). */
    static final double TRACK_SCALE = 0.42;

    static final double TRACK_EXPONENT = 0.9;
    /** Tracks per artist in the catalogue on average. */
    static final double TRACKS_PER_ARTIST = 6.0;
    /** Artists per genre below which fewer genres are used (tiny catalogues). */
    static final int MIN_ARTISTS_PER_GENRE = 8;

    /** Validates every parameter against its supported range. */
    private GeneratorConfig(Builder b) {
        this.rows = b.rows;
        this.seed = b.seed;
        this.users = b.users;
        this.tracks = b.tracks;
        this.artists = b.artists;
        this.genres = b.genres;
        this.dirtRate = b.dirtRate;
        this.threads = b.threads;
        if (rows < 1 || rows > MAX_ROWS) {
            throw new IllegalArgumentException("rows must be between 1 and " + MAX_ROWS + ", got " + rows);
        }
        if (users < 1 || users > MAX_USERS) {
            throw new IllegalArgumentException("users must be between 1 and " + MAX_USERS + ", got " + users);
        }
        if (users > rows) {
            throw new IllegalArgumentException(
                    "users (" + users + ") must not exceed rows (" + rows + "): every user needs at least one row");
        }
        if (rows > users * MAX_ROWS_PER_USER) {
            throw new IllegalArgumentException("rows (" + rows + ") must not exceed " + MAX_ROWS_PER_USER
                    + " per user on average; with " + users + " users at most " + users * MAX_ROWS_PER_USER);
        }
        if (tracks < 1 || tracks > MAX_TRACKS) {
            throw new IllegalArgumentException("tracks must be between 1 and " + MAX_TRACKS + ", got " + tracks);
        }
        if (artists < 1 || artists > tracks) {
            throw new IllegalArgumentException(
                    "artists must be between 1 and tracks (" + tracks + "): every artist owns a track; got " + artists);
        }
        if (genres < 1 || genres > Math.min(artists, MAX_GENRES)) {
            throw new IllegalArgumentException("genres must be between 1 and min(artists, " + MAX_GENRES + ") = "
                    + Math.min(artists, MAX_GENRES) + ": every genre needs an artist; got " + genres);
        }
        if (!(dirtRate >= 0.0 && dirtRate <= MAX_DIRT_RATE)) {
            throw new IllegalArgumentException("dirtRate must be between 0 and " + MAX_DIRT_RATE + ", got " + dirtRate);
        }
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be between 1 and " + MAX_THREADS + ", got " + threads);
        }
    }

    /**
     * Sizes derived from the row count, shaped on Last.fm's file: {@code rows / 251} users (at least 20), a catalogue
     * growing as {@code 0.42 * rows^0.9} tracks (at least 50), six tracks per artist, 24 genres (fewer for tiny
     * catalogues), the default dirt rate, and one thread per available processor (at most 8).
     */
    public static GeneratorConfig forRows(long rows, long seed) {
        if (rows < 1 || rows > MAX_ROWS) {
            throw new IllegalArgumentException("rows must be between 1 and " + MAX_ROWS + ", got " + rows);
        }
        int users = usersFor(rows);
        int tracks = tracksFor(rows);
        int artists = artistsFor(tracks);
        return new Builder()
                .rows(rows)
                .seed(seed)
                .users(users)
                .tracks(tracks)
                .artists(artists)
                .genres(genresFor(artists))
                .dirtRate(DEFAULT_DIRT_RATE)
                .threads(defaultThreads())
                .build();
    }

    /** {@code rows}. */
    public long rows() {
        return rows;
    }

    /** {@code seed}. */
    public long seed() {
        return seed;
    }

    /** {@code users}. */
    public int users() {
        return users;
    }

    /** {@code tracks}. */
    public int tracks() {
        return tracks;
    }

    /** {@code artists}. */
    public int artists() {
        return artists;
    }

    /** {@code genres}. */
    public int genres() {
        return genres;
    }

    /** {@code dirtRate}. */
    public double dirtRate() {
        return dirtRate;
    }

    /** {@code threads}. */
    public int threads() {
        return threads;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GeneratorConfig c
                && rows == c.rows
                && seed == c.seed
                && users == c.users
                && tracks == c.tracks
                && artists == c.artists
                && genres == c.genres
                && Double.compare(dirtRate, c.dirtRate) == 0
                && threads == c.threads;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(rows, seed, users, tracks, artists, genres, dirtRate, threads);
    }

    @Override
    public String toString() {
        return "GeneratorConfig[rows=" + rows + ", seed=" + seed + ", users=" + users + ", tracks=" + tracks
                + ", artists=" + artists + ", genres=" + genres + ", dirtRate=" + dirtRate + ", threads=" + threads
                + "]";
    }

    /** {@link #forRows(long, long)} with {@link #DEFAULT_ROWS} and {@link #DEFAULT_SEED}. */
    public static GeneratorConfig defaults() {
        return forRows(DEFAULT_ROWS, DEFAULT_SEED);
    }

    /** A builder starting from {@link #DEFAULT_ROWS}, {@link #DEFAULT_SEED} and sizes derived from the row count. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding exactly this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder()
                .rows(rows)
                .seed(seed)
                .users(users)
                .tracks(tracks)
                .artists(artists)
                .genres(genres)
                .dirtRate(dirtRate)
                .threads(threads);
        return b;
    }

    /** This configuration with another thread count (same output). */
    public GeneratorConfig withThreads(int threads) {
        return toBuilder().threads(threads).build();
    }

    /** This configuration with another seed. */
    public GeneratorConfig withSeed(long seed) {
        return toBuilder().seed(seed).build();
    }

    static int usersFor(long rows) {
        long u = Math.round(rows / ROWS_PER_USER);
        return (int) Math.min(Math.min(MAX_USERS, rows), Math.max(20L, u));
    }

    static int tracksFor(long rows) {
        double t = TRACK_SCALE * Math.pow((double) rows, TRACK_EXPONENT);
        return (int) Math.min(MAX_TRACKS, Math.max(50L, Math.round(t)));
    }

    static int artistsFor(int tracks) {
        return (int) Math.max(Math.min(5L, tracks), Math.min(tracks, Math.round(tracks / TRACKS_PER_ARTIST)));
    }

    static int genresFor(int artists) {
        return Math.max(1, Math.min(DEFAULT_GENRES, Math.max(Math.min(2, artists), artists / MIN_ARTISTS_PER_GENRE)));
    }

    static int defaultThreads() {
        return Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Builds a {@link GeneratorConfig}. Sizes left unset are derived when {@link #build()} is called: users and tracks
     * from the row count as in {@link #forRows(long, long)}, artists from the tracks, genres from the artists.
     */
    public static final class Builder {
        private long rows = DEFAULT_ROWS;
        private long seed = DEFAULT_SEED;
        private int users;
        private int tracks;
        private int artists;
        private int genres;
        private double dirtRate = DEFAULT_DIRT_RATE;
        private int threads = defaultThreads();

        private Builder() {}

        /** Sets the number of data rows to write. */
        public Builder rows(long rows) {
            this.rows = rows;
            return this;
        }

        /** Sets the random seed. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Number of users; 0 (the default) derives it from the row count. */
        public Builder users(int users) {
            this.users = users;
            return this;
        }

        /** Catalogue size; 0 (the default) derives it from the row count. */
        public Builder tracks(int tracks) {
            this.tracks = tracks;
            return this;
        }

        /** Number of artists; 0 (the default) derives it from the track count. */
        public Builder artists(int artists) {
            this.artists = artists;
            return this;
        }

        /** Number of genres; 0 (the default) derives it from the artist count. */
        public Builder genres(int genres) {
            this.genres = genres;
            return this;
        }

        /** Sets the expected fraction of dirty rows. */
        public Builder dirtRate(double dirtRate) {
            this.dirtRate = dirtRate;
            return this;
        }

        /** Sets the number of worker threads; does not affect the output. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Derives the unset sizes and validates; throws {@link IllegalArgumentException} on a bad value. */
        public GeneratorConfig build() {
            if (rows < 1 || rows > MAX_ROWS) {
                throw new IllegalArgumentException("rows must be between 1 and " + MAX_ROWS + ", got " + rows);
            }
            int u = users != 0 ? users : usersFor(rows);
            int t = tracks != 0 ? tracks : tracksFor(rows);
            int a = artists != 0 ? artists : (t > 0 ? artistsFor(t) : 1);
            int g = genres != 0 ? genres : (a > 0 ? genresFor(a) : 1);
            Builder derived = new Builder()
                    .rows(rows)
                    .seed(seed)
                    .users(u)
                    .tracks(t)
                    .artists(a)
                    .genres(g)
                    .dirtRate(dirtRate)
                    .threads(threads);
            return new GeneratorConfig(derived);
        }
    }
}
