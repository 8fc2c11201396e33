package encore.pipeline.archfixture;

import picocli.CommandLine;

/** Breaks "picocli only in cli". */
public final class PlantedPicocliImport {
    public CommandLine commandLine;
}
