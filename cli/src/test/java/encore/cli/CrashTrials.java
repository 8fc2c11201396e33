package encore.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills one command ({@link KillSubject}) again and again while it replaces a previous result, classifies each trial
 * by what was actually killed (from the commit hook's announcements, not from the moment aimed at), checks what the
 * directory holds against what that moment allows, and counts.
 */
final class CrashTrials {
    /** Where a trial's process was when it died. */
    enum Category {
        WORK("during the work, before the commit"),
        WRITTEN("files written and fsynced, nothing renamed"),
        INSIDE("inside the rename sequence"),
        AFTER("after the commit, before the exit"),
        NOT_KILLED("finished before the kill");

        final String text;

        Category(String text) {
            this.text = text;
        }
    }

    /** How a trial picks its kill moment. */
    interface Moment {}

    /** The hook pauses the process at {@code point}; it is killed there. */
    record Pause(String point) implements Moment {}

    /** Killed as soon as it prints a line starting with {@code prefix} (a stage of the work). */
    record AfterLine(String prefix) implements Moment {}

    /** Killed {@code ms} after the start. */
    record AtTime(long ms) implements Moment {}

    /** Killed {@code nanos} after the hook announces {@code point}. */
    record AfterPoint(String point, long nanos) implements Moment {}

    private final Path dir;
    private final KillSubject subject;
    private final Map<Category, Map<String, Integer>> outcomes = new EnumMap<>(Category.class);
    private int trials;
    private int paused;

    CrashTrials(Path dir, KillSubject subject) {
        this.dir = dir;
        this.subject = subject;
        for (Category c : Category.values()) {
            outcomes.put(c, new TreeMap<>());
        }
    }

    /**
     * The schedule: a pause at each of {@code points}, then {@code extra} (aimed moments), then {@code random} kills —
     * alternately at a uniform moment of a run's duration and within 4 ms after the hook announces {@code
     * commitStart}. After every third trial and the last, a re-run over what the kill left must complete, give the new
     * result and leave no temporary file.
     */
    void run(List<String> points, List<Moment> extra, int random, String commitStart, long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Moment> schedule = new ArrayList<>();
        points.forEach(p -> schedule.add(new Pause(p)));
        schedule.addAll(extra);
        for (int i = 0; i < random; i++) {
            schedule.add(
                    i % 2 == 0
                            ? new AtTime(rnd.nextLong(subject.runMillis + 1))
                            : new AfterPoint(commitStart, rnd.nextLong(4_000_001)));
        }
        for (int t = 0; t < schedule.size(); t++) {
            trial(schedule.get(t), subject.name + " trial " + t + " " + schedule.get(t));
            if (t % 3 == 2 || t == schedule.size() - 1) {
                rerun();
            }
        }
    }

    void trial(Moment m, String what) throws Exception {
        subject.installPrevious();
        KilledRun r = KilledRun.start(dir, m instanceof Pause p ? p.point() : "announce", subject.args());
        boolean atPause = false;
        if (m instanceof Pause p) {
            atPause = r.awaitPause(p.point()); // false: the run never got there (then it finished: no kill)
        } else if (m instanceof AfterLine a) {
            r.await(l -> l.startsWith(a.prefix()));
        } else if (m instanceof AtTime a) {
            r.waitFor(a.ms());
        } else if (m instanceof AfterPoint a && r.awaitPoint(a.point())) {
            LockSupport.parkNanos(a.nanos());
        }
        boolean killed = r.kill();
        List<String> points = r.points();
        String sig = subject.signature(what);
        int visible = (int) points.stream().filter(CrashTrials::isVisibleStep).count();
        boolean lastVisible = !points.isEmpty() && isVisibleStep(points.get(points.size() - 1));
        // every step before the last announced point is done; the last announced step itself maybe (at a pause: not)
        int done = lastVisible ? visible - 1 : visible;
        Set<Integer> allowed = !killed
                ? Set.of(subject.states.size() - 1)
                : lastVisible && !atPause ? Set.of(done, done + 1) : Set.of(done);
        int k = subject.states.indexOf(sig);
        assertTrue(
                allowed.contains(k),
                what + ": left " + sig + " where the announced steps allow "
                        + allowed.stream().map(subject.states::get).sorted().toList() + " (killed " + killed
                        + ", points " + points + ")");
        Category c = category(killed, points, visible);
        outcomes.get(c).merge(sig, 1, Integer::sum);
        trials++;
        paused += atPause ? 1 : 0;
    }

    private Category category(boolean killed, List<String> points, int visible) {
        if (!killed) {
            return Category.NOT_KILLED;
        }
        if (points.contains(subject.finalPoint())) {
            return Category.AFTER;
        }
        if (visible > 0) {
            return Category.INSIDE;
        }
        boolean staged = points.stream().anyMatch(p -> p.startsWith("staged ") || p.startsWith("data-staged "));
        return staged ? Category.WRITTEN : Category.WORK;
    }

    static boolean isVisibleStep(String point) {
        return point.startsWith("unmark ") || point.startsWith("rename ");
    }

    private void rerun() throws Exception {
        KilledRun r = KilledRun.start(dir, "announce", subject.args());
        r.finish();
        String last = subject.states.get(subject.states.size() - 1);
        assertEquals(last, subject.signature(subject.name + " re-run"), subject.name + ": re-run result");
        assertEquals(List.of(), subject.temps(), subject.name + ": temp files left after a complete re-run");
    }

    /**
     * Prints the counts, then asserts the coverage — at least one kill during the work, one with the files written
     * but nothing renamed, one inside the rename sequence — and that the outcomes match the categories: the work and
     * the written-but-unrenamed kills left the complete previous result, kills after the commit and runs that finished
     * the complete new one, and kills observed both (and, with several steps, a state in between).
     */
    void assertCoverage() {
        StringBuilder line = new StringBuilder("KillIT " + subject.name + ": " + trials + " trials (" + paused
                + " paused at a hook point), " + subject.runMillis + " ms per run;");
        for (Category c : Category.values()) {
            int n = count(c);
            line.append(' ').append(c.text).append(' ').append(n);
            line.append(n == 0 ? "" : " " + outcomes.get(c)).append(';');
        }
        System.out.println(line);
        String old = subject.states.get(0);
        String fresh = subject.states.get(subject.states.size() - 1);
        List<String> missing = new ArrayList<>();
        for (Category c : List.of(Category.WORK, Category.WRITTEN, Category.INSIDE)) {
            if (count(c) == 0) {
                missing.add(c.text);
            }
        }
        assertEquals(List.of(), missing, subject.name + ": no kill landed here — " + line);
        assertEquals(Set.of(old), outcomes.get(Category.WORK).keySet(), subject.name + ": " + line);
        assertEquals(Set.of(old), outcomes.get(Category.WRITTEN).keySet(), subject.name + ": " + line);
        for (Category c : List.of(Category.AFTER, Category.NOT_KILLED)) {
            assertTrue(Set.of(fresh).containsAll(outcomes.get(c).keySet()), subject.name + ": " + line);
        }
        Map<String, Integer> killed = new TreeMap<>();
        for (Category c : List.of(Category.WORK, Category.WRITTEN, Category.INSIDE, Category.AFTER)) {
            outcomes.get(c).forEach((s, n) -> killed.merge(s, n, Integer::sum));
        }
        assertTrue(killed.containsKey(old) && killed.containsKey(fresh), subject.name + ": " + line);
        if (subject.states.size() > 2) {
            assertTrue(killed.size() >= 3, subject.name + ": no kill left a state in between — " + line);
        }
    }

    int count(Category c) {
        return outcomes.get(c).values().stream().mapToInt(Integer::intValue).sum();
    }
}
