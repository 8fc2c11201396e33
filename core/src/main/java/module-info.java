/**
 * Encore's core: the data pipeline, the model API and its engine SPI, metrics, the generator and file I/O. The engines
 * (encore.cpu, encore.cuda) plug in through {@link encore.als.AlsBackendProvider}.
 *
 * <p>The exports list every package of this module: a package added later must be listed here (or deliberately
 * left out); one listed but missing fails compilation. {@code encore.internal} is not API and is exported only to
 * Encore's own modules (the benchmarks run on the class path, where module boundaries do not apply; the ArchUnit rule
 * in arch-test covers them).
 */
// "module": the qualified export names modules compiled after this one; "requires-automatic": univocity-parsers has
// no module descriptor, so its module name comes from its jar's file name
@SuppressWarnings({"module", "requires-automatic"})
module encore.core {
    requires univocity.parsers;

    exports encore.als;
    exports encore.als.io;
    exports encore.data;
    exports encore.eval;
    exports encore.matrix;
    exports encore.pipeline;
    exports encore.synth;
    exports encore.util;
    exports encore.internal to encore.cpu, encore.cuda, encore.cli;

    uses encore.als.AlsBackendProvider;
}
