/**
 * The CUDA engine (issue: GPU training engine): the {@code .cu} kernels, their typed launch facades and the checked
 * SPI implementations with their CPU fallback. Names: a <em>Backend</em> or <em>Scorer</em> implements the SPI and is
 * always checked ({@link encore.cuda.GpuAlsBackend}, {@link encore.cuda.GpuTopKScorer}); an <em>Engine</em> is the raw
 * accelerated thing under it ({@link encore.cuda.GpuAlsEngine} with its fit handle {@link encore.cuda.GpuFit},
 * {@link encore.cuda.GpuTopKEngine}); {@link encore.cuda.UncheckedGpu} exposes the engines to benchmarks.
 * <pre>
 * GpuBackendProvider ── SharedDevice (one GpuDevice per provider, leases) ─┬─ GpuAlsBackend ── CheckedFit ── GpuFit
 *                                                                         └─ GpuTopKScorer ── GpuTopKEngine
 * GpuDevice (owner thread, modules) ── AlsKernels / TopKKernels (one typed method per kernel) ── Kernel (launch)
 * SpotCheck + RowResiduals (ALS rows), TopKCheck (lists), CheckedEngine (the shared fallback skeleton)
 * </pre>
 */
package encore.cuda;
