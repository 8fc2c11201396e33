package encore.bench.spark;

import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a fit's time went, stage by stage (the cluster benchmark's {@code --stages}): each completed stage's wall time
 * on the driver, its tasks, and over its tasks the executor run time, deserialisation, GC, result bytes and shuffle
 * bytes read and written; and the shuffle bytes all its tasks wrote. Collected on the listener bus; read after {@code waitUntilEmpty}.
 */
final class StageLog extends SparkListener {
    private static final class Sums {
        int tasks;
        long runMs;
        long deserializeMs;
        long gcMs;
        long resultBytes;
        long shuffleRead;
        long shuffleWrite;
    }

    private final Map<Integer, Sums> sums = new HashMap<>();
    private final List<String> lines = new ArrayList<>();
    private long shuffleWritten;

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        TaskMetrics m = end.taskMetrics();
        if (m == null) {
            return;
        }
        Sums s = sums.computeIfAbsent(end.stageId(), id -> new Sums());
        s.tasks++;
        s.runMs += m.executorRunTime();
        s.deserializeMs += m.executorDeserializeTime();
        s.gcMs += m.jvmGCTime();
        s.resultBytes += m.resultSize();
        s.shuffleRead += m.shuffleReadMetrics().totalBytesRead();
        s.shuffleWrite += m.shuffleWriteMetrics().bytesWritten();
        shuffleWritten += m.shuffleWriteMetrics().bytesWritten();
    }

    @Override
    public synchronized void onStageCompleted(SparkListenerStageCompleted done) {
        StageInfo info = done.stageInfo();
        Sums s = sums.remove(info.stageId());
        if (s == null) {
            s = new Sums();
        }
        long wall = info.completionTime().isDefined() && info.submissionTime().isDefined()
                ? (Long) info.completionTime().get()
                        - (Long) info.submissionTime().get()
                : -1;
        lines.add(String.format(
                Locale.ROOT,
                "  stage %4d %-40.40s wall %6d ms, %2d tasks: run %6d ms, deser %5d ms, gc %5d ms, result %7.1f MB,"
                        + " shuffle read %7.1f MB, write %7.1f MB",
                info.stageId(),
                info.name(),
                wall,
                s.tasks,
                s.runMs,
                s.deserializeMs,
                s.gcMs,
                s.resultBytes / 1e6,
                s.shuffleRead / 1e6,
                s.shuffleWrite / 1e6));
    }

    /** Shuffle bytes written by the tasks that ended while it listened. */
    synchronized long shuffleWritten() {
        return shuffleWritten;
    }

    /** The stages completed so far, one line each, in completion order. */
    synchronized String describe() {
        return String.join("\n", lines);
    }
}
