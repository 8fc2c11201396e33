package encore.cli;

import encore.als.AlsModel;
import encore.als.io.FactorsExport;
import encore.als.io.ModelStore;
import encore.util.AtomicOutput;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code encore export}: a model's factors and labels as numpy arrays or CSV, for other tools. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Write a saved model's user and item factors and labels into DIR in formats other tools read.",
            "npy: user_factors.npy and item_factors.npy (numpy .npy, float32, one row per user/item index, zeros for "
                    + "those without factors), user_present.npy and item_present.npy (bool: which rows have factors), "
                    + "user_labels.jsonl and item_labels.jsonl (line i: the JSON string of row i's label).",
            "csv: user_factors.csv and item_factors.csv (label,f0,...: the users/items with factors, RFC 4180).",
            "Both: model.json (rank, counts, parameters), written last. The files are committed together; files of "
                    + "the other format left by an earlier export into DIR are removed."
        })
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by 'encore train'.")
    Path model;

    @Option(
            names = "--format",
            defaultValue = "npy",
            paramLabel = "FORMAT",
            description = "npy or csv (spark: Spark's ALSModel directory, written by the spark module when run "
                    + "through ./encore; see docs/spark-interop.md). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created if needed).")
    Path out;

    @CommandLine.Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        FactorsExport.Format f;
        try {
            f = FactorsExport.Format.parse(format);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    cl,
                    format.equals("spark")
                            ? "--format spark is written by the spark module (Parquet needs Spark): run it as "
                                    + "'./encore export --format spark …', which starts encore.spark.ModelInterop, "
                                    + "or see docs/spark-interop.md"
                            : "invalid --format '" + format + "': expected npy or csv (or spark, through ./encore)");
        }
        AtomicOutput.checkWritableDirectory(out); // before loading the model
        ModelStore.Stored stored = ModelStore.load(model);
        FactorsExport.Report r = FactorsExport.write(out, stored.model(), stored.metadata(), f);
        PrintWriter w = cl.getOut();
        if (output.json) {
            w.print(r.json());
        } else if (!output.quiet) {
            AlsModel m = stored.model();
            w.printf(
                    Locale.ROOT,
                    "Exported %s users (%s with factors) and %s items (%s with factors), rank %d%n",
                    Format.count(m.users().size()),
                    Format.count(m.usersWithFactors()),
                    Format.count(m.items().size()),
                    Format.count(m.itemsWithFactors()),
                    m.rank());
            w.printf("Wrote %s/{%s}%n", out, String.join(",", r.files()));
        }
        w.flush();
        return 0;
    }
}
