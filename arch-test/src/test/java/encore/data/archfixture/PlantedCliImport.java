package encore.data.archfixture;

import encore.cli.EncoreCli;

/** Breaks "only cli imports cli" (and "core imports no ... cli"). */
public final class PlantedCliImport {
    public EncoreCli cli;
}
