package encore.internal;

/** Bit mixing shared by the splitter, the generator and the trainer's per-entity random streams. Not API. */
public final class Hashing {
    private Hashing() {}

    /**
     * The SplitMix64 (Stafford "mix13") finaliser: a bijective, well-avalanching 64-bit mix. Every stream and hash
     * derived from it is fixed by this definition, so files and factors are the same on every JDK.
     */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
