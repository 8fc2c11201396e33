package encore.synth;

/**
 * The dirt a generated row can carry, and how often each kind is drawn (see {@code docs/generator.md}, "Dirt").
 *
 * <p>A row is dirty with probability {@link GeneratorConfig#dirtRate()}. Its uniform draw {@code d} then satisfies
 * {@code d < dirtRate}, so {@code x = d / dirtRate} is uniform in [0, 1) and picks the kind from consecutive bands of
 * [0, 1) whose widths are the documented shares of the dirty rows:
 *
 * <pre>
 *   [0.00, 0.30)  30 %  DUPLICATE          (the previous row again; a user's first row stays CLEAN)
 *   [0.30, 0.70)  40 %  one field emptied: five equal bands of 8 %, user_id, date, track, artist, album
 *   [0.70, 0.85)  15 %  CUT_AFTER_TRACK
 *   [0.85, 1.00)  15 %  CUT_AFTER_ARTIST
 * </pre>
 *
 * The band edges are sums of the shares, which are exact in binary here (0.30 + 0.40 is 0.70 and 0.70 + 0.15 is 0.85
 * in {@code double}); the emptied field is {@code min(4, floor((x - 0.30) * 12.5))} with {@code 12.5 = 5 / 0.40}.
 */
enum Dirt {
    /** The row as generated: a valid play. */
    CLEAN(true, true),
    /** The previous row of the user repeated byte for byte: a play counted twice, valid if that row was. */
    DUPLICATE(false, true),
    /** The user_id field emptied: not a valid play. */
    EMPTY_USER(false, true),
    /** The date field emptied: still a valid play (the date is never read). */
    EMPTY_DATE(true, true),
    /** The track field emptied: not a valid play. */
    EMPTY_TRACK(false, false),
    /** The artist field emptied: not a valid play. */
    EMPTY_ARTIST(false, false),
    /** The album field emptied: not a valid play. */
    EMPTY_ALBUM(false, false),
    /** The row stops after the track field (no artist, no album): not a valid play. */
    CUT_AFTER_TRACK(false, false),
    /** The row stops after the artist field (no album): not a valid play. */
    CUT_AFTER_ARTIST(false, false);

    /** Share of the dirty rows that repeat the previous row. */
    static final double DUPLICATE_SHARE = 0.30;
    /** Share of the dirty rows with one field emptied, split equally over the five fields. */
    static final double EMPTY_FIELD_SHARE = 0.40;
    /** Share of the dirty rows cut after the track; the rest ({@code 0.15}) is cut after the artist. */
    static final double CUT_AFTER_TRACK_SHARE = 0.15;

    private static final double DUPLICATE_BELOW = DUPLICATE_SHARE; // 0.30
    private static final double EMPTY_FIELD_BELOW = DUPLICATE_BELOW + EMPTY_FIELD_SHARE; // 0.70
    private static final double CUT_AFTER_TRACK_BELOW = EMPTY_FIELD_BELOW + CUT_AFTER_TRACK_SHARE; // 0.85
    private static final Dirt[] EMPTY_FIELDS = {EMPTY_USER, EMPTY_DATE, EMPTY_TRACK, EMPTY_ARTIST, EMPTY_ALBUM};
    /** Emptied-field bands per unit of x: {@code 5 / 0.40 = 12.5}. */
    private static final double EMPTY_FIELD_SCALE = EMPTY_FIELDS.length / EMPTY_FIELD_SHARE;

    /** Whether a row with this dirt is still a valid play (for {@link #DUPLICATE}: see the row it repeats). */
    final boolean validPlay;
    /** Whether the row keeps its whole pre-rendered {@code track,artist,album} tail. */
    final boolean wholeTail;

    Dirt(boolean validPlay, boolean wholeTail) {
        this.validPlay = validPlay;
        this.wholeTail = wholeTail;
    }

    /**
     * The dirt of a row whose uniform draw is {@code d}: {@link #CLEAN} unless {@code d < rate}, else the kind picked
     * by {@code x = d * invRate} ({@code invRate = 1 / rate}, precomputed by the caller) from the bands above.
     */
    static Dirt draw(double d, double rate, double invRate) {
        if (d >= rate) {
            return CLEAN;
        }
        double x = d * invRate;
        if (x < DUPLICATE_BELOW) {
            return DUPLICATE;
        }
        if (x < EMPTY_FIELD_BELOW) {
            return EMPTY_FIELDS[Math.min(EMPTY_FIELDS.length - 1, (int) ((x - DUPLICATE_BELOW) * EMPTY_FIELD_SCALE))];
        }
        return x < CUT_AFTER_TRACK_BELOW ? CUT_AFTER_TRACK : CUT_AFTER_ARTIST;
    }
}
