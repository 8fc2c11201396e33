package encore.cpu;

import encore.als.Als;
import encore.als.AlsParams;
import encore.data.BadRowPolicy;
import encore.data.IngestOptions;
import encore.data.ItemKey;
import encore.data.PrepareOptions;
import encore.data.SplitSpec;
import encore.pipeline.RunOptions;
import encore.pipeline.RunPipeline;
import encore.synth.GeneratorConfig;
import encore.synth.ListeningsGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * {@code encore run} end to end: the same data and seeds give byte-identical label files and recommendations
 * (factors included, through the scores) whatever the thread count, 1, 2 or 8, of the ingest and of ALS. The ingest
 * is cut into 64 KiB chunks so that threads really share the file. (KillIT checks run after run through the jar.)
 */
class PipelineDeterminismTest {
    @TempDir
    Path dir;

    @Test
    void sameSeedSameFilesWhateverTheThreads() throws Exception {
        Path csv = dir.resolve("l.csv");
        new ListeningsGenerator(GeneratorConfig.forRows(20_000, 5)).write(csv);
        for (boolean implicit : new boolean[] {false, true}) {
            byte[][] ref = null;
            for (int threads : new int[] {1, 2, 8}) {
                IngestOptions in = new IngestOptions(ItemKey.ARTIST_TRACK, BadRowPolicy.SKIP, threads, 64 << 10);
                AlsParams als = AlsParams.builder()
                        .rank(8)
                        .maxIter(4)
                        .regParam(0.05)
                        .implicitPrefs(implicit)
                        .alpha(5)
                        .seed(42)
                        .build();
                RunOptions o = new RunOptions(
                        csv,
                        new PrepareOptions(in, -1, SplitSpec.holdout(0.2, 3)),
                        null,
                        null,
                        Als.with(als).backend("cpu").threads(threads),
                        10,
                        false);
                Path out = dir.resolve("out" + implicit + threads);
                RunPipeline.run(o, out, RunPipeline.Listener.SILENT);
                byte[][] files = {
                    Files.readAllBytes(out.resolve("users.csv")),
                    Files.readAllBytes(out.resolve("items.csv")),
                    Files.readAllBytes(out.resolve(RunPipeline.RECOMMENDATIONS))
                };
                if (ref == null) {
                    ref = files;
                } else {
                    for (int f = 0; f < files.length; f++) {
                        assertArrayEquals(ref[f], files[f], threads + " threads, file " + f);
                    }
                }
            }
        }
    }
}
