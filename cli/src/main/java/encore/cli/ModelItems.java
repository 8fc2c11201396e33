package encore.cli;

import encore.als.AlsModel;

/** Item labels given on the command line, looked up in a model with one wording for every command. */
final class ModelItems {
    private ModelItems() {}

    /**
     * The index of the item {@code label}, which must have factors.
     *
     * @throws IllegalArgumentException naming the label when the model does not know it or it has no factors
     */
    static int withFactors(AlsModel m, String label) {
        int i = m.items().indexOf(label);
        if (!m.hasItem(i)) {
            throw new IllegalArgumentException(
                    i == m.items().size()
                            ? "unknown item '" + label + "': not in the model (cold start)"
                            : "item '" + label + "' has no factors (it had no training plays)");
        }
        return i;
    }
}
