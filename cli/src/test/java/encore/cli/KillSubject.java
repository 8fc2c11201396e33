package encore.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A command of a crash test and the result it replaces: the previous result (A) is put in place, then the command
 * writes the new one (B) and is killed. What the output directory holds is summed up as a <em>signature</em>, one
 * letter per file of the result in {@link #files} order: {@code A} (the previous result's file), {@code B} (the new
 * one's) or {@code -} (absent); a file that is neither fails the test.
 *
 * <p>The {@link #states} are the signatures the directory must show after each number k of the commit's visible
 * steps (the hook's {@code unmark} and {@code rename} points): state 0 is the complete previous result, the last one
 * the complete new result.
 */
abstract class KillSubject {
    /** The command's name, for messages. */
    final String name;
    /** The directory that holds the result. */
    final Path out;
    /** The result's files, in signature order. */
    final List<String> files;
    /** The report that marks a complete result (the last of {@link #files}), or null for files committed singly. */
    final String marker;
    /** The signature after k visible steps, k = 0, 1, …; all different. */
    final List<String> states;
    /** Wall time of a complete run (the reference), to spread random kill moments over. */
    long runMillis;

    KillSubject(String name, Path out, List<String> files, boolean markedSet) {
        this.name = name;
        this.out = out;
        this.files = List.copyOf(files);
        this.marker = markedSet ? files.get(files.size() - 1) : null;
        this.states = markedSet ? setStates(files.size() - 1) : sequenceStates(files.size());
    }

    /**
     * A set committed with a marker ({@code AtomicOutput.commitAll}), n data files: the old marker is removed, the
     * data files are renamed one by one, the new marker last — {@code AAAA, AAA-, BAA-, BBA-, BBB-, BBBB} for n = 3.
     */
    static List<String> setStates(int n) {
        List<String> s = new ArrayList<>();
        s.add("A".repeat(n + 1));
        for (int i = 0; i <= n; i++) {
            s.add("B".repeat(i) + "A".repeat(n - i) + "-");
        }
        s.add("B".repeat(n + 1));
        return s;
    }

    /** Files committed one after another, each on its own: {@code AA, BA, BB} for two. */
    static List<String> sequenceStates(int n) {
        List<String> s = new ArrayList<>();
        for (int k = 0; k <= n; k++) {
            s.add("B".repeat(k) + "A".repeat(n - k));
        }
        return s;
    }

    /** The hook point after which the whole new result is in place. */
    String finalPoint() {
        return "committed " + files.get(files.size() - 1);
    }

    /**
     * A command whose result is a marked set of data files and a JSON report ({@code run}, {@code prepare}): the
     * previous result is {@code refA}'s files, the new one {@code refB}'s; data files must match one byte for byte,
     * the report is compared by content ({@link #report}).
     *
     * @param args the command line, given the output directory
     */
    static KillSubject reportedSet(
            String name, Path out, List<String> files, Path refA, Path refB, Function<Path, String[]> args) {
        return new KillSubject(name, out, files, true) {
            @Override
            void installPrevious() throws IOException {
                replaceWith(refA);
            }

            @Override
            String[] args() {
                return args.apply(out);
            }

            @Override
            char source(String file, Path p, String what) throws IOException {
                return file.endsWith(".json")
                        ? KillIT.report(p, refA.resolve(file), what)
                        : KillIT.exact(p, refA.resolve(file), refB.resolve(file), what);
            }
        };
    }

    /** Puts the complete previous result (A) in place, replacing whatever is there. */
    abstract void installPrevious() throws IOException;

    /** The command line that writes the new result (B). */
    abstract String[] args();

    /** {@code 'A'} when {@code p} is the previous result's {@code file}, {@code 'B'} when the new one's; else fails. */
    abstract char source(String file, Path p, String what) throws IOException;

    /**
     * The directory's signature, after checking that it holds nothing but the result's files and their hidden
     * temporary files, and (for a marked set) the docs' rule: a report is only ever beside files of its own run.
     */
    String signature(String what) throws IOException {
        for (String f : visible()) {
            assertTrue(files.contains(f), what + ": unexpected file " + f);
        }
        for (String t : temps()) {
            assertTrue(
                    files.stream()
                            .anyMatch(
                                    f -> t.matches("\\." + java.util.regex.Pattern.quote(f) + "\\.\\d+\\.\\d+\\.tmp")),
                    what + ": temp file " + t);
        }
        StringBuilder sig = new StringBuilder();
        for (String f : files) {
            Path p = out.resolve(f);
            sig.append(Files.exists(p) ? source(f, p, what) : '-');
        }
        if (marker != null) {
            char m = sig.charAt(sig.length() - 1);
            for (int i = 0; m != '-' && i < sig.length() - 1; i++) {
                assertEquals(
                        m,
                        sig.charAt(i),
                        what + ": " + marker + " of the " + (m == 'A' ? "previous" : "new") + " run beside "
                                + files.get(i) + " of the other (" + sig + ")");
            }
        }
        return sig.toString();
    }

    List<String> visible() throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(f -> !f.startsWith("."))
                    .sorted()
                    .toList();
        }
    }

    List<String> temps() throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(f -> f.startsWith(".") && f.endsWith(".tmp"))
                    .sorted()
                    .toList();
        }
    }

    /** Replaces the directory's content with copies of the files in {@code from} (byte for byte). */
    void replaceWith(Path from) throws IOException {
        Files.createDirectories(out);
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        for (String f : files) {
            Files.copy(from.resolve(f), out.resolve(f));
        }
    }
}
