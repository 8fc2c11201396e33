// Encore recommend-for-all kernel: fused scoring (a small FP32 GEMM tile) + per-user running top-k, never
// materializing the users × items score matrix.
//
// Order, as Spark's recommendForAllUsers and Encore's CPU scorer: score descending, then item index descending.
// Scores are Σ_d x_u[d]·y_i[d] in FP32, summed in ascending d (fixed order, so reruns are bit-identical; they can
// differ from the CPU's summation order in the last bits, hence the documented tie tolerance).
//
// Block layout: ut users (4, 8, 16 or 32) × TK_ITEMS items per tile; blockDim = ut·8 threads; warp g owns users
// 4g .. 4g+3 and lane l owns items 4l .. 4l+3 of the tile, so each thread keeps a 4 × 4 block of scores in registers.
// Factor dimensions are staged TK_D at a time (zero-padded past the rank). A score that beats its user's current k-th
// entry (and is allowed and not already seen) goes into that user's candidate buffer; a warp merges its users'
// candidates into their sorted top-k lists when a buffer could overflow on the next tile, and at the end.
// Per-user state is private to one warp, so merging needs no block barrier.

#include <cstdint>
#include <climits>

#define TK_ITEMS 128
#define TK_D 32
#define TK_ISTRIDE 132  // padded row of the transposed item tile (keeps float4 alignment, fewer bank conflicts)
#define TK_CAP 192      // candidate slots per user; merged when more than TK_CAP - TK_ITEMS are used

namespace {

__device__ __forceinline__ bool beats(float s1, int i1, float s2, int i2) {
    return s1 > s2 || (s1 == s2 && i1 > i2);
}

__device__ __forceinline__ bool seen(const long long* __restrict__ ptr, const int* __restrict__ cols, int user,
                                     int item) {
    long long lo = ptr[user];
    long long hi = ptr[user + 1] - 1;
    while (lo <= hi) {
        const long long mid = (lo + hi) >> 1;
        const int c = cols[mid];
        if (c == item) {
            return true;
        }
        if (c < item) {
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return false;
}

// Merges user u's candidates into its sorted top list (best first), one candidate at a time, by the whole warp.
__device__ void merge_user(int lane, int k, float* topS, int* topI, int* topN, const float* candS, const int* candI,
                           int* candN, float* thrS, int* thrI) {
    const int n = *candN;
    for (int c = 0; c < n; c++) {
        const float s = candS[c];
        const int id = candI[c];
        const int size = *topN;
        if (size == k && !beats(s, id, topS[k - 1], topI[k - 1])) {
            continue;
        }
        int better = 0;
        for (int j = lane; j < size; j += 32) {
            better += beats(topS[j], topI[j], s, id) ? 1 : 0;
        }
        for (int off = 16; off > 0; off >>= 1) {
            better += __shfl_xor_sync(0xffffffffu, better, off);
        }
        const int newSize = size < k ? size + 1 : k;
        const int lo = better + 1;
        for (int hi = newSize - 1; hi >= lo; hi -= 32) {
            const int j = hi - lane;
            const bool act = j >= lo;
            float ms = 0.0f;
            int mi = 0;
            if (act) {
                ms = topS[j - 1];
                mi = topI[j - 1];
            }
            __syncwarp();
            if (act) {
                topS[j] = ms;
                topI[j] = mi;
            }
            __syncwarp();
        }
        if (lane == 0 && better < k) {
            topS[better] = s;
            topI[better] = id;
            *topN = newSize;
        }
        __syncwarp();
    }
    if (lane == 0) {
        *candN = 0;
        if (*topN == k) {
            *thrS = topS[k - 1];
            *thrI = topI[k - 1];
        }
    }
    __syncwarp();
}

}  // namespace

// Top-k items for users[0 .. nUsers) (indices into uf). uf: user factors (rows × f floats, row-major), itf: item
// factors (nItems × f). allowed: bitmask over items (bit i of word i/32: may be recommended — has factors and is not
// blacklisted). seenPtr/seenCol: optional user × item CSR (columns ascending) of items to exclude; null to keep all.
// Output for position p of users: outIds/outScores[p·k .. p·k + outCount[p]), best first.
// Dynamic shared memory: see topk_smem_bytes in the Java launcher:
//   us[ut·TK_D] + its[TK_D·TK_ISTRIDE] floats, topS[ut·k] floats, topI[ut·k] ints, candS[ut·TK_CAP] floats,
//   candI[ut·TK_CAP] ints, topN/candN/thrI[ut] ints, thrS[ut] floats.
extern "C" __global__ void __launch_bounds__(256)
topk_users(const float* __restrict__ uf, const int* __restrict__ users, int nUsers, const float* __restrict__ itf,
           int nItems, int f, const unsigned* __restrict__ allowed, const long long* __restrict__ seenPtr,
           const int* __restrict__ seenCol, int k, int ut, int* __restrict__ outIds, float* __restrict__ outScores,
           int* __restrict__ outCount)
{
    extern __shared__ float sm[];
    float* us = sm;                                  // ut × TK_D
    float* its = us + ut * TK_D;                     // TK_D × TK_ISTRIDE (transposed item tile)
    float* topS = its + TK_D * TK_ISTRIDE;           // ut × k
    int* topI = (int*)(topS + ut * k);               // ut × k
    float* candS = (float*)(topI + ut * k);          // ut × TK_CAP
    int* candI = (int*)(candS + ut * TK_CAP);        // ut × TK_CAP
    int* topN = candI + ut * TK_CAP;                 // ut
    int* candN = topN + ut;                          // ut
    int* thrI = candN + ut;                          // ut
    float* thrS = (float*)(thrI + ut);               // ut

    const int tid = threadIdx.x;
    const int nt = blockDim.x;
    const int warp = tid >> 5;
    const int lane = tid & 31;
    const int uBase = blockIdx.x * ut;
    const int here = min(ut, nUsers - uBase);
    if (here <= 0) {
        return;
    }
    for (int u = tid; u < ut; u += nt) {
        topN[u] = 0;
        candN[u] = 0;
        thrS[u] = -INFINITY;
        thrI[u] = INT_MIN;
    }
    for (int item0 = 0; item0 < nItems; item0 += TK_ITEMS) {
        float acc[4][4];
#pragma unroll
        for (int a = 0; a < 4; a++) {
#pragma unroll
            for (int c = 0; c < 4; c++) {
                acc[a][c] = 0.0f;
            }
        }
        for (int d0 = 0; d0 < f; d0 += TK_D) {
            __syncthreads();
            for (int x = tid; x < ut * TK_D; x += nt) {
                const int u = x / TK_D;
                const int d = x - u * TK_D;
                us[x] = (u < here && d0 + d < f) ? uf[(long long)users[uBase + u] * f + d0 + d] : 0.0f;
            }
            for (int x = tid; x < TK_ITEMS * TK_D; x += nt) {
                const int i = x / TK_D;
                const int d = x - i * TK_D;
                const int item = item0 + i;
                its[d * TK_ISTRIDE + i] = (item < nItems && d0 + d < f) ? itf[(long long)item * f + d0 + d] : 0.0f;
            }
            __syncthreads();
#pragma unroll 8
            for (int d = 0; d < TK_D; d++) {
                const float4 iv = *reinterpret_cast<const float4*>(&its[d * TK_ISTRIDE + lane * 4]);
#pragma unroll
                for (int a = 0; a < 4; a++) {
                    const float uv = us[(warp * 4 + a) * TK_D + d];
                    acc[a][0] = fmaf(uv, iv.x, acc[a][0]);
                    acc[a][1] = fmaf(uv, iv.y, acc[a][1]);
                    acc[a][2] = fmaf(uv, iv.z, acc[a][2]);
                    acc[a][3] = fmaf(uv, iv.w, acc[a][3]);
                }
            }
        }
        // Candidates: the warp's users only, so the buffers are warp-private.
#pragma unroll
        for (int a = 0; a < 4; a++) {
            const int u = warp * 4 + a;
            if (u >= here) {
                continue;
            }
#pragma unroll
            for (int c = 0; c < 4; c++) {
                const int item = item0 + lane * 4 + c;
                if (item >= nItems || !((allowed[item >> 5] >> (item & 31)) & 1u)) {
                    continue;
                }
                const float s = acc[a][c];
                if (!beats(s, item, thrS[u], thrI[u])) {
                    continue;
                }
                if (seenPtr != nullptr && seen(seenPtr, seenCol, users[uBase + u], item)) {
                    continue;
                }
                const int pos = atomicAdd(&candN[u], 1);
                candS[u * TK_CAP + pos] = s;
                candI[u * TK_CAP + pos] = item;
            }
        }
        __syncwarp();
        const bool last = item0 + TK_ITEMS >= nItems;
        for (int a = 0; a < 4; a++) {
            const int u = warp * 4 + a;
            if (u < here && (last || candN[u] > TK_CAP - TK_ITEMS)) {
                merge_user(lane, k, topS + u * k, topI + u * k, &topN[u], candS + u * TK_CAP, candI + u * TK_CAP,
                           &candN[u], &thrS[u], &thrI[u]);
            }
        }
    }
    __syncthreads();
    for (int u = warp; u < here; u += nt >> 5) {
        const int n = topN[u];
        const long long o = (long long)(uBase + u) * k;
        for (int j = lane; j < n; j += 32) {
            outIds[o + j] = topI[u * k + j];
            outScores[o + j] = topS[u * k + j];
        }
        if (lane == 0) {
            outCount[uBase + u] = n;
        }
    }
}
