/**
 * The encore command line. It ships as a shaded jar run from the class path; this descriptor states (and javac checks)
 * what it reads.
 */
module encore.cli {
    requires encore.core;
    requires encore.cpu;
    requires encore.cuda;
    requires encore.serve;
    requires info.picocli;

    // picocli fills @Option fields and calls @Command methods reflectively
    opens encore.cli to info.picocli;
}
