package encore.synth.archfixture;

import encore.eval.archfixture.PlantedCycleA;

/** The other half of PlantedCycleA's cycle. */
public final class PlantedCycleB {
    public PlantedCycleA a;
}
