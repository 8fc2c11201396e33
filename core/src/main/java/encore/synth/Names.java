package encore.synth;

import java.nio.charset.StandardCharsets;

/**
 * Word lists and the byte-level assembly of track, artist and album names.
 *
 * <p>Names are built straight into a {@link Bytes} scratch buffer as UTF-8, from pre-encoded words, so the catalogue
 * of a million tracks is made without building a String per name. The assembled (raw) name is then appended to an
 * arena in its CSV form by {@link #appendCsvField}.
 */
final class Names {
    private Names() {}

    /** Title vocabulary: nouns, adjectives, verbs and small words, in title case. */
    private static final String WORD_TEXT = ""
            // nouns
            + "Love Heart Night Day Sun Moon Star Stars Sky Fire Rain River Ocean Sea Wave Waves Road Street City "
            + "Town Home House Room Door Window Light Shadow Shadows Dream Dreams Soul Mind Eyes Hands Blood Bones "
            + "Ghost Ghosts Angel Angels Devil Heaven Hell Paradise Summer Winter Autumn Spring Morning Evening "
            + "Midnight Dawn Dusk Storm Thunder Lightning Wind Snow Ice Stone Glass Gold Silver Diamond Diamonds "
            + "Mirror Mirrors Echo Echoes Silence Noise Song Songs Radio Television Machine Engine Train Plane Car "
            + "Highway Bridge Tower Castle Garden Forest Desert Island Mountain Valley Field Fields Flower Flowers "
            + "Rose Roses Tree Trees Bird Birds Wolf Wolves Tiger Lion Horse Horses Snake Dragon Butterfly Fox Raven "
            + "Crow Dog Cat Child Children Girl Girls Boy Boys Man Woman Lover Lovers Stranger Strangers Friend "
            + "Friends Enemy King Queen Prince Princess Soldier Sailor Hunter Thief Saint Sinner Preacher Doctor "
            + "Teacher Captain Baby Mother Father Brother Sister Family Kingdom Empire Nation World Planet Universe "
            + "Space Time Future Past Memory Memories Story Stories Secret Secrets Lies Truth Promise Promises Letter "
            + "Letters Words Name Names Voice Voices Kiss Touch Smile Tears Laughter Party Dance Disco Revolution War "
            + "Peace Freedom Hope Faith Fear Pain Desire Fever Sugar Honey Candy Cherry Wine Whiskey Coffee Bread "
            + "Money Dollar Velvet Satin Leather Steel Iron Chrome Neon Machine Circus Carnival Parade Harbor Station "
            + "Airport Hotel Motel Church Chapel Prison School Factory Garage Basement Attic Kitchen Bedroom Balcony "
            + "Rooftop Alley Corner Avenue Boulevard Canyon Cliff Shore Beach Harbour Lake Pond Swamp Jungle Meadow "
            + "Orchard Vineyard Ashes Dust Smoke Flame Flames Spark Sparks Ember Embers Heartbeat Pulse Skin Lips "
            + "Tongue Teeth Spine Wings Feathers Horns Crown Throne Sword Shield Arrow Gun Bullet Knife Rope Chain "
            + "Chains Key Keys Lock Clock Calendar Photograph Postcard Telephone Guitar Piano Drum Drums Violin Trumpet "
            + "Saxophone Melody Rhythm Harmony Chorus Anthem Ballad Lullaby Serenade Symphony Blues Jazz Soul Gospel "
            + "Signal Satellite Rocket Comet Galaxy Orbit Gravity Horizon Sunset Sunrise Twilight Rainbow Cloud Clouds "
            + "Mist Fog Frost Tide Current Island Lantern Candle Torch Compass Map Anchor Ship Boat Harvest Seed "
            + "Roots Branches Leaves "
            // adjectives
            + "Blue Red Black White Green Golden Dark Bright Cold Warm Hot Wild Sweet Bitter Broken Lonely Lost "
            + "Happy Sad Crazy Strange Beautiful Young Old New Last First Little Big Long Deep Empty Hollow Heavy "
            + "Quiet Loud Slow Fast Sleepy Hidden Electric Silent Endless Eternal Faded Burning Falling Rising "
            + "Running Dancing Shining Fading Dying Living Waiting Talking Walking Breaking Holy Wicked Lucky Perfect "
            + "Simple Modern Ancient Northern Southern Western Eastern Tropical Sunday Monday Friday Saturday "
            + "Invisible Electric Magnetic Atomic Cosmic Digital Analog Plastic Paper Crystal Liquid Frozen Naked "
            + "Restless Reckless Careless Fearless Hopeless Helpless Useless Brave Proud Gentle Tender Cruel Savage "
            + "Royal Secret Sacred Sinful Lazy Dirty Pretty Ugly Lovely Lonesome Precious Dangerous Delicate "
            // verbs
            + "Run Fall Rise Fly Dance Sing Cry Shine Burn Break Hold Stay Leave Come Go Wait Remember Forget Believe "
            + "Breathe Wake Sleep Follow Chase Hide Seek Find Lose Save Feel Take Give Tell Show Turn Move Shake Keep "
            + "Call Hate Need Want Say Know Walk Drive Ride Swim Float Sink Drown Fight Pray Heal Change Scream "
            + "Whisper Shout Explode Collide Surrender Escape Return Begin Forgive "
            // small words
            + "The My Your Our His Her Their Of In On At To For With Without Into From Under Over Beyond Behind "
            + "Inside Outside All No Not And Me You We Us Them It I Oh Yeah Again Tonight Forever Never Always "
            + "Away Down Up Back Now Here There Alone Together Goodbye Hello Tomorrow Yesterday";

    /** Non-ASCII words: Latin with diacritics, Cyrillic, Greek and Japanese. */
    private static final String ACCENT_TEXT = "Café Über Noël Mañana Corazón Canción Déjà Naïve Straße Größe Fjørd "
            + "Sørlandet Ångest Schön Müde Été Rêve Fièvre Señorita Niño Açaí Crème Brûlée Smörgåsbord Köln Zürich "
            + "Kraków Łódź Škoda Čokoláda Ærø Øresund Íslenska Jalapeño Piñata Любовь Ночь Зима Город Весна Небо "
            + "Звезда Москва Ελπίδα Θάλασσα Αγάπη 夜 東京 さくら 夢 雨 ありがとう 大阪 星空 İstanbul Straßenbahn";

    /** Emoji outside the Basic Multilingual Plane (four UTF-8 bytes, a surrogate pair in Java). */
    private static final String EMOJI_TEXT = "\uD83C\uDFB8 \uD83C\uDF19 \uD83D\uDD25 \uD83D\uDC94 \uD83C\uDFB6";

    private static final String FIRST_TEXT = "Anna Ben Clara David Emma Felix Grace Henry Iris Jack Kate Leo Mia Noah "
            + "Olivia Paul Quinn Rosa Sam Tara Victor Wendy Xavier Yara Zoe Adam Bella Carl Daisy Ethan Fiona George "
            + "Hannah Isaac Julia Kevin Laura Marcus Nina Oscar Petra Ruben Sofia Thomas Ulla Vera William Lena Max "
            + "Elliott Jasmine Ravi Aiko Kenji Mei Chen Omar Layla Diego Lucia Marco Elena Ivan Olga Sven Astrid";

    private static final String LAST_TEXT = "Miller Novak Okafor Tanaka Rossi Jensen Silva Kowalski Moreau Park Smith "
            + "Brown Taylor Wilson Evans Walker Wright Hughes Carter Turner Bell Cooper Ward Morgan Reed Hayes Grant "
            + "Stone Fox Black White Young King Green Hill Wood Hart Lane Frost Nash Cole Banks Cross Dean Fisher "
            + "Lindqvist Andersson Nakamura Yamamoto Ivanova Petrov Costa Santos Ferreira Moretti Romano Bauer Weber "
            + "Schmidt Wagner Becker Hoffmann Dubois Laurent Lefebvre Garcia Lopez Martinez Nguyen Kim Singh Patel";

    private static final String ACCENT_LAST_TEXT = "Müller Søndergaard Pérez Jürgensen Björk Dvořák Håkansson "
            + "Gómez Núñez Łukaszewski Čapek Özdemir Þórsson Ødegård Ибрагимов Соколова 山田 佐藤";

    /** Titles that many different artists use. */
    private static final String[] SHARED = {
        "Intro",
        "Outro",
        "Home",
        "Untitled",
        "Interlude",
        "Prelude",
        "Reprise",
        "Hidden Track",
        "Stay",
        "Forever",
        "Tonight",
        "Hold On",
        "Angel",
        "Paradise",
        "Lullaby",
        "Skit",
        "Overture",
        "Epilogue",
        "Heaven",
        "Hurt",
        "Closer",
        "Breathe",
        "Falling",
        "Alone",
        "Run",
        "Silence",
        "Dreams",
        "Goodbye",
        "Hello",
        "Home Again"
    };

    private static final String[] SUFFIX = {
        " (Live)",
        " (Remix)",
        " (Acoustic)",
        " (Demo)",
        " (Radio Edit)",
        " (Remastered)",
        " (Instrumental)",
        " (Extended Mix)",
        " Pt. 1",
        " Pt. 2",
        " Pt. 3",
        " (Reprise)",
        " (Bonus Track)",
        " - Live",
        " (Single Version)",
        " (Mono)",
        " (Club Mix)",
        " (Unplugged)"
    };

    private static final String[] ALBUM_SPECIAL = {
        "Greatest Hits",
        "B-Sides",
        "Live",
        "Demos",
        "Rarities",
        "Unplugged",
        "The Best Of",
        "Singles",
        "Anthology",
        "Collected Works",
        "Live in Berlin",
        "Live at the Roxy",
        "Sessions",
        "Remixes",
        "Early Recordings"
    };

    private static final String[] ALBUM_SUFFIX = {
        " Vol. 1", " Vol. 2", " Vol. 3", " (Deluxe Edition)", " (Remastered)", " (Expanded Edition)", " EP", " (Live)"
    };

    private static final String[] ARTIST_PREFIX = {"DJ ", "MC ", "Lil ", "Los ", "Les ", "Die "};

    static final byte[][] WORDS = encodeWords(WORD_TEXT);
    static final byte[][] ACCENT = encodeWords(ACCENT_TEXT);
    static final byte[][] EMOJI = encodeWords(EMOJI_TEXT);
    static final byte[][] FIRST = encodeWords(FIRST_TEXT);
    static final byte[][] LAST = encodeWords(LAST_TEXT);
    static final byte[][] ACCENT_LAST = encodeWords(ACCENT_LAST_TEXT);
    static final byte[][] SHARED_TITLES = encodeAll(SHARED);
    static final byte[][] SUFFIXES = encodeAll(SUFFIX);
    static final byte[][] ALBUM_SPECIALS = encodeAll(ALBUM_SPECIAL);
    static final byte[][] ALBUM_SUFFIXES = encodeAll(ALBUM_SUFFIX);
    static final byte[][] ARTIST_PREFIXES = encodeAll(ARTIST_PREFIX);

    private static final byte[] THE = utf8("The ");
    private static final byte[] AND = utf8(" & ");
    private static final byte[] AND_THE = utf8(" & the ");
    private static final byte[] COMMA = utf8(", ");
    private static final byte[] SINGLE = utf8(" - Single");

    // Rates of the catalogue's own dirt (per name).
    static final double SHARED_TITLE_RATE = 0.02;
    static final double ACCENT_WORD_RATE = 0.012;
    static final double EMOJI_RATE = 0.001;
    static final double COMMA_RATE = 0.005;
    static final double QUOTE_RATE = 0.003;
    static final double SPACE_RATE = 0.0015;
    static final double SUFFIX_RATE = 0.06;

    private static byte[][] encodeWords(String text) {
        return encodeAll(
                new java.util.LinkedHashSet<>(java.util.List.of(text.trim().split(" +"))).toArray(new String[0]));
    }

    private static byte[][] encodeAll(String[] words) {
        byte[][] out = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            out[i] = utf8(words[i]);
        }
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] pick(SplitMix r, byte[][] list) {
        return list[r.nextInt(list.length)];
    }

    /** A title word: usually from the main vocabulary, now and then a non-ASCII one. */
    private static byte[] word(SplitMix r) {
        return r.nextDouble() < ACCENT_WORD_RATE ? pick(r, ACCENT) : pick(r, WORDS);
    }

    /**
     * Appends {@code k} words separated by spaces; with small probabilities one separator becomes ", " (a name with a
     * comma) or one word is wrapped in double quotes.
     */
    private static void words(SplitMix r, Bytes out, int k) {
        int commaAt = k >= 2 && r.nextDouble() < COMMA_RATE ? 1 + r.nextInt(k - 1) : -1;
        int quoteAt = k >= 2 && r.nextDouble() < QUOTE_RATE ? r.nextInt(k) : -1;
        for (int j = 0; j < k; j++) {
            if (j > 0) {
                if (j == commaAt) {
                    out.add(COMMA);
                } else {
                    out.add((byte) ' ');
                }
            }
            if (j == quoteAt) {
                out.add((byte) '"');
                out.add(word(r));
                out.add((byte) '"');
            } else {
                out.add(word(r));
            }
        }
    }

    /** Rarely pads a name with a leading or a trailing space (kept exactly: a distinct label from the trimmed one). */
    private static void maybePad(SplitMix r, Bytes out, int start) {
        if (r.nextDouble() < SPACE_RATE) {
            if (r.nextDouble() < 0.5) {
                out.insert(start, (byte) ' ');
            } else {
                out.add((byte) ' ');
            }
        }
    }

    /** Appends a track title. */
    static void trackTitle(SplitMix r, Bytes out) {
        int start = out.length();
        if (r.nextDouble() < SHARED_TITLE_RATE) {
            out.add(pick(r, SHARED_TITLES));
            return;
        }
        double x = r.nextDouble();
        int k = x < 0.015 ? 1 : x < 0.10 ? 2 : x < 0.62 ? 3 : 4;
        words(r, out, k);
        if (r.nextDouble() < SUFFIX_RATE) {
            out.add(pick(r, SUFFIXES));
        }
        if (r.nextDouble() < EMOJI_RATE) {
            out.add((byte) ' ');
            out.add(pick(r, EMOJI));
        }
        maybePad(r, out, start);
    }

    /** Appends an artist name: a band ("The X Y", "X Y"), a person, a prefixed name, or a duo. */
    static void artistName(SplitMix r, Bytes out) {
        int start = out.length();
        double x = r.nextDouble();
        if (x < 0.30) {
            out.add(THE);
            words(r, out, 1 + r.nextInt(2));
        } else if (x < 0.55) {
            words(r, out, 1 + r.nextInt(3));
        } else if (x < 0.85) {
            out.add(pick(r, FIRST));
            out.add((byte) ' ');
            if (r.nextDouble() < QUOTE_RATE * 3) {
                out.add((byte) '"');
                out.add(word(r));
                out.add((byte) '"');
                out.add((byte) ' ');
            }
            out.add(r.nextDouble() < 0.04 ? pick(r, ACCENT_LAST) : pick(r, LAST));
        } else if (x < 0.93) {
            out.add(pick(r, ARTIST_PREFIXES));
            out.add(word(r));
        } else if (x < 0.93 + COMMA_RATE) {
            // "Earth, Wind & Fire" style
            out.add(word(r));
            out.add(COMMA);
            out.add(word(r));
            out.add(AND);
            out.add(word(r));
        } else {
            out.add(pick(r, FIRST));
            out.add(r.nextDouble() < 0.5 ? AND_THE : AND);
            out.add(word(r));
        }
        if (r.nextDouble() < EMOJI_RATE) {
            out.add((byte) ' ');
            out.add(pick(r, EMOJI));
        }
        maybePad(r, out, start);
    }

    /**
     * Appends an album name. Small releases are often named after their first track; some albums are self-titled,
     * some carry a stock name ("Greatest Hits"), the rest are made of words.
     *
     * @param firstTrackRaw the album's first track title (raw, unquoted)
     * @param artistRaw     the album's artist name (raw, unquoted)
     */
    static void albumName(SplitMix r, Bytes out, int size, Bytes firstTrackRaw, Bytes artistRaw) {
        int start = out.length();
        double x = r.nextDouble();
        if (size <= 2 && x < 0.6) {
            out.add(firstTrackRaw);
            if (r.nextDouble() < 0.3) {
                out.add(SINGLE);
            }
            return;
        }
        x = r.nextDouble();
        if (x < 0.15) {
            out.add(firstTrackRaw);
        } else if (x < 0.20) {
            out.add(artistRaw);
        } else if (x < 0.27) {
            out.add(pick(r, ALBUM_SPECIALS));
        } else {
            words(r, out, 1 + r.nextInt(3));
            if (r.nextDouble() < 0.04) {
                out.add(pick(r, ALBUM_SUFFIXES));
            }
        }
        maybePad(r, out, start);
    }

    /** True when a raw field must be quoted in CSV (it holds a comma, a double quote, CR or LF). */
    static boolean needsQuotes(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = a[i];
            if (b == ',' || b == '"' || b == '\r' || b == '\n') {
                return true;
            }
        }
        return false;
    }

    /** Appends {@code raw[from, to)} to {@code out} as an RFC-4180 field: quoted, inner quotes doubled, if needed. */
    static void appendCsvField(byte[] raw, int from, int to, Bytes out) {
        if (!needsQuotes(raw, from, to)) {
            out.add(raw, from, to - from);
            return;
        }
        out.add((byte) '"');
        for (int i = from; i < to; i++) {
            byte b = raw[i];
            if (b == '"') {
                out.add((byte) '"');
            }
            out.add(b);
        }
        out.add((byte) '"');
    }

    /** Appends the raw value of a CSV field {@code csv[from, to)} (undoing the quoting) to {@code out}. */
    static void appendUnquoted(byte[] csv, int from, int to, Bytes out) {
        if (to - from >= 2 && csv[from] == '"') {
            for (int i = from + 1; i < to - 1; i++) {
                byte b = csv[i];
                out.add(b);
                if (b == '"') {
                    i++; // skip the second quote of a doubled pair
                }
            }
        } else {
            out.add(csv, from, to - from);
        }
    }

    /** The raw value of a CSV field as a String. */
    static String unquote(byte[] csv, int from, int to) {
        Bytes b = new Bytes(to - from);
        appendUnquoted(csv, from, to, b);
        return new String(b.array(), 0, b.length(), StandardCharsets.UTF_8);
    }
}
