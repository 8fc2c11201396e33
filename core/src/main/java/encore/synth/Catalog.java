package encore.synth;

import java.util.Arrays;

/**
 * The fixed catalogue: genres, artists, albums and tracks, their names (pre-encoded as CSV fields in UTF-8, see
 * {@link RowTails}) and, per genre, an alias table for O(1) Zipf sampling. The model is described in
 * {@code docs/generator.md}, "Catalogue"; the constructor builds it in phases, one method each, in the order of the
 * draws on the catalogue's stream: genre popularity, artists, releases, the renumbering, the alias tables, the text.
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

    /** Builds the catalogue of {@code c}; every draw comes from streams of {@code c.seed()}. */
    Catalog(GeneratorConfig c) {
        tracks = c.tracks();
        artists = c.artists();
        genres = c.genres();
        SplitMix r = SplitMix.stream(c.seed(), SALT, 0);

        genreCdf = genrePopularity(genres);
        artistGenre = new int[artists];
        double[] artistPop = new double[artists];
        int[] artistTracks = drawArtists(r, artistPop);
        Releases rel = drawReleases(r, artistTracks, artistPop);
        albums = rel.count;
        albumArtist = Arrays.copyOf(rel.albumArtist, rel.count);
        int[] albumFirstRel = Arrays.copyOf(rel.albumFirst, rel.count);
        rel.albumArtist = null;
        rel.albumFirst = null;

        genreStart = new int[genres + 1];
        trackAlbum = new int[tracks];
        trackArtist = new int[tracks];
        nextInAlbum = new int[tracks];
        int[] relOf = renumber(rel);
        rel = null; // the release-order arrays can go before the names are built

        alias = new long[tracks];
        buildAliasTables();

        RowTails text = RowTails.render(this, c.seed(), r, albumFirstRel, relOf);
        tails = text.bytes;
        tailOff = text.off;
        maxTailLen = text.maxLen;
        meanTailLen = text.meanLen;
    }

    /** Genre popularity {@code π_g ∝ (g + 6)^-GENRE_S} as a cumulative distribution (last entry exactly 1). */
    private static double[] genrePopularity(int genres) {
        double[] cdf = new double[genres];
        double sum = 0;
        for (int g = 0; g < genres; g++) {
            sum += DMath.pow(g + 6.0, -GENRE_S);
            cdf[g] = sum;
        }
        for (int g = 0; g < genres; g++) {
            cdf[g] /= sum;
        }
        cdf[genres - 1] = 1.0;
        return cdf;
    }

    /**
     * Artists: a genre each in {@link #artistGenre} (the first {@code genres} artists cover every genre once, the rest
     * drawn by genre popularity), a log-normal popularity {@code exp(1.5 Z)} into {@code artistPop} and a log-normal
     * size, mildly larger for popular artists. Returns each artist's track count: one each, the rest shared by size.
     */
    private int[] drawArtists(SplitMix r, double[] artistPop) {
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
        return artistTracks;
    }

    /**
     * Albums and tracks in the first ("release") numbering, where the tracks of an album, and the albums of an
     * artist, are consecutive. Arrays are dropped as soon as the next phase is done with them.
     */
    private static final class Releases {
        /** Album and artist of each track, by release id. */
        int[] album;

        int[] artist;
        /** Latent weight of each track, by release id. */
        float[] weight;
        /** Artist and first track of each album ({@code count} used, the rest is slack). */
        int[] albumArtist;

        int[] albumFirst;
        int count;
    }

    /**
     * Cuts each artist's tracks into releases: singles of 1–2 tracks (15 %), EPs of 3–6 (15 %), albums of 7–15
     * (70 %), the last one cut to the tracks left. A track weighs {@code a · b · c_pos · exp(0.8 Z)}: the artist's
     * popularity {@code a}, an album factor {@code b = exp(0.5 Z)}, and {@code c_pos} = 1.6, 1.3 for the first two
     * tracks of a release, 1 after.
     */
    private Releases drawReleases(SplitMix r, int[] artistTracks, double[] artistPop) {
        Releases rel = new Releases();
        rel.album = new int[tracks];
        rel.artist = new int[tracks];
        rel.weight = new float[tracks];
        rel.albumArtist = new int[Math.max(16, tracks / 4)];
        rel.albumFirst = new int[rel.albumArtist.length];
        int t = 0;
        for (int a = 0; a < artists; a++) {
            int left = artistTracks[a];
            while (left > 0) {
                double x = r.nextDouble();
                int size = x < 0.15 ? 1 + r.nextInt(2) : x < 0.30 ? 3 + r.nextInt(4) : 7 + r.nextInt(9);
                size = Math.min(size, left);
                int al = rel.count;
                if (al == rel.albumArtist.length) {
                    rel.albumArtist = Arrays.copyOf(rel.albumArtist, al * 2);
                    rel.albumFirst = Arrays.copyOf(rel.albumFirst, al * 2);
                }
                rel.albumArtist[al] = a;
                rel.albumFirst[al] = t;
                double albumPop = DMath.exp(0.5 * clampZ(r.nextGaussian()));
                for (int i = 0; i < size; i++, t++) {
                    rel.album[t] = al;
                    rel.artist[t] = a;
                    double position = i == 0 ? 1.6 : i == 1 ? 1.3 : 1.0;
                    double w = artistPop[a] * albumPop * position * DMath.exp(0.8 * clampZ(r.nextGaussian()));
                    rel.weight[t] = (float) Math.max(1e-30, Math.min(1e30, w));
                }
                rel.count++;
                left -= size;
            }
        }
        return rel;
    }

    /**
     * Renumbers the tracks by genre, then by decreasing weight (ties by release id), filling {@link #genreStart},
     * {@link #trackAlbum}, {@link #trackArtist} and {@link #nextInAlbum}. Returns {@code relOf}: the release id of
     * each track id.
     */
    private int[] renumber(Releases rel) {
        for (int i = 0; i < tracks; i++) {
            genreStart[artistGenre[rel.artist[i]] + 1]++;
        }
        for (int g = 0; g < genres; g++) {
            genreStart[g + 1] += genreStart[g];
        }
        long[] keys = new long[tracks];
        int[] fill = Arrays.copyOf(genreStart, genres);
        for (int i = 0; i < tracks; i++) {
            // Positive floats order like their bit patterns; the low half carries the release id.
            keys[fill[artistGenre[rel.artist[i]]]++] = ((long) Float.floatToIntBits(rel.weight[i]) << 32) | i;
        }
        rel.weight = null;
        int[] relOf = new int[tracks];
        int[] idOf = new int[tracks];
        for (int g = 0; g < genres; g++) {
            int from = genreStart[g];
            int to = genreStart[g + 1];
            Arrays.sort(keys, from, to);
            for (int k = 0; k < to - from; k++) {
                int id = (int) keys[to - 1 - k]; // rank k = k-th heaviest
                relOf[from + k] = id;
                idOf[id] = from + k;
            }
        }
        keys = null;
        for (int id = 0; id < tracks; id++) {
            int r = relOf[id];
            trackAlbum[id] = rel.album[r];
            trackArtist[id] = rel.artist[r];
            nextInAlbum[id] = r + 1 < tracks && rel.album[r + 1] == rel.album[r] ? idOf[r + 1] : -1;
        }
        return relOf;
    }

    /** The Zipf–Mandelbrot law {@code P(rank r) ∝ (r + ZIPF_Q)^-ZIPF_S} inside each genre, as alias tables. */
    private void buildAliasTables() {
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
    }

    /**
     * End of the CSV field starting at {@code from} in {@code a} (the index of the ',' or '\n' after it): a quoted
     * field runs to its closing quote, an unquoted one to the next separator.
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
