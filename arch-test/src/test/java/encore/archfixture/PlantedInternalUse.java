package encore.archfixture;

import encore.internal.Hashing;

/** Breaks "encore.internal only from Encore's modules": {@code encore.archfixture} belongs to no Encore module. */
public final class PlantedInternalUse {
    public long mix(long x) {
        return Hashing.mix64(x);
    }
}
