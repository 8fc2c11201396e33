package encore.synth;

import encore.internal.Parallel;
import encore.util.AtomicOutput;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes a synthetic Last.fm-style {@code listenings.csv} ({@code user_id,date,track,artist,album}) with planted
 * taste structure, heavy tails and a little realistic dirt, fast and byte-for-byte reproducibly.
 *
 * <h2>The model</h2>
 *
 * <p><b>Catalogue.</b> There are {@code G} latent genres with popularity {@code π_g ∝ (g + 6)^-0.6}. Each of the
 * {@code A} artists gets one genre (the first {@code G} artists one each, so no genre is empty; the rest drawn from
 * {@code π}), a log-normal popularity {@code a ~ exp(1.5 Z)} and a log-normal share of the {@code T} tracks (mildly
 * larger for popular artists; at least one track each). An artist's tracks are cut into releases — singles of 1–2
 * tracks (15 %), EPs of 3–6 (15 %), albums of 7–15 (70 %) — so {@code track → album → artist} is fixed, and each
 * track knows the next track of its album. A track's latent weight is {@code a · b · c_pos · exp(0.8 Z)} with an album factor
 * {@code b ~ exp(0.5 Z)} and a bonus {@code c_pos} for the first two tracks of a release. Inside genre {@code g} the
 * tracks are ranked by that weight and the track of rank {@code r = 1, 2, ..., n_g} is given the Zipf–Mandelbrot
 * probability
 *
 * <pre>    P(r | g) = (r + 2)^-0.9 / Σ_k (k + 2)^-0.9</pre>
 *
 * which is stored as a Walker/Vose alias table. Track ids are numbered by genre and then by rank, so a draw is one
 * 64-bit random number (its high half picks a slot, its low half decides between the slot and its alias), one
 * multiply and one table lookup, whatever the catalogue size, and it lands directly on a track id.
 *
 * <p><b>Users.</b> User {@code u}'s number of rows is {@code n_u ∝ exp(1.15 Z_u)} (a log-normal, so the top 1 % of
 * users produce over 10 % of the rows), normalised so that the counts sum exactly to {@code rows} with every user
 * getting at least one row. Everything else about a user comes from a private SplitMix64 stream seeded by
 * {@code mix(seed, u)}:
 * <ul>
 * <li>a sparse taste mixture over the genres: {@code k ∈ {1, 2, 3}} dominant genres (probabilities .35/.40/.25),
 * drawn without replacement by {@code π}, with Dirichlet(1, ..., 1) weights {@code w_1..w_k}, plus a uniform
 * background; the mixture is {@code θ_u(g) = β/G + (1 − β) Σ_j w_j [g = g_j]} with {@code β = 0.05};</li>
 * <li>a replay probability {@code ρ_u = 0.03 + 0.45 U²} and an album-continuation probability
 * {@code α_u = 0.05 + 0.25 U};</li>
 * <li>an active window inside 2005–2009 and a session-structured clock.</li>
 * </ul>
 *
 * <p><b>Plays.</b> Play {@code i} of user {@code u} is made as follows. With probability {@code ρ_u} it is a replay:
 * a track drawn uniformly from the user's {@code i} earlier plays — a Pólya urn, so a track already played {@code c}
 * times is replayed with probability {@code ρ_u c / i}; counts concentrate on early favourites and grow like
 * {@code n^ρ}, giving pairs with counts far above one. Otherwise, with probability {@code α_u}, the user keeps
 * listening to the album: the next track of the previous play's album when there is one. Otherwise it is a fresh
 * draw: a genre {@code g ~ θ_u}, then a track {@code ~ P(· | g)}. A fresh play thus has probability
 * {@code Σ_g θ_u(g) P(t | g)[genre(t) = g]}, a low-rank (G-dimensional) user × track structure that a matrix
 * factorisation model can recover and a global popularity ranking cannot.
 *
 * <p><b>Clock.</b> Timestamps are epoch milliseconds, strictly increasing within a user: consecutive plays inside a
 * session are one track length apart (150–330 s), and with probability 0.12 a session ends and a break of ten
 * minutes plus an exponential follows, its mean chosen so the user's plays fill the active window; the sequence is rescaled if it would run past
 * the end of 2009.
 *
 * <p><b>Dirt.</b> Each row is dirty with probability {@code dirtRate}: 30 % of dirty rows repeat the previous row
 * verbatim (a valid play that counts twice), 40 % have one field emptied (user_id, date, track, artist or album;
 * only an empty date keeps the row a valid play), 30 % stop after the track or after the artist field (not a valid
 * play). The catalogue carries its own dirt: about 2 % of titles come from a short list of titles shared across
 * artists ("Intro", "Home", ...), and a few names hold a comma, a quoted word (written with RFC-4180 quoting),
 * non-ASCII letters (Latin diacritics, Cyrillic, Greek, Japanese), a supplementary-plane emoji, or a leading or
 * trailing space, which is kept as part of the name.
 *
 * <h2>Output and speed</h2>
 *
 * <p>UTF-8, LF line ends, header {@code user_id,date,track,artist,album}, rows grouped by user in user order
 * ({@code user_000000}, {@code user_000001}, ...) with dates increasing within each user. Users are generated in
 * chunks of consecutive users, independently of each other (only the row counts are drawn sequentially), on a pool of
 * {@link GeneratorConfig#threads()} threads, into byte buffers that are written strictly in order; the output does
 * not depend on the thread count. Names are encoded once, already CSV-quoted; every track's row tail
 * ({@code track,artist,album} and the line feed) is pre-rendered, so a clean row is the user label, the date digits
 * (written by hand, two at a time) and one byte copy.
 */
public final class ListeningsGenerator {
    /** The header line, without the line feed. */
    public static final String HEADER = "user_id,date,track,artist,album";

    /** 2005-01-01T00:00:00Z in epoch milliseconds. */
    static final long T0 = 1_104_537_600_000L;
    /** 2010-01-01T00:00:00Z in epoch milliseconds (exclusive end). */
    static final long T1 = 1_262_304_000_000L;

    static final double BACKGROUND = 0.05;
    static final double USER_SIGMA = 1.15;
    static final double SESSION_BREAK = 0.12;

    private static final long SALT_COUNTS = 0x636f_756e_7473_2121L;
    private static final long SALT_USER = 0x7573_6572_7321_2121L;

    private static final byte[] HEADER_BYTES = (HEADER + "\n").getBytes(StandardCharsets.UTF_8);
    private static final byte[] USER_PREFIX = "user_".getBytes(StandardCharsets.US_ASCII);

    // Dirt kinds.
    private static final int CLEAN = 0;
    private static final int DUPLICATE = 1;
    private static final int EMPTY_USER = 2;
    private static final int EMPTY_DATE = 3;
    private static final int EMPTY_TRACK = 4;
    private static final int EMPTY_ARTIST = 5;
    private static final int EMPTY_ALBUM = 6;
    private static final int CUT_AFTER_TRACK = 7;
    private static final int CUT_AFTER_ARTIST = 8;

    private final GeneratorConfig config;
    private final Catalog catalog;
    private final int[] userRows;
    /** Chunk c covers users {@code chunkStart[c] .. chunkStart[c + 1]}. */
    private final int[] chunkStart;
    private final long[] chunkRows;
    private final int labelDigits;
    private final int maxRowBytes;
    private final double meanRowBytes;

    /** Prepares a generator for {@code config}: builds the catalogue and draws each user's row count. */
    public ListeningsGenerator(GeneratorConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.catalog = new Catalog(config);
        this.userRows = drawUserRows(config);
        this.labelDigits = Math.max(6, Long.toString(config.users() - 1L).length());
        int labelLen = USER_PREFIX.length + labelDigits;
        this.maxRowBytes = labelLen + 24 + catalog.maxTailLen;
        this.meanRowBytes = labelLen + 15 + catalog.meanTailLen;

        long target = Math.max(1024, Math.min(65_536, config.rows() / 64));
        int users = config.users();
        int[] starts = new int[Math.max(2, (int) Math.min(users + 1L, config.rows() / target + users / 65_536 + 2))];
        long[] rowsOf = new long[starts.length];
        int nChunks = 0;
        long acc = 0;
        for (int u = 0; u < users; u++) {
            if (acc == 0) {
                if (nChunks + 1 >= starts.length) {
                    starts = java.util.Arrays.copyOf(starts, starts.length * 2);
                    rowsOf = java.util.Arrays.copyOf(rowsOf, rowsOf.length * 2);
                }
                starts[nChunks] = u;
            }
            acc += userRows[u];
            if (acc >= target || u == users - 1) {
                rowsOf[nChunks] = acc;
                nChunks++;
                acc = 0;
            }
        }
        starts[nChunks] = users;
        this.chunkStart = java.util.Arrays.copyOf(starts, nChunks + 1);
        this.chunkRows = java.util.Arrays.copyOf(rowsOf, nChunks);
    }

    /** The configuration this generator writes. */
    public GeneratorConfig config() {
        return config;
    }

    /** Number of users. */
    public int users() {
        return config.users();
    }

    /** Catalogue size in tracks. */
    public int tracks() {
        return catalog.tracks;
    }

    /** Number of artists in the catalogue. */
    public int artists() {
        return catalog.artists;
    }

    /** Number of albums in the catalogue (derived from the track and artist counts). */
    public int albums() {
        return catalog.albums;
    }

    /** Rows of user {@code user} in the file (dirty rows included). */
    public int rowsOfUser(int user) {
        return userRows[Objects.checkIndex(user, userRows.length)];
    }

    /** The user_id of user {@code user}: {@code "user_"} and the index, zero-padded to six digits. */
    public String userLabel(int user) {
        Objects.checkIndex(user, config.users());
        byte[] b = new byte[USER_PREFIX.length + labelDigits];
        return new String(b, 0, writeLabel(user, b), StandardCharsets.US_ASCII);
    }

    /** The title of {@code track}, exactly as the field reads after CSV unquoting. */
    public String trackTitle(int track) {
        return catalog.field(Objects.checkIndex(track, catalog.tracks), 0);
    }

    /** The artist of {@code track}, exactly as the field reads after CSV unquoting. */
    public String artistName(int track) {
        return catalog.field(Objects.checkIndex(track, catalog.tracks), 1);
    }

    /** The album of {@code track}, exactly as the field reads after CSV unquoting. */
    public String albumName(int track) {
        return catalog.field(Objects.checkIndex(track, catalog.tracks), 2);
    }

    /** The artist index of {@code track}. */
    public int artistOfTrack(int track) {
        return catalog.trackArtist[Objects.checkIndex(track, catalog.tracks)];
    }

    /** The album index of {@code track}. */
    public int albumOfTrack(int track) {
        return catalog.trackAlbum[Objects.checkIndex(track, catalog.tracks)];
    }

    /** The latent genre of {@code track} (its artist's genre), in {@code [0, genres)}. */
    public int genreOfTrack(int track) {
        return catalog.genreOfTrack(Objects.checkIndex(track, catalog.tracks));
    }

    /** User {@code user}'s taste mixture {@code θ_u} over the genres (sums to 1); fresh plays draw their genre from it. */
    public double[] genreMixture(int user) {
        Objects.checkIndex(user, config.users());
        int g = catalog.genres;
        int[] gs = new int[3];
        double[] cum = new double[3];
        int k = drawTaste(userRng(user), gs, cum);
        double[] m = new double[g];
        java.util.Arrays.fill(m, BACKGROUND / g);
        double prev = 0;
        for (int j = 0; j < k; j++) {
            m[gs[j]] += (1 - BACKGROUND) * (cum[j] - prev);
            prev = cum[j];
        }
        return m;
    }

    /** Writes the CSV atomically to {@code out}: readers see the old file or the complete new one. */
    public GeneratorSummary write(Path out) throws IOException {
        long t0 = System.nanoTime();
        GeneratorSummary s;
        try (AtomicOutput ao = AtomicOutput.create(out)) {
            s = write(ao.stream(), null);
            ao.commit();
        }
        return new GeneratorSummary(s.rows(), s.validPlays(), s.bytes(), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Writes the CSV to {@code out} (flushed, not closed). If {@code observer} is not null it is called once per data
     * row, in file order, on the calling thread.
     */
    public GeneratorSummary write(OutputStream out, PlayObserver observer) throws IOException {
        Objects.requireNonNull(out, "out");
        long t0 = System.nanoTime();
        out.write(HEADER_BYTES);
        long bytes = HEADER_BYTES.length;
        long rows = 0;
        long valid = 0;
        int nChunks = chunkRows.length;
        boolean observe = observer != null;
        ConcurrentLinkedQueue<byte[]> free = new ConcurrentLinkedQueue<>();
        int threads = Math.max(1, Math.min(config.threads(), nChunks));
        ExecutorService pool = Executors.newFixedThreadPool(threads, daemonThreads());
        ArrayDeque<Future<Chunk>> inFlight = new ArrayDeque<>();
        try {
            int next = 0;
            int window = 2 * threads + 1;
            while (next < nChunks || !inFlight.isEmpty()) {
                while (next < nChunks && inFlight.size() < window) {
                    int c = next++;
                    inFlight.add(pool.submit(() -> generateChunk(c, observe, free)));
                }
                Chunk ch = Parallel.await(inFlight.poll(), "interrupted while generating listenings");
                out.write(ch.buf, 0, ch.len);
                bytes += ch.len;
                rows += ch.rows;
                valid += ch.valid;
                ch.replay(observer);
                free.offer(ch.buf);
            }
        } finally {
            for (Future<Chunk> f : inFlight) {
                f.cancel(true);
            }
            pool.shutdownNow();
        }
        out.flush();
        if (rows != config.rows()) {
            throw new IllegalStateException("internal error: wrote " + rows + " rows, expected " + config.rows());
        }
        return new GeneratorSummary(rows, valid, bytes, (System.nanoTime() - t0) / 1e9);
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "encore-synth-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Row counts

    /** Log-normal row counts, normalised to sum exactly to {@code rows}, at least one per user. */
    private static int[] drawUserRows(GeneratorConfig c) {
        int users = c.users();
        long rows = c.rows();
        SplitMix r = SplitMix.stream(c.seed(), SALT_COUNTS, 0);
        double[] w = new double[users];
        double sum = 0;
        for (int u = 0; u < users; u++) {
            w[u] = DMath.exp(USER_SIGMA * Math.max(-5.0, Math.min(5.0, r.nextGaussian())));
            sum += w[u];
        }
        int[] n = new int[users];
        long extra = rows - users; // every user gets one row, the rest is shared by weight
        long total = 0;
        for (int u = 0; u < users; u++) {
            long k = 1 + (long) Math.floor(extra * (w[u] / sum));
            n[u] = (int) Math.min(Integer.MAX_VALUE - 1024, k);
            total += n[u];
        }
        // Floors leave a remainder below `users`; hand it out one row at a time from a seeded starting point.
        int u = r.nextInt(users);
        while (total < rows) {
            n[u]++;
            total++;
            u = u + 1 == users ? 0 : u + 1;
        }
        while (total > rows) { // unreachable with the floor above, kept as a guard
            if (n[u] > 1) {
                n[u]--;
                total--;
            }
            u = u + 1 == users ? 0 : u + 1;
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Per-user generation

    private SplitMix userRng(int user) {
        return SplitMix.stream(config.seed(), SALT_USER, user);
    }

    /**
     * Draws the user's dominant genres into {@code gs} and their cumulative Dirichlet(1) weights into {@code cum};
     * returns how many (1 to 3). Must be the first draws on the user's stream.
     */
    private int drawTaste(SplitMix r, int[] gs, double[] cum) {
        int genres = catalog.genres;
        double x = r.nextDouble();
        int k = Math.min(genres, x < 0.35 ? 1 : x < 0.75 ? 2 : 3);
        for (int j = 0; j < k; j++) {
            int g = -1;
            for (int attempt = 0; attempt < 64 && g < 0; attempt++) {
                int cand = catalog.sampleGenre(r.nextDouble());
                if (!contains(gs, j, cand)) {
                    g = cand;
                }
            }
            if (g < 0) { // a tiny genre count: take the first unused genre
                for (int cand = 0; g < 0; cand++) {
                    if (!contains(gs, j, cand)) {
                        g = cand;
                    }
                }
            }
            gs[j] = g;
        }
        double s = 0;
        for (int j = 0; j < k; j++) {
            cum[j] = r.nextExp();
            s += cum[j];
        }
        double acc = 0;
        for (int j = 0; j < k; j++) {
            acc += cum[j] / s;
            cum[j] = acc;
        }
        cum[k - 1] = 1.0;
        return k;
    }

    private static boolean contains(int[] a, int n, int v) {
        for (int i = 0; i < n; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }

    /** Fills {@code times[0, n)} with strictly increasing epoch milliseconds inside 2005–2009. */
    private static void fillTimes(SplitMix r, int n, long[] times) {
        double range = T1 - T0;
        double span = range * (0.1 + 0.9 * Math.sqrt(r.nextDouble()));
        long start = T0 + (long) ((range - span) * r.nextDouble());
        double withinMean = 240_000.0;
        double beta = Math.max(1_800_000.0,
                (span - n * (1 - SESSION_BREAK) * withinMean) / Math.max(1.0, n * SESSION_BREAK) - 600_000.0);
        long t = start;
        times[0] = t;
        for (int i = 1; i < n; i++) {
            if (r.nextDouble() < SESSION_BREAK) {
                t += 600_000L + (long) (beta * r.nextExp());
            } else {
                t += 150_000L + r.nextInt(180_000);
            }
            times[i] = t;
        }
        long end = T1 - 1;
        if (times[n - 1] > end) {
            double scale = (double) (end - start) / (double) (times[n - 1] - start);
            for (int i = 1; i < n; i++) {
                long v = start + (long) ((times[i] - start) * scale);
                times[i] = v > times[i - 1] ? v : times[i - 1] + 1;
            }
        }
    }

    private int writeLabel(int user, byte[] b) {
        System.arraycopy(USER_PREFIX, 0, b, 0, USER_PREFIX.length);
        int pos = USER_PREFIX.length;
        int digits = Math.max(labelDigits, Long.toString(user).length());
        long v = user;
        for (int i = pos + digits - 1; i >= pos; i--) {
            b[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        return pos + digits;
    }

    /** "00".."99" as ASCII pairs, for writing two digits at a time. */
    private static final byte[] DIGIT_PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    /** Writes the decimal digits of {@code v >= 0}; returns the new position. Int arithmetic, two digits a step. */
    static int writeLong(long v, byte[] b, int pos) {
        if (v < 100_000_000L) {
            return writeInt((int) v, b, pos);
        }
        long high = v / 100_000_000L;
        int low = (int) (v - high * 100_000_000L);
        pos = high < 100_000_000L ? writeInt((int) high, b, pos) : writeLong(high, b, pos);
        // Exactly eight digits for the low part.
        for (int i = pos + 6; i >= pos; i -= 2) {
            int q = low / 100;
            int r = low - q * 100;
            b[i] = DIGIT_PAIRS[2 * r];
            b[i + 1] = DIGIT_PAIRS[2 * r + 1];
            low = q;
        }
        return pos + 8;
    }

    private static int writeInt(int v, byte[] b, int pos) {
        int len = v < 10 ? 1 : v < 100 ? 2 : v < 1_000 ? 3 : v < 10_000 ? 4 : v < 100_000 ? 5 : v < 1_000_000 ? 6
                : v < 10_000_000 ? 7 : v < 100_000_000 ? 8 : v < 1_000_000_000 ? 9 : 10;
        int i = pos + len;
        while (v >= 100) {
            int q = v / 100;
            int r = v - q * 100;
            b[--i] = DIGIT_PAIRS[2 * r + 1];
            b[--i] = DIGIT_PAIRS[2 * r];
            v = q;
        }
        if (v >= 10) {
            b[--i] = DIGIT_PAIRS[2 * v + 1];
            b[--i] = DIGIT_PAIRS[2 * v];
        } else {
            b[--i] = (byte) ('0' + v);
        }
        return pos + len;
    }

    /** One chunk of consecutive users, rendered. */
    private static final class Chunk {
        byte[] buf;
        int len;
        int rows;
        long valid;
        int[] obsUser;
        int[] obsTrack;
        boolean[] obsValid;

        /** Records row {@code row}'s ground truth for the observer. */
        void observe(int row, int user, int track, boolean validPlay) {
            obsUser[row] = user;
            obsTrack[row] = track;
            obsValid[row] = validPlay;
        }

        void replay(PlayObserver observer) {
            if (observer == null) {
                return;
            }
            for (int i = 0; i < rows; i++) {
                observer.onRow(obsUser[i], obsTrack[i], obsValid[i]);
            }
        }
    }

    private Chunk generateChunk(int c, boolean observe, ConcurrentLinkedQueue<byte[]> free) {
        int from = chunkStart[c];
        int to = chunkStart[c + 1];
        int rowsInChunk = (int) chunkRows[c];
        int maxUser = 1;
        for (int u = from; u < to; u++) {
            maxUser = Math.max(maxUser, userRows[u]);
        }
        long estimate = (long) (rowsInChunk * meanRowBytes * 1.1) + 4L * maxRowBytes;
        int want = (int) Math.min(Integer.MAX_VALUE - 16, estimate);
        byte[] buf = free.poll();
        if (buf == null || buf.length < want) {
            buf = new byte[want];
        }
        Chunk ch = new Chunk();
        if (observe) {
            ch.obsUser = new int[rowsInChunk];
            ch.obsTrack = new int[rowsInChunk];
            ch.obsValid = new boolean[rowsInChunk];
        }
        long[] times = new long[maxUser];
        int[] hist = new int[maxUser];
        byte[] label = new byte[USER_PREFIX.length + labelDigits];
        int[] gs = new int[3];
        double[] cum = new double[3];
        ch.buf = buf;
        for (int u = from; u < to; u++) {
            generateUser(u, userRows[u], ch, times, hist, label, gs, cum);
        }
        return ch;
    }

    /** Renders all rows of user {@code u} into the chunk. The hot loop: primitives and byte copies only. */
    private void generateUser(int u, int n, Chunk ch, long[] times, int[] hist, byte[] label, int[] gs,
                              double[] cum) {
        final Catalog cat = catalog;
        final int[] nextInAlbum = cat.nextInAlbum;
        final byte[] tails = cat.tails;
        final int[] tailOff = cat.tailOff;
        final int genres = cat.genres;
        final double dirtRate = config.dirtRate();
        final double invDirt = dirtRate > 0 ? 1.0 / dirtRate : 0.0;
        final int maxRow = maxRowBytes;

        SplitMix r = userRng(u);
        int k = drawTaste(r, gs, cum);
        double rho = 0.03 + 0.45 * sq(r.nextDouble());
        double alpha = 0.05 + 0.25 * r.nextDouble();
        fillTimes(r, n, times);
        int labelLen = writeLabel(u, label);
        final int g0 = gs[0];
        final int g1 = gs[1];
        final int g2 = gs[2];
        final double c0 = cum[0];
        final double c1 = k > 1 ? cum[1] : 1.0;

        byte[] buf = ch.buf;
        int pos = ch.len;
        int row = ch.rows;
        long valid = 0;
        final boolean observe = ch.obsUser != null;
        int h = 0;
        int last = -1;
        int prevStart = -1;
        int prevEnd = -1;
        int prevTrack = -1;
        boolean prevValid = false;

        for (int i = 0; i < n; i++) {
            if (pos + 2 * maxRow > buf.length) {
                buf = grow(buf, pos, maxRow);
            }
            int dirt = CLEAN;
            double d = r.nextDouble();
            if (d < dirtRate) {
                double x = d * invDirt;
                if (x < 0.30) {
                    dirt = i > 0 ? DUPLICATE : CLEAN;
                } else if (x < 0.70) {
                    dirt = EMPTY_USER + Math.min(4, (int) ((x - 0.30) * 12.5));
                } else if (x < 0.85) {
                    dirt = CUT_AFTER_TRACK;
                } else {
                    dirt = CUT_AFTER_ARTIST;
                }
            }
            if (dirt == DUPLICATE) {
                int len = prevEnd - prevStart;
                System.arraycopy(buf, prevStart, buf, pos, len);
                prevStart = pos;
                pos += len;
                prevEnd = pos;
                if (prevValid) {
                    valid++;
                }
                if (observe) {
                    ch.observe(row, u, prevTrack, prevValid);
                }
                row++;
                continue;
            }

            // Choose the track: replay (Pólya urn), album continuation, or a fresh draw from the taste mixture.
            int t;
            if (h > 0 && r.nextDouble() < rho) {
                t = hist[r.nextInt(h)];
            } else if (last >= 0 && r.nextDouble() < alpha && nextInAlbum[last] >= 0) {
                t = nextInAlbum[last];
            } else {
                double v = r.nextDouble();
                int g;
                if (v < BACKGROUND) {
                    g = Math.min(genres - 1, (int) (v * (1.0 / BACKGROUND) * genres));
                } else {
                    double w = (v - BACKGROUND) * (1.0 / (1.0 - BACKGROUND));
                    g = w < c0 ? g0 : w < c1 ? g1 : g2;
                }
                t = cat.sampleTrack(g, r.nextLong());
            }
            hist[h++] = t;
            last = t;

            int start = pos;
            if (dirt != EMPTY_USER) {
                System.arraycopy(label, 0, buf, pos, labelLen);
                pos += labelLen;
            }
            buf[pos++] = ',';
            if (dirt != EMPTY_DATE) {
                pos = writeLong(times[i], buf, pos);
            }
            buf[pos++] = ',';
            int o = tailOff[t];
            if (dirt <= EMPTY_DATE) {
                int len = tailOff[t + 1] - o;
                System.arraycopy(tails, o, buf, pos, len);
                pos += len;
            } else {
                pos = writeDirtyTail(dirt, tails, o, tailOff[t + 1], buf, pos);
            }
            boolean ok = dirt == CLEAN || dirt == EMPTY_DATE;
            if (ok) {
                valid++;
            }
            if (observe) {
                ch.observe(row, u, t, ok);
            }
            row++;
            prevStart = start;
            prevEnd = pos;
            prevTrack = t;
            prevValid = ok;
        }
        ch.buf = buf;
        ch.len = pos;
        ch.rows = row;
        ch.valid += valid;
    }

    /**
     * Writes the tail {@code tails[o, end)} ({@code track,artist,album\n}) with one field emptied or with the row cut
     * after the track or the artist. Rare, so it simply scans for the field boundaries.
     */
    private static int writeDirtyTail(int dirt, byte[] tails, int o, int end, byte[] buf, int pos) {
        int trackEnd = Catalog.fieldEnd(tails, o);
        int artistEnd = Catalog.fieldEnd(tails, trackEnd + 1);
        switch (dirt) {
            case EMPTY_TRACK -> pos = copy(tails, trackEnd, end, buf, pos);
            case EMPTY_ARTIST -> {
                pos = copy(tails, o, trackEnd + 1, buf, pos);
                pos = copy(tails, artistEnd, end, buf, pos);
            }
            case EMPTY_ALBUM -> {
                pos = copy(tails, o, artistEnd + 1, buf, pos);
                buf[pos++] = '\n';
            }
            case CUT_AFTER_TRACK -> {
                pos = copy(tails, o, trackEnd, buf, pos);
                buf[pos++] = '\n';
            }
            case CUT_AFTER_ARTIST -> {
                pos = copy(tails, o, artistEnd, buf, pos);
                buf[pos++] = '\n';
            }
            default -> throw new IllegalStateException("dirt kind " + dirt);
        }
        return pos;
    }

    private static int copy(byte[] src, int from, int to, byte[] dst, int pos) {
        System.arraycopy(src, from, dst, pos, to - from);
        return pos + to - from;
    }

    private static byte[] grow(byte[] buf, int pos, int maxRow) {
        long need = (long) pos + 4L * maxRow;
        if (need > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("a chunk of users needs more than 2 GiB; use more users for this many rows");
        }
        return java.util.Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16,
                Math.max((long) buf.length + (buf.length >> 1), need)));
    }

    private static double sq(double x) {
        return x * x;
    }
}
