package encore.synth;

import java.util.Arrays;

/**
 * The fixed catalogue: genres, artists, albums and tracks, their names (pre-encoded as CSV fields in UTF-8) and, per
 * genre, an alias table for O(1) Zipf sampling.
 *
 * <p>Track ids are ordered by genre, then by decreasing popularity inside the genre: the tracks of genre {@code g} are
 * {@code genreStart[g] .. genreStart[g + 1]}, the most popular first. A popularity draw therefore returns an id
 * directly, and the popular head of every genre, which most draws hit, is contiguous in memory. The tracks of an
 * album are linked by {@link #nextInAlbum}.
 *
 * <p>For speed, every track also has its whole row tail pre-rendered: {@code track,artist,album\n} as CSV bytes, so a
 * clean row is the user label, the date and one copy. Dirty rows cut that tail at its field boundaries.
 */
final class Catalog {
    /** Exponent of the Zipf law over popularity ranks inside a genre. */
    static final double ZIPF_S = 0.9;
    /** Offset of the Zipf law: {@code p(rank r) ~ (r + ZIPF_Q)^-ZIPF_S} for r = 1, 2, ... */
    static final double ZIPF_Q = 2.0;
    /** Exponent of genre popularity: genre g has weight {@code (g + 6)^-GENRE_S}. */
    static final double GENRE_S = 0.6;

    private static final long SALT = 0x6361_7461_6c6f_6775L; // "catalogu"
    private static final long SALT_TITLE = 0x7469_746c_6573_2121L; // "titles!!"

    final int tracks;
    final int artists;
    final int albums;
    final int genres;

    final int[] trackAlbum;
    final int[] trackArtist;
    /** The next track of the same album, or -1 after its last track. */
    final int[] nextInAlbum;
    final int[] albumArtist;
    final int[] artistGenre;

    /** Row tails: {@code tails[tailOff[t], tailOff[t + 1])} is {@code track,artist,album\n}, CSV-encoded. */
    final byte[] tails;
    final int[] tailOff;

    /** Genre popularity as a cumulative distribution (last entry 1). */
    final double[] genreCdf;
    /** Tracks of genre g, by decreasing popularity, are the ids {@code genreStart[g] .. genreStart[g + 1]}. */
    final int[] genreStart;
    /**
     * Alias table over track ids, one long per slot so a draw touches one cache line: the high 32 bits are the
     * probability of keeping the slot as an unsigned 32-bit fraction, the low 32 bits the alias (local to the genre).
     */
    final long[] alias;

    /** Longest row tail in bytes. */
    final int maxTailLen;
    /** Mean row-tail length over tracks (for buffer sizing). */
    final double meanTailLen;

    Catalog(GeneratorConfig c) {
        tracks = c.tracks();
        artists = c.artists();
        genres = c.genres();
        SplitMix r = SplitMix.stream(c.seed(), SALT, 0);

        // Genre popularity.
        genreCdf = new double[genres];
        double sum = 0;
        for (int g = 0; g < genres; g++) {
            sum += DMath.pow(g + 6.0, -GENRE_S);
            genreCdf[g] = sum;
        }
        for (int g = 0; g < genres; g++) {
            genreCdf[g] /= sum;
        }
        genreCdf[genres - 1] = 1.0;

        // Artists: a genre each (the first `genres` artists cover every genre once), a popularity and a size.
        artistGenre = new int[artists];
        double[] artistPop = new double[artists];
        double[] artistSize = new double[artists];
        double sizeSum = 0;
        for (int a = 0; a < artists; a++) {
            artistGenre[a] = a < genres ? a : sampleCdf(genreCdf, r.nextDouble());
            double z = clampZ(r.nextGaussian());
            artistPop[a] = DMath.exp(1.5 * z);
            // Popular artists tend to have more tracks in the catalogue.
            artistSize[a] = DMath.exp(0.9 * clampZ(r.nextGaussian()) + 0.375 * z);
            sizeSum += artistSize[a];
        }
        int[] artistTracks = new int[artists];
        long extra = (long) tracks - artists;
        long assigned = 0;
        for (int a = 0; a < artists; a++) {
            artistTracks[a] = 1 + (int) Math.floor(extra * artistSize[a] / sizeSum);
            assigned += artistTracks[a];
        }
        for (int a = 0; assigned < tracks; a = (a + 1) % artists) {
            artistTracks[a]++;
            assigned++;
        }
        artistSize = null;

        // Albums and tracks, consecutive per artist in this first ("release") numbering.
        int[] relAlbum = new int[tracks];
        int[] relArtist = new int[tracks];
        float[] weight = new float[tracks];
        int[] albumArtistTmp = new int[Math.max(16, tracks / 4)];
        int[] albumFirstTmp = new int[albumArtistTmp.length];
        int nAlbums = 0;
        int t = 0;
        for (int a = 0; a < artists; a++) {
            int left = artistTracks[a];
            while (left > 0) {
                double x = r.nextDouble();
                int size = x < 0.15 ? 1 + r.nextInt(2) : x < 0.30 ? 3 + r.nextInt(4) : 7 + r.nextInt(9);
                size = Math.min(size, left);
                if (nAlbums == albumArtistTmp.length) {
                    albumArtistTmp = Arrays.copyOf(albumArtistTmp, nAlbums * 2);
                    albumFirstTmp = Arrays.copyOf(albumFirstTmp, nAlbums * 2);
                }
                albumArtistTmp[nAlbums] = a;
                albumFirstTmp[nAlbums] = t;
                double albumPop = DMath.exp(0.5 * clampZ(r.nextGaussian()));
                for (int i = 0; i < size; i++, t++) {
                    relAlbum[t] = nAlbums;
                    relArtist[t] = a;
                    double position = i == 0 ? 1.6 : i == 1 ? 1.3 : 1.0;
                    double w = artistPop[a] * albumPop * position * DMath.exp(0.8 * clampZ(r.nextGaussian()));
                    weight[t] = (float) Math.max(1e-30, Math.min(1e30, w));
                }
                nAlbums++;
                left -= size;
            }
        }
        albums = nAlbums;
        albumArtist = Arrays.copyOf(albumArtistTmp, nAlbums);
        int[] albumFirstRel = Arrays.copyOf(albumFirstTmp, nAlbums);
        albumArtistTmp = null;
        albumFirstTmp = null;
        artistPop = null;

        // Renumber: by genre, then by decreasing weight (ties by release id). relOf[id] is the release id of id.
        genreStart = new int[genres + 1];
        for (int i = 0; i < tracks; i++) {
            genreStart[artistGenre[relArtist[i]] + 1]++;
        }
        for (int g = 0; g < genres; g++) {
            genreStart[g + 1] += genreStart[g];
        }
        long[] keys = new long[tracks];
        int[] fill = Arrays.copyOf(genreStart, genres);
        for (int i = 0; i < tracks; i++) {
            // Positive floats order like their bit patterns; the low half carries the release id.
            keys[fill[artistGenre[relArtist[i]]]++] = ((long) Float.floatToIntBits(weight[i]) << 32) | i;
        }
        weight = null;
        int[] relOf = new int[tracks];
        int[] idOf = new int[tracks];
        for (int g = 0; g < genres; g++) {
            int from = genreStart[g];
            int to = genreStart[g + 1];
            Arrays.sort(keys, from, to);
            for (int k = 0; k < to - from; k++) {
                int rel = (int) keys[to - 1 - k]; // rank k = k-th heaviest
                relOf[from + k] = rel;
                idOf[rel] = from + k;
            }
        }
        keys = null;
        trackAlbum = new int[tracks];
        trackArtist = new int[tracks];
        nextInAlbum = new int[tracks];
        for (int id = 0; id < tracks; id++) {
            int rel = relOf[id];
            trackAlbum[id] = relAlbum[rel];
            trackArtist[id] = relArtist[rel];
            nextInAlbum[id] = rel + 1 < tracks && relAlbum[rel + 1] == relAlbum[rel] ? idOf[rel + 1] : -1;
        }
        relAlbum = null;
        relArtist = null;

        // Zipf probabilities by rank inside each genre, as alias tables.
        alias = new long[tracks];
        int maxGenre = 0;
        for (int g = 0; g < genres; g++) {
            maxGenre = Math.max(maxGenre, genreStart[g + 1] - genreStart[g]);
        }
        double[] p = new double[maxGenre];
        int[] small = new int[maxGenre];
        int[] large = new int[maxGenre];
        for (int g = 0; g < genres; g++) {
            int n = genreStart[g + 1] - genreStart[g];
            double z = 0;
            for (int k = 0; k < n; k++) {
                p[k] = DMath.pow(k + 1 + ZIPF_Q, -ZIPF_S);
                z += p[k];
            }
            buildAlias(p, n, z, genreStart[g], small, large);
        }
        p = null;
        small = null;
        large = null;

        // Names, each CSV-encoded once. A track's title comes from its own stream (seed, release id), so a release
        // named after its first track can regenerate that title, and the row tails can be written in one pass in id
        // order without an intermediate array of titles.
        Bytes scratch = new Bytes(256);
        Bytes arena = new Bytes(Math.max(64, artists * 16));
        int[] artistOff = new int[artists + 1];
        for (int a = 0; a < artists; a++) {
            scratch.clear();
            Names.artistName(r, scratch);
            Names.appendCsvField(scratch.array(), 0, scratch.length(), arena);
            artistOff[a + 1] = arena.length();
        }
        byte[] artistNames = arena.toArray();

        arena = new Bytes(Math.max(64, nAlbums * 18));
        int[] albumOff = new int[nAlbums + 1];
        Bytes first = new Bytes(128);
        Bytes artist = new Bytes(128);
        for (int al = 0; al < nAlbums; al++) {
            int ft = albumFirstRel[al];
            int size = (al + 1 < nAlbums ? albumFirstRel[al + 1] : tracks) - ft;
            first.clear();
            Names.trackTitle(SplitMix.stream(c.seed(), SALT_TITLE, ft), first);
            int a = albumArtist[al];
            artist.clear();
            Names.appendUnquoted(artistNames, artistOff[a], artistOff[a + 1], artist);
            scratch.clear();
            Names.albumName(r, scratch, size, first, artist);
            Names.appendCsvField(scratch.array(), 0, scratch.length(), arena);
            albumOff[al + 1] = arena.length();
        }
        byte[] albumNames = arena.toArray();
        arena = null;

        // Row tails in id order: title, artist, album, line feed.
        long estimate = 0;
        for (int id = 0; id < tracks; id++) {
            int a = trackArtist[id];
            int al = trackAlbum[id];
            estimate += (artistOff[a + 1] - artistOff[a]) + (albumOff[al + 1] - albumOff[al]) + 3 + 28;
        }
        Bytes out = new Bytes((int) Math.min(Integer.MAX_VALUE - 16, estimate));
        tailOff = new int[tracks + 1];
        int maxTail = 0;
        for (int id = 0; id < tracks; id++) {
            int a = trackArtist[id];
            int al = trackAlbum[id];
            int start = out.length();
            scratch.clear();
            Names.trackTitle(SplitMix.stream(c.seed(), SALT_TITLE, relOf[id]), scratch);
            if ((long) start + scratch.length() * 2L + 4 + (artistOff[a + 1] - artistOff[a])
                    + (albumOff[al + 1] - albumOff[al]) > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("catalogue too large: over 2 GiB of names for " + tracks
                        + " tracks; use fewer tracks");
            }
            Names.appendCsvField(scratch.array(), 0, scratch.length(), out);
            out.add((byte) ',');
            out.add(artistNames, artistOff[a], artistOff[a + 1] - artistOff[a]);
            out.add((byte) ',');
            out.add(albumNames, albumOff[al], albumOff[al + 1] - albumOff[al]);
            out.add((byte) '\n');
            tailOff[id + 1] = out.length();
            maxTail = Math.max(maxTail, out.length() - start);
        }
        // Keep the builder's array unless the slack is large (a copy of ~60 MB costs time and doubles the peak).
        tails = out.array().length - out.length() > out.length() / 4 ? out.toArray() : out.array();
        maxTailLen = maxTail;
        meanTailLen = (double) out.length() / tracks;
    }

    /**
     * End of the CSV field starting at {@code from} in {@code a} (the index of the ',' or '\n' after it): a quoted field
     * runs to its closing quote, an unquoted one to the next separator.
     */
    static int fieldEnd(byte[] a, int from) {
        int i = from;
        if (a[i] == '"') {
            i++;
            while (true) {
                if (a[i] == '"') {
                    if (a[i + 1] == '"') {
                        i += 2;
                        continue;
                    }
                    return i + 1;
                }
                i++;
            }
        }
        while (a[i] != ',' && a[i] != '\n') {
            i++;
        }
        return i;
    }

    /** Field {@code f} (0 track, 1 artist, 2 album) of track {@code t}'s tail, as its raw (unquoted) String. */
    String field(int t, int f) {
        int from = tailOff[t];
        for (int k = 0; k < f; k++) {
            from = fieldEnd(tails, from) + 1;
        }
        return Names.unquote(tails, from, fieldEnd(tails, from));
    }

    /** Vose's alias method over {@code p[0, n)} (unnormalised, total {@code z}); writes at {@code base}. */
    private void buildAlias(double[] p, int n, double z, int base, int[] small, int[] large) {
        int ns = 0;
        int nl = 0;
        for (int k = 0; k < n; k++) {
            p[k] = p[k] * n / z;
            if (p[k] < 1.0) {
                small[ns++] = k;
            } else {
                large[nl++] = k;
            }
        }
        while (ns > 0 && nl > 0) {
            int s = small[--ns];
            int l = large[--nl];
            alias[base + s] = aliasEntry(p[s], l);
            p[l] = (p[l] + p[s]) - 1.0;
            if (p[l] < 1.0) {
                small[ns++] = l;
            } else {
                large[nl++] = l;
            }
        }
        while (nl > 0) {
            int l = large[--nl];
            alias[base + l] = aliasEntry(1.0, l);
        }
        while (ns > 0) { // only rounding leftovers
            int s = small[--ns];
            alias[base + s] = aliasEntry(1.0, s);
        }
    }

    /** Packs a keep-probability (as a 32-bit fraction, saturating) and an alias slot. */
    private static long aliasEntry(double keep, int aliasSlot) {
        long threshold = (long) Math.min(4294967295.0, Math.floor(keep * 4294967296.0));
        return (threshold << 32) | (aliasSlot & 0xffffffffL);
    }

    /**
     * A track of genre {@code g} drawn by Zipf popularity from 64 random bits: the high half picks a slot, the low
     * half decides between the slot and its alias.
     */
    int sampleTrack(int g, long bits) {
        int from = genreStart[g];
        long n = genreStart[g + 1] - from;
        int k = (int) (((bits >>> 32) * n) >>> 32);
        long e = alias[from + k];
        if ((bits & 0xffffffffL) >= (e >>> 32)) {
            k = (int) e;
        }
        return from + k;
    }

    /** A genre drawn by genre popularity. */
    int sampleGenre(double u) {
        return sampleCdf(genreCdf, u);
    }

    static int sampleCdf(double[] cdf, double u) {
        int lo = 0;
        int hi = cdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (u < cdf[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private static double clampZ(double z) {
        return Math.max(-5.0, Math.min(5.0, z));
    }

    int genreOfTrack(int track) {
        return artistGenre[trackArtist[track]];
    }
}
