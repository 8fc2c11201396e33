package encore.cuda;

import encore.als.AlsBackend;
import encore.als.AlsFit;
import encore.als.AlsParams;
import encore.als.CpuTopKScorer;
import encore.als.EngineOptions;
import encore.als.Recommendations;
import encore.als.TopKScorer;
import encore.data.Interactions;
import encore.matrix.Csr;
import encore.matrix.Factors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One device per provider: the share's reference counting on a fake device, and a provider built on it. */
class SharedDeviceTest {
    /** A device that records whether it was closed and can be marked broken. */
    static final class FakeDevice {
        boolean closed;
        boolean broken;
    }

    static SharedDevice<FakeDevice> share() {
        return new SharedDevice<>(FakeDevice::new, d -> d.broken, d -> d.closed = true);
    }

    @Test
    void probeTrainThenScoreOpensTheDeviceOnce() throws Exception {
        SharedDevice<FakeDevice> s = share();
        assertNull(s.probe());
        DeviceLease<FakeDevice> engine = s.acquire();
        FakeDevice d = engine.device();
        engine.close();
        assertTrue(s.isOpen(), "the probe keeps the device for the scorer to come");
        DeviceLease<FakeDevice> scorer = s.acquire();
        assertSame(d, scorer.device());
        scorer.close();
        scorer.close(); // idempotent
        assertEquals(1, s.opens());
        assertFalse(d.closed);
        s.close();
        assertTrue(d.closed);
        assertFalse(s.isOpen());
        assertThrows(IllegalStateException.class, scorer::device);
    }

    @Test
    void withoutAProbeTheLastLeaseClosesTheDevice() throws Exception {
        SharedDevice<FakeDevice> s = share();
        DeviceLease<FakeDevice> a = s.acquire();
        DeviceLease<FakeDevice> b = s.acquire();
        assertSame(a.device(), b.device());
        FakeDevice d = a.device();
        a.close();
        assertFalse(d.closed);
        b.close();
        assertTrue(d.closed);
        s.acquire().close();
        assertEquals(2, s.opens());
    }

    @Test
    void closingTheProviderWhileALeaseIsHeldClosesTheDeviceWithTheLease() throws Exception {
        SharedDevice<FakeDevice> s = share();
        s.probe();
        DeviceLease<FakeDevice> l = s.acquire();
        s.close();
        assertFalse(l.device().closed);
        FakeDevice d = l.device();
        l.close();
        assertTrue(d.closed);
    }

    @Test
    void aFailedOpenIsRememberedAndNotRetried() {
        int[] attempts = {0};
        SharedDevice<FakeDevice> s = new SharedDevice<>(
                () -> {
                    attempts[0]++;
                    throw new GpuUnavailableException("no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE)");
                },
                d -> false,
                d -> {});
        assertEquals("no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE)", s.probe());
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class, s::acquire);
        assertEquals("no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE)", e.getMessage());
        assertEquals("no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE)", s.probe());
        assertEquals(1, attempts[0]);
        assertEquals(1, s.opens());
    }

    @Test
    void aBrokenDeviceClosesWithItsLastLeaseAndTheNextUserGetsAFreshOne() throws Exception {
        SharedDevice<FakeDevice> s = share();
        s.probe();
        DeviceLease<FakeDevice> l = s.acquire();
        FakeDevice d = l.device();
        d.broken = true;
        l.close();
        assertTrue(d.closed, "a broken device is not kept for later users");
        DeviceLease<FakeDevice> next = s.acquire();
        assertFalse(next.device().broken);
        assertEquals(2, s.opens());
        next.close();
        assertFalse(s.isOpen(), "the probe's hold went with the broken device");
    }

    /** A provider over the fake device: the twin engine and the CPU scorer stand in for the GPU's. */
    static GpuBackendProvider provider(SharedDevice<FakeDevice> s) {
        return new GpuBackendProvider(new DeviceEngines<>(
                s,
                lease -> new CpuTwinEngine(CpuTwinEngine.Fault.NONE, c -> false).releasing(lease),
                lease -> new GpuTopKScorer.Engine() {
                    private final TopKScorer cpu = new CpuTopKScorer(1);

                    @Override
                    public Recommendations topK(Factors queries, Factors candidates, int k, Csr exclude, int[] rows) {
                        lease.device(); // fails once the lease is given back
                        return cpu.topK(queries, candidates, k, exclude, rows);
                    }

                    @Override
                    public void close() {
                        cpu.close();
                        lease.close();
                    }
                }));
    }

    @Test
    void aRunThroughOneProviderProbesTrainsAndRecommendsOnOneDeviceOpen() {
        SharedDevice<FakeDevice> s = share();
        GpuBackendProvider provider = provider(s);
        Interactions t = TrainingSets.randomTrain(21, 70, 50, 12, false);
        AlsParams p = TrainingSets.params(5, false);
        EngineOptions options = new EngineOptions(2, true);
        assertNull(provider.unavailableReason());
        AlsFit.State fitted;
        try (AlsBackend b = provider.open(p, options)) {
            assertEquals("gpu", b.name());
            fitted = FitDriver.fit(b, t, p);
        }
        try (TopKScorer scorer = provider.openScorer(options)) {
            Recommendations r = scorer.topK(fitted.users(), fitted.items(), 5, t.userItems(), null);
            assertEquals("gpu", scorer.name());
            assertEquals(t.userItems().rows(), r.rows());
        }
        assertEquals(1, provider.deviceOpens());
        assertTrue(provider.deviceOpen());
        provider.close();
        assertFalse(provider.deviceOpen());
    }
}
