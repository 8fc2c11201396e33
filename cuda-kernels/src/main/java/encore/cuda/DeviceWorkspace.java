package encore.cuda;

/**
 * The scratch buffers of one fit (or of an engine's row solves), each grown on demand and reused, all freed by
 * {@link #close()}: the Gram matrix and its partial sums, the normal-equation scratch for ranks whose A does not fit
 * in shared memory, and a 32-bit status word (the first singular or non-finite row). Owner thread only.
 */
final class DeviceWorkspace implements AutoCloseable {
    private final GpuDevice dev;
    private DeviceBuffer gram;
    private DeviceBuffer partials;
    private DeviceBuffer scratch;
    private DeviceBuffer status;

    DeviceWorkspace(GpuDevice dev) {
        this.dev = dev;
    }

    /** k × k doubles for YᵀY. */
    DeviceBuffer gram(int k) {
        gram = ensure(gram, 8L * k * k, "Gram matrix");
        return gram;
    }

    /** The Gram of the last implicit half-iteration, downloaded (k × k, row-major). */
    double[] downloadGram(int k) {
        double[] g = new double[k * k];
        gram.download(g);
        return g;
    }

    /** {@code parts} partial k × k Gram sums. */
    DeviceBuffer partials(int parts, int k) {
        partials = ensure(partials, 8L * parts * k * k, "Gram partial sums");
        return partials;
    }

    /** One k × k double matrix per block of a {@code grid}-block solve_rows launch. */
    DeviceBuffer scratch(int grid, int k) {
        scratch = ensure(scratch, 8L * grid * k * k, "normal-equation scratch");
        return scratch;
    }

    /** The status word, set to {@link Integer#MAX_VALUE} ("nothing found"). */
    DeviceBuffer resetStatus() {
        status = ensure(status, 4, "status");
        status.fill32(Integer.MAX_VALUE);
        return status;
    }

    /** The status word as last reset. */
    DeviceBuffer status() {
        return status;
    }

    /** The status word (4 bytes come back): a row index, or {@link Integer#MAX_VALUE}. */
    int readStatus() {
        int[] v = new int[1];
        status.download(v);
        return v[0];
    }

    private DeviceBuffer ensure(DeviceBuffer b, long bytes, String what) {
        if (b != null && b.isOpen() && b.bytes() >= bytes) {
            return b;
        }
        if (b != null) {
            b.close();
        }
        return dev.alloc(bytes, what);
    }

    @Override
    public void close() {
        for (DeviceBuffer b : new DeviceBuffer[] {gram, partials, scratch, status}) {
            if (b != null) {
                b.close();
            }
        }
        gram = partials = scratch = status = null;
    }
}
