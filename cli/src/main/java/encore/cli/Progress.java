package encore.cli;

import encore.pipeline.RunPipeline;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of a pipeline run: on an interactive terminal one line per stage and an in-place bar for the iterations;
 * plain log lines when output is not a terminal; nothing when quiet.
 */
final class Progress implements RunPipeline.Listener {
    private static final int BAR = 24;
    private final PrintWriter w;
    private final boolean tty;

    private Progress(PrintWriter w, boolean tty) {
        this.w = w;
        this.tty = tty;
    }

    static RunPipeline.Listener of(PrintWriter w, boolean quiet) {
        if (quiet) {
            return RunPipeline.Listener.SILENT;
        }
        return new Progress(w, System.console() != null && System.getenv("ENCORE_NO_TTY") == null);
    }

    private int iteration;
    private int max;
    private double seconds;

    @Override
    public void iteration(int it, int maxIter, double secs) {
        iteration = it;
        max = maxIter;
        seconds = secs;
    }

    @Override
    public boolean wantsLoss() {
        return true;
    }

    @Override
    public synchronized void loss(int it, double loss) {
        if (tty) {
            int filled = max == 0 ? BAR : iteration * BAR / max;
            w.printf(
                    Locale.ROOT,
                    "\r  fitting  [%s%s] %d/%d  %s  loss %.6g ",
                    "#".repeat(filled),
                    ".".repeat(BAR - filled),
                    iteration,
                    max,
                    Format.secs(seconds),
                    loss);
            if (iteration == max) {
                w.println();
            }
        } else {
            w.printf(Locale.ROOT, "  iteration %d/%d  %s  loss %.6g%n", iteration, max, Format.secs(seconds), loss);
        }
        w.flush();
    }

    @Override
    public synchronized void bytesRead(long done, long total) {
        if (tty) {
            int filled = total == 0 ? BAR : (int) (done * BAR / total);
            w.printf(
                    Locale.ROOT,
                    "\r  reading  [%s%s] %s / %s ",
                    "#".repeat(filled),
                    ".".repeat(BAR - filled),
                    Format.bytes(done),
                    Format.bytes(total));
            if (done >= total) {
                w.println();
            }
            w.flush();
        }
    }

    @Override
    public void stage(String name, double seconds) {
        w.printf(Locale.ROOT, "%-10s %s%n", name, Format.secs(seconds));
        w.flush();
    }
}
