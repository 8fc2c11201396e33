/**
 * {@code encore serve}: the HTTP/JSON server over a model file ({@link encore.serve.EncoreServer}), on the JDK's
 * built-in HTTP server. The CPU engine (fold-in) is found through core's ServiceLoader at run time.
 */
module encore.serve {
    requires encore.core;
    requires jdk.httpserver;
    requires com.fasterxml.jackson.core;
    // SIGHUP (sun.misc.Signal): used where the runtime has it, the file watch otherwise
    requires static jdk.unsupported;

    exports encore.serve;
}
