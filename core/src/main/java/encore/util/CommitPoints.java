package encore.util;

import java.nio.file.Path;

/**
 * Test-only hook: the named points an {@link AtomicOutput} passes, so that a crash test (cli's {@code KillIT}) can
 * kill the process at each of them on purpose instead of by timing luck. Off unless the system property
 * {@value #PROPERTY} is set; the property is read at every point (no state is kept), so when it is off a point costs
 * one property lookup, and there are a handful per written file.
 *
 * <ul>
 *   <li>{@code -Dencore.test.commitHook=announce}: each point prints the line {@code encore-commit: POINT FILE} on
 *       standard error, before the step it names;</li>
 *   <li>{@code -Dencore.test.commitHook="POINT FILE"} (e.g. {@code "rename items.csv"}): the same, and when the
 *       process reaches that point it prints {@code encore-commit: paused at POINT FILE} and sleeps (a minute at
 *       most, then goes on), so that the test can kill it exactly there.</li>
 * </ul>
 *
 * <p>The points, in the order a file passes them ({@code FILE} is the target's file name):
 * <ul>
 *   <li>{@code open FILE}: its temporary file was created (the content is written after this);</li>
 *   <li>{@code data-staged MARKER}: a set's data files are flushed, fsynced and closed; its marker (report) is not
 *       yet on disk ({@link AtomicOutput#commitAll});</li>
 *   <li>{@code staged FILE}: the file (for a set: the marker, last) is flushed, fsynced and closed, nothing renamed;</li>
 *   <li>{@code unmark MARKER}: the previous marker is about to be deleted (a set);</li>
 *   <li>{@code rename FILE}: the temporary file is about to be renamed over the target;</li>
 *   <li>{@code committed FILE}: the file (for a set: the marker, so the whole set) is renamed and the directory
 *       synced.</li>
 * </ul>
 * Only {@code unmark} and {@code rename} change what a reader of the directory sees.
 */
final class CommitPoints {
    /** The test-only system property; not for users. */
    static final String PROPERTY = "encore.test.commitHook";

    private static final String PREFIX = "encore-commit: ";

    private CommitPoints() {}

    /** Announces {@code point} for {@code file} and pauses there when the property names it; nothing when off. */
    static void at(String point, Path file) {
        String hook = System.getProperty(PROPERTY);
        if (hook == null) {
            return;
        }
        String here = point + " " + file.getFileName();
        System.err.println(PREFIX + here);
        if (hook.equals(here)) {
            System.err.println(PREFIX + "paused at " + here);
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
