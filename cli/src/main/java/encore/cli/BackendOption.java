package encore.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --backend auto|cpu|gpu}, validated as a usage error. */
final class BackendOption {
    @Option(names = "--backend", defaultValue = "auto", description = "auto, cpu or gpu. Default: ${DEFAULT-VALUE}.")
    String backend;

    /** The backend name, or a usage error for anything but auto, cpu or gpu. */
    String name(CommandLine cl) {
        if (!backend.matches("auto|cpu|gpu")) {
            throw new CommandLine.ParameterException(
                    cl, "invalid --backend '" + backend + "': expected auto, cpu or gpu");
        }
        return backend;
    }
}
