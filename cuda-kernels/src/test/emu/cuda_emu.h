// A CPU emulation of the small part of CUDA that Encore's kernels use, so that their logic (indexing, barriers,
// warp shuffles, atomics, early exits) can be executed and checked on a machine without a GPU. Every CUDA thread of a
// block is an OS thread; __syncthreads is a std::barrier over the block, __syncwarp one over the warp; blocks run one
// after another. It checks logic, not performance, and not the GPU memory model beyond what barriers order.
// run-emu.sh rewrites the kernels' shared-memory declarations into calls to emu::dyn_smem / emu::static_smem.
#pragma once
#include <algorithm>
#include <array>
#include <atomic>
#include <barrier>
#include <climits>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __restrict__ __restrict

struct alignas(16) float4 {
    float x, y, z, w;
};

namespace emu {
struct Dim {
    unsigned x = 0, y = 0, z = 0;
};

struct Block {
    std::vector<double> dyn;  // dynamic shared memory, 8-byte (and, from new, 16-byte) aligned
    std::map<std::string, std::shared_ptr<long long>> statics;
    std::mutex m;
    std::unique_ptr<std::barrier<>> bar;
    std::vector<std::unique_ptr<std::barrier<>>> warpBars;
    std::vector<std::array<unsigned long long, 32>> shfl;
};

inline thread_local Block* tb = nullptr;
inline thread_local Dim tIdx, bIdx, bDim, gDim;

inline void* dyn_smem() {
    return tb->dyn.data();
}

template <class T>
T& static_smem(const char* name) {
    std::lock_guard<std::mutex> g(tb->m);
    auto& p = tb->statics[name];
    if (!p) {
        p = std::make_shared<long long>(0);
    }
    return *reinterpret_cast<T*>(p.get());
}

inline std::barrier<>& warpBar() {
    return *tb->warpBars[tIdx.x >> 5];
}

/** Runs kernel(args...) on grid blocks of `block` threads with `smem` bytes of dynamic shared memory. */
template <class K, class... A>
void launch(K kernel, int grid, int block, size_t smem, A... args) {
    for (int b = 0; b < grid; b++) {
        Block blk;
        blk.dyn.assign(smem / 8 + 2, 0.0);
        blk.bar = std::make_unique<std::barrier<>>(block);
        for (int w = 0; w < (block + 31) / 32; w++) {
            blk.warpBars.push_back(std::make_unique<std::barrier<>>(std::min(32, block - 32 * w)));
        }
        blk.shfl.resize((block + 31) / 32);
        std::vector<std::thread> ts;
        ts.reserve(block);
        for (int t = 0; t < block; t++) {
            ts.emplace_back([&, t] {
                tb = &blk;
                tIdx.x = t;
                bIdx.x = b;
                bDim.x = block;
                gDim.x = grid;
                kernel(args...);
            });
        }
        for (auto& t : ts) {
            t.join();
        }
    }
}
}  // namespace emu

#define threadIdx (emu::tIdx)
#define blockIdx (emu::bIdx)
#define blockDim (emu::bDim)
#define gridDim (emu::gDim)

inline void __syncthreads() {
    emu::tb->bar->arrive_and_wait();
}

inline void __syncwarp(unsigned = 0xffffffffu) {
    emu::warpBar().arrive_and_wait();
}

template <class T>
T __shfl_xor_sync(unsigned, T v, int off) {
    static_assert(sizeof(T) <= 8, "shuffle of at most 8 bytes");
    int lane = threadIdx.x & 31;
    auto& buf = emu::tb->shfl[threadIdx.x >> 5];
    unsigned long long bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    buf[lane] = bits;
    __syncwarp();
    unsigned long long o = buf[lane ^ off];
    __syncwarp();
    T r;
    std::memcpy(&r, &o, sizeof(T));
    return r;
}

inline int atomicAdd(int* p, int v) {
    return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}

inline int atomicMin(int* p, int v) {
    int old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
    while (v < old && !__atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    }
    return old;
}

template <class T>
inline T min(T a, T b) {
    return a < b ? a : b;
}
