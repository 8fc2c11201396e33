// Encore ALS training kernels (CUDA C++, loaded through the JCuda driver API; names are extern "C").
//
// One half-iteration solves, for every row u of the dst × src ratings R with at least one entry,
//
//   explicit:  (Σ_{i∈u} y_i y_iᵀ + λ·n_u·I) x_u = Σ_{i∈u} r_ui y_i                 n_u  = entries of row u
//   implicit:  (G + Σ_{i∈u} α|r_ui| y_i y_iᵀ + λ·n_u⁺·I) x_u = Σ_{r_ui>0} (1 + α r_ui) y_i
//              G = YᵀY over every src row,                                     n_u⁺ = entries with r_ui > 0
//
// exactly as Spark's ALS (ALS-WR regularisation) and Encore's CPU engine. Factors are float; the normal equations,
// the Cholesky factorization and both triangular solves are double. Every reduction runs in a fixed order (no float
// atomics), so a rerun on the same device gives bit-identical factors.
//
// Kernels (each does one thing):
//   gram_partial   YᵀY, upper triangle, one partial sum per block over a fixed slice of rows
//   gram_reduce    sums the partials in block order, mirrors the triangle
//   solve_rows     per row: build A and b (weights and targets per entry), add λ·n to the diagonal, Cholesky, solve
//   cg_rows        per row (one warp): warm-started conjugate gradient without forming A (solver=cg, implicit)
//   squared_error  per block of rows: Σ (r − xᵤ·yᵢ)² over the entries, for RMSE and the explicit loss
//   first_non_finite  the smallest present row with a NaN or infinite factor (the fit's finiteness check)
//
// Indices into factor arrays and CSR entries are 64-bit: nnz·k exceeds 2³¹ at Last.fm scale.

#include <cstdint>

namespace {

__device__ __forceinline__ bool finite_positive(double d) {
    return d > 0.0 && d < 1.0e300;  // also false for NaN
}

// A[a·k + c] += Σ_t w_t · ys[t][a] · ys[t][c] over the upper triangle (c >= a) for the m staged rows ys (m × k
// floats); w == nullptr means every weight is 1. The block's threads split the entries of A; each entry's sum runs
// over t in order, so the result does not depend on the launch.
__device__ __forceinline__ void add_outer_products(const float* ys, const double* w, int m, int k, double* A) {
    const int kk = k * k;
    for (int p = threadIdx.x; p < kk; p += blockDim.x) {
        const int a = p / k;
        const int c = p - a * k;
        if (c < a) {
            continue;
        }
        double acc = 0.0;
        for (int t = 0; t < m; t++) {
            const double prod = (double)ys[t * k + a] * (double)ys[t * k + c];
            acc += w == nullptr ? prod : w[t] * prod;
        }
        A[p] += acc;
    }
}

}  // namespace

// Partial Gram sums: block b accumulates y_r y_rᵀ (upper triangle, a <= c) over rows [b·rowsPerBlock, …) of y
// (rows × k, row-major float) into partials[b·k·k + a·k + c], staging tileRows factor rows at a time in shared memory.
// Dynamic shared memory: tileRows·k floats.
extern "C" __global__ void __launch_bounds__(256)
gram_partial(const float* __restrict__ y, long long rows, int k, long long rowsPerBlock, int tileRows,
             double* __restrict__ partials)
{
    extern __shared__ float stage[];
    const int tid = threadIdx.x;
    const int nt = blockDim.x;
    const int kk = k * k;
    const long long r0 = (long long)blockIdx.x * rowsPerBlock;
    const long long r1 = min(rows, r0 + rowsPerBlock);
    double* out = partials + (long long)blockIdx.x * kk;
    for (int p = tid; p < kk; p += nt) {
        out[p] = 0.0;
    }
    for (long long t0 = r0; t0 < r1; t0 += tileRows) {
        const int m = (int)min((long long)tileRows, r1 - t0);
        __syncthreads();
        for (int x = tid; x < m * k; x += nt) {
            stage[x] = y[t0 * k + x];
        }
        __syncthreads();
        add_outer_products(stage, nullptr, m, k, out);
    }
}

// gram[a·k + c] = Σ_b partials[b·k·k + a·k + c] in block order, for a <= c, mirrored into the lower triangle.
extern "C" __global__ void __launch_bounds__(256)
gram_reduce(const double* __restrict__ partials, int parts, int k, double* __restrict__ gram)
{
    const int kk = k * k;
    for (int p = blockIdx.x * blockDim.x + threadIdx.x; p < kk; p += gridDim.x * blockDim.x) {
        const int a = p / k;
        const int c = p - a * k;
        if (c < a) {
            continue;
        }
        double s = 0.0;
        for (int b = 0; b < parts; b++) {
            s += partials[(long long)b * kk + p];
        }
        gram[a * k + c] = s;
        gram[c * k + a] = s;
    }
}

// Solves the rows order[0 .. nOrder) (longest first, so the long rows start early and the tail balances), one block
// per row, blocks striding over the order. A (k × k, double) lives in dynamic shared memory when aInShared is set,
// else in this block's slot of scratch (gridDim.x · k · k doubles). Shared memory layout:
//   [A: k·k doubles if aInShared][b: k doubles][w: tileRows doubles][t: tileRows doubles][y: tileRows·k floats]
// A row whose matrix is not positive definite (or not finite) is left unwritten and its index goes into *firstBad
// (atomicMin, so the smallest such row is reported whatever the scheduling).
extern "C" __global__ void __launch_bounds__(256)
solve_rows(const long long* __restrict__ rowPtr, const int* __restrict__ col, const float* __restrict__ val,
           const float* __restrict__ src, float* __restrict__ dst, const int* __restrict__ order, int nOrder,
           int k, double lambda, int implicitMode, double alpha, const double* __restrict__ gram,
           double* __restrict__ scratch, int aInShared, int tileRows, int* __restrict__ firstBad)
{
    extern __shared__ double smem[];
    __shared__ int positives;
    __shared__ int bad;
    const int tid = threadIdx.x;
    const int nt = blockDim.x;
    const int kk = k * k;
    double* A = aInShared ? smem : scratch + (long long)blockIdx.x * kk;
    double* b = aInShared ? smem + kk : smem;
    double* w = b + k;
    double* tg = w + tileRows;
    float* ys = (float*)(tg + tileRows);

    for (int o = blockIdx.x; o < nOrder; o += gridDim.x) {
        const int row = order[o];
        const long long s = rowPtr[row];
        const long long e = rowPtr[row + 1];
        __syncthreads();  // the previous row's solve has finished reading A and b
        for (int p = tid; p < kk; p += nt) {
            A[p] = implicitMode ? gram[p] : 0.0;
        }
        for (int a = tid; a < k; a += nt) {
            b[a] = 0.0;
        }
        if (tid == 0) {
            positives = 0;
            bad = 0;
        }
        // Build: A += Σ w_t y_t y_tᵀ (upper triangle), b += Σ t_t y_t, tileRows entries at a time.
        for (long long q0 = s; q0 < e; q0 += tileRows) {
            const int m = (int)min((long long)tileRows, e - q0);
            __syncthreads();
            for (int t = tid; t < m; t += nt) {
                const double r = (double)val[q0 + t];
                if (implicitMode) {
                    w[t] = alpha * fabs(r);
                    tg[t] = r > 0.0 ? 1.0 + alpha * r : 0.0;
                    if (r > 0.0) {
                        atomicAdd(&positives, 1);
                    }
                } else {
                    w[t] = 1.0;
                    tg[t] = r;
                }
            }
            for (int x = tid; x < m * k; x += nt) {
                const int t = x / k;
                const int d = x - t * k;
                ys[x] = src[(long long)col[q0 + t] * k + d];
            }
            __syncthreads();
            add_outer_products(ys, w, m, k, A);
            for (int a = tid; a < k; a += nt) {
                double acc = 0.0;
                for (int t = 0; t < m; t++) {
                    acc += tg[t] * (double)ys[t * k + a];
                }
                b[a] += acc;
            }
        }
        __syncthreads();
        const double n = implicitMode ? (double)positives : (double)(e - s);
        for (int a = tid; a < k; a += nt) {
            A[a * k + a] += lambda * n;
        }
        __syncthreads();
        // Cholesky A = UᵀU, U upper, written over the upper triangle of A (row-major, U[j][i] = A[j·k + i], i >= j).
        for (int j = 0; j < k; j++) {
            if (tid == 0) {
                const double d = A[j * k + j];
                if (finite_positive(d)) {
                    A[j * k + j] = sqrt(d);
                } else {
                    bad = 1;
                }
            }
            __syncthreads();
            if (bad) {
                break;
            }
            const double ujj = A[j * k + j];
            for (int i = j + 1 + tid; i < k; i += nt) {
                A[j * k + i] /= ujj;
            }
            __syncthreads();
            const int m = k - j - 1;
            for (int p = tid; p < m * m; p += nt) {
                const int i = j + 1 + p / m;
                const int l = j + 1 + (p - (p / m) * m);
                if (l >= i) {
                    A[i * k + l] -= A[j * k + i] * A[j * k + l];
                }
            }
            __syncthreads();
        }
        if (bad) {
            if (tid == 0) {
                atomicMin(firstBad, row);
            }
            continue;  // uniform: every thread saw bad after the same barrier
        }
        // Uᵀ z = b (forward, column by column), then U x = z (backward).
        for (int i = 0; i < k; i++) {
            if (tid == 0) {
                b[i] /= A[i * k + i];
            }
            __syncthreads();
            const double zi = b[i];
            for (int l = i + 1 + tid; l < k; l += nt) {
                b[l] -= A[i * k + l] * zi;
            }
            __syncthreads();
        }
        for (int i = k - 1; i >= 0; i--) {
            if (tid == 0) {
                b[i] /= A[i * k + i];
            }
            __syncthreads();
            const double xi = b[i];
            for (int l = tid; l < i; l += nt) {
                b[l] -= A[l * k + i] * xi;
            }
            __syncthreads();
        }
        for (int a = tid; a < k; a += nt) {
            dst[(long long)row * k + a] = (float)b[a];
        }
    }
}

// partials[b] = Σ over rows [b·rowsPerBlock, …) of Σ_entries (r − x_row·y_col)², each entry's dot product in double.
// Block-level tree reduction in shared memory (blockDim.x doubles), fixed order: deterministic.
extern "C" __global__ void __launch_bounds__(256)
squared_error(const long long* __restrict__ rowPtr, const int* __restrict__ col, const float* __restrict__ val,
              const float* __restrict__ x, const float* __restrict__ y, int rows, int k, int rowsPerBlock,
              double* __restrict__ partials)
{
    extern __shared__ double red[];
    const int tid = threadIdx.x;
    const long long r0 = (long long)blockIdx.x * rowsPerBlock;
    const long long r1 = min((long long)rows, r0 + rowsPerBlock);
    double acc = 0.0;
    if (r0 < r1) {
        const long long q0 = rowPtr[r0];
        const long long q1 = rowPtr[r1];
        long long row = r0;
        for (long long q = q0 + tid; q < q1; q += blockDim.x) {
            while (rowPtr[row + 1] <= q) {
                row++;
            }
            double s = 0.0;
            const float* xr = x + row * k;
            const float* yc = y + (long long)col[q] * k;
            for (int d = 0; d < k; d++) {
                s += (double)xr[d] * (double)yc[d];
            }
            const double err = (double)val[q] - s;
            acc += err * err;
        }
    }
    red[tid] = acc;
    __syncthreads();
    for (int h = blockDim.x / 2; h > 0; h >>= 1) {
        if (tid < h) {
            red[tid] += red[tid + h];
        }
        __syncthreads();
    }
    if (tid == 0) {
        partials[blockIdx.x] = red[0];
    }
}

// *first = min(*first, smallest row r < rows with bit r of present set whose factor f[r·k .. r·k + k) has a NaN or
// infinite value), one thread per row, grid-striding; atomicMin makes the answer independent of the scheduling.
// present: bit r & 31 of word r >> 5 (the layout topk_users reads its candidate mask in).
extern "C" __global__ void __launch_bounds__(256)
first_non_finite(const float* __restrict__ f, long long rows, int k, const unsigned* __restrict__ present,
                 int* __restrict__ first)
{
    for (long long r = (long long)blockIdx.x * blockDim.x + threadIdx.x; r < rows;
         r += (long long)gridDim.x * blockDim.x) {
        if (!((present[r >> 5] >> (r & 31)) & 1u)) {
            continue;
        }
        const float* x = f + r * k;
        for (int d = 0; d < k; d++) {
            if (!(fabsf(x[d]) <= 3.40282347e38f)) {  // false for NaN and ±inf (3.40282347e38f is FLT_MAX)
                atomicMin(first, (int)r);
                break;
            }
        }
    }
}

// Warm-started conjugate gradient for implicit rows without forming A (opt-in fast mode, solver=cg), one warp per
// row, mirroring Encore's CPU engine step for step:
//   A·v = G v + λ n⁺ v + Σ_i α|r_i| (y_i·v) y_i,   b = Σ_{r_i>0} (1 + α r_i) y_i
//   r = b − A x;  d = r;  repeat cgSteps while rᵀr ≥ 1e-20:
//     a = rᵀr / dᵀAd;  x += a d;  r −= a Ad;  d = r + (r'ᵀr' / rᵀr) d
// Lane l holds components l, l+32, … (k ≤ CG_MAX_K); dot products are warp shuffles, no block barriers. G (full
// k × k, both triangles) is read from global memory (L2-resident). Dynamic shared memory: one k-double vector per warp
// (the vector being multiplied, so every lane can read all of it). A non-positive dᵀAd leaves the row unwritten and
// reports it in *firstBad, as the CPU engine throws.
#define CG_MAX_J 8
#define CG_MAX_K (32 * CG_MAX_J)

namespace {

__device__ __forceinline__ double warp_sum(double v) {
    for (int off = 16; off > 0; off >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, off);
    }
    return v;
}

// out = G·u + lam·u for the lane's components, u distributed over the lanes (staged through the warp's vector v).
__device__ __forceinline__ void gram_times(const double* __restrict__ gram, double* v, int k, int lane, double lam,
                                           const double (&u)[CG_MAX_J], double (&out)[CG_MAX_J]) {
    __syncwarp();
#pragma unroll
    for (int j = 0; j < CG_MAX_J; j++) {
        const int a = lane + 32 * j;
        if (a < k) {
            v[a] = u[j];
        }
    }
    __syncwarp();
#pragma unroll
    for (int j = 0; j < CG_MAX_J; j++) {
        const int a = lane + 32 * j;
        double g = 0.0;
        if (a < k) {
            for (int c = 0; c < k; c++) {
                g += gram[a * k + c] * v[c];
            }
        }
        out[j] = a < k ? g + lam * u[j] : 0.0;
    }
}

// y·u over the warp (u distributed over the lanes).
__device__ __forceinline__ double row_dot(const float* __restrict__ y, int k, int lane, const double (&u)[CG_MAX_J]) {
    double part = 0.0;
#pragma unroll
    for (int j = 0; j < CG_MAX_J; j++) {
        const int a = lane + 32 * j;
        part += a < k ? (double)y[a] * u[j] : 0.0;
    }
    return warp_sum(part);
}

// acc += w·y for the lane's components.
__device__ __forceinline__ void add_scaled(const float* __restrict__ y, int k, int lane, double w,
                                           double (&acc)[CG_MAX_J]) {
#pragma unroll
    for (int j = 0; j < CG_MAX_J; j++) {
        const int a = lane + 32 * j;
        if (a < k) {
            acc[j] += w * (double)y[a];
        }
    }
}

}  // namespace

extern "C" __global__ void __launch_bounds__(256)
cg_rows(const long long* __restrict__ rowPtr, const int* __restrict__ col, const float* __restrict__ val,
        const float* __restrict__ src, float* __restrict__ dst, const int* __restrict__ order, int nOrder, int k,
        double lambda, double alpha, const double* __restrict__ gram, int cgSteps, int* __restrict__ firstBad)
{
    extern __shared__ double vbuf[];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = blockDim.x >> 5;
    double* v = vbuf + warp * k;
    for (long long o = (long long)blockIdx.x * warps + warp; o < nOrder; o += (long long)gridDim.x * warps) {
        const int row = order[o];
        const long long s = rowPtr[row];
        const long long e = rowPtr[row + 1];
        double npos = 0.0;
        for (long long q = s + lane; q < e; q += 32) {
            npos += val[q] > 0.0f ? 1.0 : 0.0;
        }
        const double lam = lambda * warp_sum(npos);
        double x[CG_MAX_J], r[CG_MAX_J], d[CG_MAX_J], ap[CG_MAX_J];
#pragma unroll
        for (int j = 0; j < CG_MAX_J; j++) {
            const int a = lane + 32 * j;
            x[j] = a < k ? (double)dst[(long long)row * k + a] : 0.0;
        }
        // r = b − A x
        gram_times(gram, v, k, lane, lam, x, r);
#pragma unroll
        for (int j = 0; j < CG_MAX_J; j++) {
            r[j] = -r[j];
        }
        for (long long q = s; q < e; q++) {
            const float* y = src + (long long)col[q] * k;
            const double rv = (double)val[q];
            const double c1 = alpha * fabs(rv);
            add_scaled(y, k, lane, (rv > 0.0 ? 1.0 + c1 : 0.0) - c1 * row_dot(y, k, lane, x), r);
        }
        double rr = 0.0;
#pragma unroll
        for (int j = 0; j < CG_MAX_J; j++) {
            d[j] = r[j];
            rr += r[j] * r[j];
        }
        double rsOld = warp_sum(rr);
        bool bad = false;
        for (int step = 0; step < cgSteps && rsOld >= 1e-20; step++) {
            gram_times(gram, v, k, lane, lam, d, ap);
            for (long long q = s; q < e; q++) {
                const double c1 = alpha * fabs((double)val[q]);
                if (c1 == 0.0) {
                    continue;
                }
                const float* y = src + (long long)col[q] * k;
                add_scaled(y, k, lane, c1 * row_dot(y, k, lane, d), ap);
            }
            double dap = 0.0;
#pragma unroll
            for (int j = 0; j < CG_MAX_J; j++) {
                dap += d[j] * ap[j];
            }
            const double dAd = warp_sum(dap);
            if (!(dAd > 0.0)) {
                bad = true;
                break;
            }
            const double step_a = rsOld / dAd;
            double rn = 0.0;
#pragma unroll
            for (int j = 0; j < CG_MAX_J; j++) {
                x[j] += step_a * d[j];
                r[j] -= step_a * ap[j];
                rn += r[j] * r[j];
            }
            const double rsNew = warp_sum(rn);
            const double beta = rsNew / rsOld;
#pragma unroll
            for (int j = 0; j < CG_MAX_J; j++) {
                d[j] = r[j] + beta * d[j];
            }
            rsOld = rsNew;
        }
        if (bad) {
            if (lane == 0) {
                atomicMin(firstBad, row);
            }
            continue;
        }
#pragma unroll
        for (int j = 0; j < CG_MAX_J; j++) {
            const int a = lane + 32 * j;
            if (a < k) {
                dst[(long long)row * k + a] = (float)x[j];
            }
        }
    }
}
