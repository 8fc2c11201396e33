package encore.archfixture;

/** Planted: a method with eight parameters, which the parameter-count rule must report. */
public final class PlantedLongParameterList {
    private PlantedLongParameterList() {}

    static int sum(int a, int b, int c, int d, int e, int f, int g, int h) {
        return a + b + c + d + e + f + g + h;
    }
}
