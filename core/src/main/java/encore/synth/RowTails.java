package encore.synth;

/**
 * The text of a {@link Catalog}: artist and album names, each CSV-encoded once, and every track's pre-rendered row
 * tail {@code track,artist,album\n} in track id order, so that {@link RowWriter} renders a clean row with one copy.
 *
 * <p>A track's title comes from its own stream {@code (seed, SALT_TITLE, release id)}, so an album named after its
 * first track can regenerate that title, and the tails can be written in one pass in id order without an array of
 * titles. Artist and album names come, in that order, from the catalogue's main stream, after its structure.
 */
final class RowTails {
    private static final long SALT_TITLE = 0x7469_746c_6573_2121L; // "titles!!"

    /** The tails: {@code bytes[off[t], off[t + 1])} is track t's. */
    final byte[] bytes;

    final int[] off;
    /** Longest tail in bytes. */
    final int maxLen;
    /** Mean tail length over tracks (for buffer sizing). */
    final double meanLen;

    private RowTails(byte[] bytes, int[] off, int maxLen, double meanLen) {
        this.bytes = bytes;
        this.off = off;
        this.maxLen = maxLen;
        this.meanLen = meanLen;
    }

    /** Artist and album names, CSV-encoded: artist {@code a} is {@code artistNames[artistOff[a], artistOff[a + 1])}. */
    private record NameArena(byte[] artistNames, int[] artistOff, byte[] albumNames, int[] albumOff) {
        int artistLen(int a) {
            return artistOff[a + 1] - artistOff[a];
        }

        int albumLen(int al) {
            return albumOff[al + 1] - albumOff[al];
        }
    }

    /**
     * Names the artists and albums of {@code cat} from {@code r}, then renders the tails. {@code cat} is still being
     * built: its structure (artists, albums, {@code trackArtist}, {@code trackAlbum}, {@code albumArtist}) is final,
     * its text not yet. {@code albumFirstRel[al]} is the release id of album al's first track; {@code relOf[id]} the
     * release id of track id.
     */
    static RowTails render(Catalog cat, long seed, SplitMix r, int[] albumFirstRel, int[] relOf) {
        NameArena names = encodeNames(cat, seed, r, albumFirstRel);
        int[] off = new int[cat.tracks + 1];
        Bytes out = new Bytes((int) Math.min(Integer.MAX_VALUE - 16, bytesEstimate(cat, names)));
        int maxLen = renderTails(cat, seed, names, relOf, out, off);
        // Keep the builder's array unless the slack is large (a copy of ~60 MB costs time and doubles the peak).
        byte[] bytes = out.array().length - out.length() > out.length() / 4 ? out.toArray() : out.array();
        return new RowTails(bytes, off, maxLen, (double) out.length() / cat.tracks);
    }

    /** The artists' names, then the albums' (an album may be named after its first track or its artist). */
    private static NameArena encodeNames(Catalog cat, long seed, SplitMix r, int[] albumFirstRel) {
        Bytes scratch = new Bytes(256);
        Bytes arena = new Bytes(Math.max(64, cat.artists * 16));
        int[] artistOff = new int[cat.artists + 1];
        for (int a = 0; a < cat.artists; a++) {
            scratch.clear();
            Names.artistName(r, scratch);
            Names.appendCsvField(scratch.array(), 0, scratch.length(), arena);
            artistOff[a + 1] = arena.length();
        }
        byte[] artistNames = arena.toArray();

        int albums = cat.albums;
        arena = new Bytes(Math.max(64, albums * 18));
        int[] albumOff = new int[albums + 1];
        Bytes first = new Bytes(128);
        Bytes artist = new Bytes(128);
        for (int al = 0; al < albums; al++) {
            int ft = albumFirstRel[al];
            int size = (al + 1 < albums ? albumFirstRel[al + 1] : cat.tracks) - ft;
            first.clear();
            Names.trackTitle(SplitMix.stream(seed, SALT_TITLE, ft), first);
            int a = cat.albumArtist[al];
            artist.clear();
            Names.appendUnquoted(artistNames, artistOff[a], artistOff[a + 1], artist);
            scratch.clear();
            Names.albumName(r, scratch, size, first, artist);
            Names.appendCsvField(scratch.array(), 0, scratch.length(), arena);
            albumOff[al + 1] = arena.length();
        }
        return new NameArena(artistNames, artistOff, arena.toArray(), albumOff);
    }

    /** Bytes of all tails, about: the artist and album names, three separators and ~28 bytes of title. */
    private static long bytesEstimate(Catalog cat, NameArena names) {
        long estimate = 0;
        for (int id = 0; id < cat.tracks; id++) {
            estimate += names.artistLen(cat.trackArtist[id]) + names.albumLen(cat.trackAlbum[id]) + 3 + 28;
        }
        return estimate;
    }

    /**
     * Writes the tails in id order into {@code out} (title, artist, album, line feed) and their end offsets into
     * {@code off[1..]}; returns the longest tail's length.
     */
    private static int renderTails(Catalog cat, long seed, NameArena names, int[] relOf, Bytes out, int[] off) {
        Bytes scratch = new Bytes(256);
        int maxTail = 0;
        for (int id = 0; id < cat.tracks; id++) {
            int a = cat.trackArtist[id];
            int al = cat.trackAlbum[id];
            int start = out.length();
            scratch.clear();
            Names.trackTitle(SplitMix.stream(seed, SALT_TITLE, relOf[id]), scratch);
            if ((long) start + scratch.length() * 2L + 4 + names.artistLen(a) + names.albumLen(al)
                    > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException(
                        "catalogue too large: over 2 GiB of names for " + cat.tracks + " tracks; use fewer tracks");
            }
            Names.appendCsvField(scratch.array(), 0, scratch.length(), out);
            out.add((byte) ',');
            out.add(names.artistNames(), names.artistOff()[a], names.artistLen(a));
            out.add((byte) ',');
            out.add(names.albumNames(), names.albumOff()[al], names.albumLen(al));
            out.add((byte) '\n');
            off[id + 1] = out.length();
            maxTail = Math.max(maxTail, out.length() - start);
        }
        return maxTail;
    }
}
