package encore.serve;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP as "reload the model now", through {@code sun.misc.Signal} (module jdk.unsupported). Where the platform has
 * no SIGHUP (Windows), the JVM reserves it ({@code -Xrs}), the process was started with SIGHUP ignored ({@code nohup}:
 * the JVM then keeps it ignored and installs no handler) or jdk.unsupported is missing from the runtime, nothing is
 * installed and the file watch alone reloads.
 */
final class Hangup implements AutoCloseable {
    private final Signal signal;
    private final SignalHandler previous;

    private Hangup(Signal signal, SignalHandler previous) {
        this.signal = signal;
        this.previous = previous;
    }

    /** Installs {@code action} as the JVM's SIGHUP handler, or returns null where that is not possible. */
    static Hangup install(Runnable action) {
        try {
            Signal hup = new Signal("HUP");
            SignalHandler previous = Signal.handle(hup, s -> action.run());
            if (previous == SignalHandler.SIG_IGN) { // ignored since the JVM started: no handler was installed
                return null;
            }
            return new Hangup(hup, previous);
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            return null;
        }
    }

    /** Puts the previous handler back. */
    @Override
    public void close() {
        try {
            Signal.handle(signal, previous);
        } catch (IllegalArgumentException e) {
            // the previous handler cannot be reinstated: leave ours, which only queues a reload
        }
    }
}
