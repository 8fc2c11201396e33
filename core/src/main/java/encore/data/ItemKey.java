package encore.data;

/**
 * Which column(s) identify an item. The Spark ALS recipe counts plays per (user, {@code track}); because track titles are
 * not unique ("Intro", "Home" by many artists), {@link #ARTIST_TRACK} keeps same-titled tracks of different artists
 * apart.
 */
public enum ItemKey {
    /** The track title alone (what the Spark ALS recipe does). */
    TRACK("track"),
    /** Artist and track title, joined by a TAB ({@link #ARTIST_TRACK_SEPARATOR}): "artist\ttrack". */
    ARTIST_TRACK("artist-track"),
    /** The artist name. */
    ARTIST("artist"),
    /** The album title. */
    ALBUM("album");

    /** Joins artist and track in {@link #ARTIST_TRACK} labels; a TAB cannot be confused with a printable name. */
    public static final char ARTIST_TRACK_SEPARATOR = '\t';

    private final String cliName;

    ItemKey(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line. */
    public String cliName() {
        return cliName;
    }

    /** Parses a command-line name ({@code track}, {@code artist-track}, {@code artist}, {@code album}). */
    public static ItemKey parse(String name) {
        for (ItemKey k : values()) {
            if (k.cliName.equalsIgnoreCase(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException(
                "unknown item key '" + name + "': expected track, artist-track, artist or album");
    }

    /** The item label of a row whose track/artist/album are non-empty. */
    String label(String track, String artist, String album) {
        switch (this) {
            case TRACK:
                return track;
            case ARTIST_TRACK:
                return artist + ARTIST_TRACK_SEPARATOR + track;
            case ARTIST:
                return artist;
            default:
                return album;
        }
    }
}
