package encore.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The top-k kernel's launch geometry: users per block from the shared memory a block may use. */
class TopKLaunchGeometryTest {
    @Test
    void launchGeometryFitsSharedMemory() {
        assertEquals(32, GpuTopKEngine.usersPerBlock(10, 80 * 1024));
        assertEquals(16, GpuTopKEngine.usersPerBlock(10, 48 * 1024), "without the opt-in");
        assertEquals(16, GpuTopKEngine.usersPerBlock(1000, 227 * 1024), "k = 1000 on an H100");
        assertEquals(0, GpuTopKEngine.usersPerBlock(100_000, 227 * 1024));
        // the layout in topk.cu: two tiles of floats, k slots and 192 candidates of 8 bytes, 4 counters per user
        assertEquals(
                4L * (32 * 32 + 32 * 132) + 8L * 32 * 10 + 8L * 32 * 192 + 16L * 32, GpuTopKEngine.sharedBytes(32, 10));
    }
}
