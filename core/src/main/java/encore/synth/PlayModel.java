package encore.synth;

/**
 * How a user chooses the track of each play (see {@code docs/generator.md}, "Users" and "Plays"): a replay of one of
 * the user's earlier plays with probability {@code ρ_u} (a Pólya urn), else the next track of the previous play's
 * album with probability {@code α_u}, else a fresh draw of a genre from the taste mixture {@code θ_u} and a track from
 * the genre's Zipf law.
 *
 * <p>One instance serves the consecutive users of a chunk: {@link #startUser} draws a user's taste, {@code ρ_u} and
 * {@code α_u}, then {@link #playRows} decides each row's {@link Dirt} and track. Nothing is allocated per user or per
 * row. The order of the draws on the user's stream is part of the output format: changing it changes every file.
 */
final class PlayModel {
    /** The uniform background weight {@code β} of the taste mixture. */
    static final double BACKGROUND = 0.05;

    private final Catalog catalog;
    private final int[] nextInAlbum;
    private final double dirtRate;
    /** {@code 1 / dirtRate} (0 when there is no dirt), which maps a dirty row's draw onto [0, 1). */
    private final double invDirtRate;
    /** The tracks of the user's plays so far: the urn a replay draws from. */
    private final int[] history;
    /**
     * The current user's dominant genres and their cumulative weights, reused across users: a user overwrites the
     * {@code k} entries it has, and an entry past them is never chosen ({@code c1 = 1} when {@code k < 3}, and the
     * rescaled draw {@code w} stays below 1).
     */
    private final int[] genres = new int[3];

    private final double[] cumWeights = new double[3];

    private double replay;
    private double continueAlbum;
    private int g0;
    private int g1;
    private int g2;
    private double c0;
    private double c1;

    /** A model over {@code catalog} for users of at most {@code maxPlays} rows, with rows dirty at {@code dirtRate}. */
    PlayModel(Catalog catalog, int maxPlays, double dirtRate) {
        this.catalog = catalog;
        this.nextInAlbum = catalog.nextInAlbum;
        this.dirtRate = dirtRate;
        this.invDirtRate = dirtRate > 0 ? 1.0 / dirtRate : 0.0;
        this.history = new int[maxPlays];
    }

    /**
     * Starts a user: draws the taste mixture, then {@code ρ_u = 0.03 + 0.45 U²} and {@code α_u = 0.05 + 0.25 U}.
     * These must be the first draws on the user's stream.
     */
    void startUser(SplitMix r) {
        int k = drawTaste(catalog, r, genres, cumWeights);
        replay = 0.03 + 0.45 * sq(r.nextDouble());
        continueAlbum = 0.05 + 0.25 * r.nextDouble();
        g0 = genres[0];
        g1 = genres[1];
        g2 = genres[2];
        c0 = cumWeights[0];
        c1 = k > 1 ? cumWeights[1] : 1.0;
    }

    /**
     * Decides the {@code n} rows of the user started last. For each row: its dirt ({@link Dirt#draw} of the row's
     * first draw; a user's first row is never a duplicate) and, unless it is a duplicate, the track of a new play:
     * replay, album continuation or fresh draw. Writes each row's {@link Dirt} ordinal into {@code dirt} and its track
     * into {@code tracks} (a duplicate has the track of the row it repeats).
     *
     * <p>One loop on purpose: the dirt and play draws interleave on the user's stream, and the JIT compiles the whole
     * per-row step as one piece (a track choice in a method of its own gets compiled first, on its own, and is then
     * too big to be inlined into the loop: a call per row that measurably slows the generator).
     */
    void playRows(SplitMix r, int n, byte[] dirt, int[] tracks) {
        int plays = 0;
        int last = -1;
        int t = -1;
        for (int i = 0; i < n; i++) {
            Dirt d = Dirt.draw(r.nextDouble(), dirtRate, invDirtRate);
            if (d == Dirt.DUPLICATE && i == 0) {
                d = Dirt.CLEAN; // nothing to repeat yet
            }
            if (d != Dirt.DUPLICATE) {
                if (plays > 0 && r.nextDouble() < replay) {
                    t = history[r.nextInt(plays)];
                } else if (last >= 0 && r.nextDouble() < continueAlbum && nextInAlbum[last] >= 0) {
                    t = nextInAlbum[last];
                } else {
                    t = catalog.sampleTrack(freshGenre(r.nextDouble()), r.nextLong());
                }
                history[plays++] = t;
                last = t;
            }
            dirt[i] = (byte) d.ordinal();
            tracks[i] = t;
        }
    }

    /**
     * The genre of a fresh draw from {@code v} uniform in [0, 1): below {@code β} it is uniform over all genres
     * (the background), otherwise {@code (v - β) / (1 - β)} is uniform again and picks a dominant genre by weight.
     */
    private int freshGenre(double v) {
        if (v < BACKGROUND) {
            return Math.min(catalog.genres - 1, (int) (v * (1.0 / BACKGROUND) * catalog.genres));
        }
        double w = (v - BACKGROUND) * (1.0 / (1.0 - BACKGROUND));
        return w < c0 ? g0 : w < c1 ? g1 : g2;
    }

    /**
     * Draws a user's dominant genres into {@code gs} and their cumulative Dirichlet(1) weights into {@code cum};
     * returns how many (1 to 3, with probabilities .35/.40/.25). Genres are drawn without replacement by genre
     * popularity; the weights are normalised standard exponentials. Must be the first draws on the user's stream.
     */
    static int drawTaste(Catalog catalog, SplitMix r, int[] gs, double[] cum) {
        double x = r.nextDouble();
        int k = Math.min(catalog.genres, x < 0.35 ? 1 : x < 0.75 ? 2 : 3);
        for (int j = 0; j < k; j++) {
            gs[j] = drawUnusedGenre(catalog, r, gs, j);
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

    /** A genre not among {@code gs[0, j)}: up to 64 popularity draws, then (tiny genre counts) the first unused. */
    private static int drawUnusedGenre(Catalog catalog, SplitMix r, int[] gs, int j) {
        for (int attempt = 0; attempt < 64; attempt++) {
            int cand = catalog.sampleGenre(r.nextDouble());
            if (!contains(gs, j, cand)) {
                return cand;
            }
        }
        for (int cand = 0; ; cand++) {
            if (!contains(gs, j, cand)) {
                return cand;
            }
        }
    }

    private static boolean contains(int[] a, int n, int v) {
        for (int i = 0; i < n; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }

    private static double sq(double x) {
        return x * x;
    }
}
