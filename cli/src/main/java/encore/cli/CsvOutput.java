package encore.cli;

import encore.util.AtomicOutput;
import picocli.CommandLine;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a command's CSV goes: {@code --out FILE}, written atomically (nothing is left behind on failure) and then
 * reported as "Wrote FILE", or the command's standard output when no file is given.
 */
final class CsvOutput {
    private CsvOutput() {}

    /** What writes the CSV. */
    @FunctionalInterface
    interface Body {
        void write(OutputStream os) throws IOException;
    }

    static void write(Path out, CommandLine cl, Body body) throws IOException {
        if (out == null) {
            try (OutputStream os = new WriterOutputStream(cl.getOut())) {
                body.write(os);
            }
            return;
        }
        try (AtomicOutput a = AtomicOutput.create(out)) {
            body.write(a.stream());
            a.commit();
        }
        cl.getOut().printf(Locale.ROOT, "Wrote %s%n", out);
    }
}
