package encore.eval.archfixture;

import encore.synth.archfixture.PlantedCycleB;

/** With PlantedCycleB, a cycle encore.eval ⇄ encore.synth (and encore.eval.archfixture ⇄ encore.synth.archfixture). */
public final class PlantedCycleA {
    public PlantedCycleB b;
}
