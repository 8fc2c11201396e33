// Executes Encore's CUDA kernels on the CPU emulator (cuda_emu.h) and checks them against double-precision references
// computed here: the Gram, the fused build + Cholesky solve (both shared-memory and global-scratch layouts, explicit
// and implicit, empty / short / long rows, a singular row), CG convergence, the squared-error reduction, and top-k
// (exactly equal to a brute force that sums in the kernel's order), and the first-non-finite-row search. Exit status 0
// when every check passes.
#include "als.emu.cpp"
#include "topk.emu.cpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace {
int failures = 0;
// EMU_FULL=1 runs every combination; the default (CI) runs a representative subset in well under a minute
const bool full = std::getenv("EMU_FULL") != nullptr;

std::vector<int> pick(std::vector<int> all, std::vector<int> quick) {
    return full ? all : quick;
}

void expect(bool ok, const char* what, double value, double limit) {
    std::printf("%-58s %-4s %.3g (limit %.3g)\n", what, ok ? "ok" : "FAIL", value, limit);
    if (!ok) {
        failures++;
    }
}

struct Csr {
    int rows, cols;
    std::vector<long long> ptr;
    std::vector<int> col;
    std::vector<float> val;
};

// rows with lengths from `lens`, distinct ascending columns, values 1..30 (implicit: some negative)
Csr randomCsr(const std::vector<int>& lens, int cols, bool implicit, std::mt19937_64& rng) {
    Csr m{(int)lens.size(), cols, {0}, {}, {}};
    for (int len : lens) {
        std::vector<int> c(cols);
        for (int i = 0; i < cols; i++) c[i] = i;
        std::shuffle(c.begin(), c.end(), rng);
        c.resize(len);
        std::sort(c.begin(), c.end());
        for (int x : c) {
            m.col.push_back(x);
            int v = 1 + (int)(rng() % 30);
            m.val.push_back(implicit && rng() % 7 == 0 ? -1.0f : (float)v);
        }
        m.ptr.push_back((long long)m.col.size());
    }
    return m;
}

std::vector<float> randomFactors(int n, int k, std::mt19937_64& rng) {
    std::normal_distribution<double> g(0, 1 / std::sqrt((double)k));
    std::vector<float> f((size_t)n * k);
    for (auto& x : f) x = (float)g(rng);
    return f;
}

std::vector<double> gramRef(const std::vector<float>& y, int rows, int k) {
    std::vector<double> g((size_t)k * k, 0);
    for (int r = 0; r < rows; r++)
        for (int a = 0; a < k; a++)
            for (int c = 0; c < k; c++) g[a * k + c] += (double)y[r * k + a] * y[r * k + c];
    return g;
}

// relative residual of row r's normal equations at x (as RowResiduals.of)
double residual(const Csr& m, int r, const std::vector<float>& src, const float* x, int k, double lambda,
                bool implicit, double alpha, const std::vector<double>& gram) {
    std::vector<double> ax(k, 0), b(k, 0);
    double xn = 0;
    for (int d = 0; d < k; d++) xn += (double)x[d] * x[d];
    xn = std::sqrt(xn);
    double scale = 0;
    if (implicit) {
        double gn = 0;
        for (int a = 0; a < k; a++)
            for (int c = 0; c < k; c++) {
                ax[a] += gram[a * k + c] * x[c];
                gn += gram[a * k + c] * gram[a * k + c];
            }
        scale += std::sqrt(gn) * xn;
    }
    int n = 0;
    for (long long q = m.ptr[r]; q < m.ptr[r + 1]; q++) {
        const float* y = &src[(size_t)m.col[q] * k];
        double v = m.val[q], w, t;
        if (implicit) {
            w = alpha * std::fabs(v);
            t = v > 0 ? 1 + alpha * v : 0;
            n += v > 0;
        } else {
            w = 1;
            t = v;
            n++;
        }
        double dot = 0, yy = 0;
        for (int d = 0; d < k; d++) {
            dot += (double)y[d] * x[d];
            yy += (double)y[d] * y[d];
        }
        for (int d = 0; d < k; d++) {
            ax[d] += w * dot * y[d];
            b[d] += t * y[d];
        }
        scale += w * yy * xn;
    }
    double res = 0, bn = 0;
    for (int d = 0; d < k; d++) {
        double e = ax[d] + lambda * n * x[d] - b[d];
        res += e * e;
        bn += b[d] * b[d];
    }
    scale += lambda * n * xn + std::sqrt(bn);
    return scale == 0 ? 0 : std::sqrt(res) / scale;
}

// Textbook conjugate gradient in double on the dense implicit system A = YᵀY + Σ c·y yᵀ + λ·n⁺·I, b = Σ (1 + c)·y
// over the positive entries (c = alpha·|r|), from x0, for `steps` steps (stopping early once ‖r‖² < 1e-20): the
// independent oracle for what `steps` steps of cg_rows must give.
std::vector<double> referenceCg(const Csr& m, int r, const std::vector<float>& src, const float* x0, int k,
                                double lambda, double alpha, const std::vector<double>& gram, int steps) {
    std::vector<double> A(gram.begin(), gram.end()), b(k, 0), x(x0, x0 + k);
    int npos = 0;
    for (long long q = m.ptr[r]; q < m.ptr[r + 1]; q++) {
        const float* y = &src[(size_t)m.col[q] * k];
        double v = m.val[q], c = alpha * std::fabs(v);
        npos += v > 0;
        for (int a = 0; a < k; a++) {
            if (v > 0) b[a] += (1 + c) * y[a];
            for (int d = 0; d < k; d++) A[a * k + d] += c * (double)y[a] * y[d];
        }
    }
    for (int a = 0; a < k; a++) A[a * k + a] += lambda * npos;
    auto times = [&](const std::vector<double>& v) {
        std::vector<double> out(k, 0);
        for (int a = 0; a < k; a++)
            for (int d = 0; d < k; d++) out[a] += A[a * k + d] * v[d];
        return out;
    };
    std::vector<double> res = times(x);
    for (int a = 0; a < k; a++) res[a] = b[a] - res[a];
    std::vector<double> dir = res;
    double rs = 0;
    for (double e : res) rs += e * e;
    for (int step = 0; step < steps && rs >= 1e-20; step++) {
        std::vector<double> ad = times(dir);
        double dad = 0;
        for (int a = 0; a < k; a++) dad += dir[a] * ad[a];
        double alphaStep = rs / dad, rsNew = 0;
        for (int a = 0; a < k; a++) {
            x[a] += alphaStep * dir[a];
            res[a] -= alphaStep * ad[a];
            rsNew += res[a] * res[a];
        }
        for (int a = 0; a < k; a++) dir[a] = res[a] + rsNew / rs * dir[a];
        rs = rsNew;
    }
    return x;
}

std::vector<int> longestFirst(const Csr& m) {
    std::vector<int> o;
    for (int r = 0; r < m.rows; r++)
        if (m.ptr[r + 1] > m.ptr[r]) o.push_back(r);
    std::stable_sort(o.begin(), o.end(), [&](int a, int b) { return m.ptr[a + 1] - m.ptr[a] > m.ptr[b + 1] - m.ptr[b]; });
    return o;
}

std::vector<double> gpuGram(const std::vector<float>& y, int rows, int k, int parts) {
    long long per = (rows + parts - 1) / parts;
    int tile = std::max(1, 64 / k);
    std::vector<double> partials((size_t)parts * k * k), g((size_t)k * k);
    emu::launch(gram_partial, parts, 64, sizeof(float) * tile * k, y.data(), (long long)rows, k, per, tile,
                partials.data());
    emu::launch(gram_reduce, 2, 64, 0, (const double*)partials.data(), parts, k, g.data());
    return g;
}

void checkGram() {
    std::mt19937_64 rng(1);
    for (int k : pick({1, 7, 33}, {7, 33})) {
        int rows = 500;
        auto y = randomFactors(rows, k, rng);
        auto g = gpuGram(y, rows, k, 5);
        auto ref = gramRef(y, rows, k);
        double err = 0, mx = 0;
        for (size_t i = 0; i < g.size(); i++) {
            err = std::max(err, std::fabs(g[i] - ref[i]));
            mx = std::max(mx, std::fabs(ref[i]));
        }
        char what[80];
        std::snprintf(what, sizeof what, "gram k=%d: max relative error", k);
        expect(err <= 1e-12 * mx, what, err / mx, 1e-12);
    }
}

void checkSolve() {
    std::mt19937_64 rng(2);
    for (int k : pick({1, 5, 32, 40}, {1, 40})) {
        for (int implicit = 0; implicit <= 1; implicit++) {
            for (int shared = 1; shared >= 0; shared--) {
                int cols = 300;
                std::vector<int> lens = {0, 1, 3, 60, 0, 17, 300, 2, 45, 9};
                Csr m = randomCsr(lens, cols, implicit, rng);
                auto src = randomFactors(cols, k, rng);
                double lambda = 0.05, alpha = 2;
                auto gram = gramRef(src, cols, k);
                auto order = longestFirst(m);
                int tile = 8;
                int grid = 3;
                std::vector<float> dst((size_t)m.rows * k, NAN);
                std::vector<double> scratch(shared ? 1 : (size_t)grid * k * k);
                size_t smem = 8 * ((shared ? (size_t)k * k : 0) + k + 2 * tile) + 4 * (size_t)tile * k;
                int bad = INT_MAX;
                emu::launch(solve_rows, grid, 64, smem, (const long long*)m.ptr.data(), (const int*)m.col.data(),
                            (const float*)m.val.data(), (const float*)src.data(), dst.data(), (const int*)order.data(),
                            (int)order.size(), k, lambda, implicit, alpha, (const double*)gram.data(),
                            shared ? nullptr : scratch.data(), shared, tile, &bad);
                double worst = 0;
                bool untouched = true;
                for (int r = 0; r < m.rows; r++) {
                    if (m.ptr[r + 1] == m.ptr[r]) {
                        for (int d = 0; d < k; d++) untouched = untouched && std::isnan(dst[r * k + d]);
                    } else {
                        worst = std::max(worst, residual(m, r, src, &dst[r * k], k, lambda, implicit, alpha, gram));
                    }
                }
                char what[100];
                std::snprintf(what, sizeof what, "solve_rows k=%d %s A in %s: worst residual", k,
                              implicit ? "implicit" : "explicit", shared ? "shared" : "global");
                expect(worst <= 1e-6 && untouched && bad == INT_MAX, what, worst, 1e-6);
            }
        }
    }
    // singular: regParam 0, explicit, rows with fewer entries than the rank
    {
        int k = 6;
        Csr m = randomCsr({10, 2, 12, 3}, 40, false, rng);
        auto src = randomFactors(40, k, rng);
        auto order = longestFirst(m);
        std::vector<float> dst((size_t)m.rows * k, NAN);
        int bad = INT_MAX;
        size_t smem = 8 * ((size_t)k * k + k + 16) + 4 * 8 * (size_t)k;
        std::vector<double> none;
        emu::launch(solve_rows, 2, 64, smem, (const long long*)m.ptr.data(), (const int*)m.col.data(),
                    (const float*)m.val.data(), (const float*)src.data(), dst.data(), (const int*)order.data(),
                    (int)order.size(), k, 0.0, 0, 0.0, (const double*)nullptr, (double*)nullptr, 1, 8, &bad);
        expect(bad == 1, "solve_rows regParam 0: first singular row reported", bad, 1);
    }
}

void checkCg() {
    std::mt19937_64 rng(3);
    for (int k : pick({5, 40}, {40})) {
        int cols = 200;
        Csr m = randomCsr({0, 1, 30, 90, 7, 0, 64}, cols, true, rng);
        auto src = randomFactors(cols, k, rng);
        auto gram = gramRef(src, cols, k);
        auto order = longestFirst(m);
        double lambda = 0.1, alpha = 1;
        auto warm = randomFactors(m.rows, k, rng);
        for (int steps : {3, k + 5}) {
            std::vector<float> dst = warm;
            int bad = INT_MAX;
            emu::launch(cg_rows, 2, 64, 8 * 2 * (size_t)k, (const long long*)m.ptr.data(), (const int*)m.col.data(),
                        (const float*)m.val.data(), (const float*)src.data(), dst.data(), (const int*)order.data(),
                        (int)order.size(), k, lambda, alpha, (const double*)gram.data(), steps, &bad);
            double worst = 0, worstWarm = 0, worstVsRef = 0, worstRefDecrease = 0;
            bool untouched = true;
            int solved = 0;
            for (int r = 0; r < m.rows; r++) {
                if (m.ptr[r + 1] == m.ptr[r]) {
                    for (int d = 0; d < k; d++) untouched = untouched && dst[r * k + d] == warm[r * k + d];
                    continue;
                }
                solved++;
                double res = residual(m, r, src, &dst[r * k], k, lambda, true, alpha, gram);
                double resWarm = residual(m, r, src, &warm[r * k], k, lambda, true, alpha, gram);
                worst = std::max(worst, res);
                worstWarm = std::max(worstWarm, resWarm);
                // the same steps of CG in double: x within float rounding of it, per row
                auto ref = referenceCg(m, r, src, &warm[r * k], k, lambda, alpha, gram, steps);
                std::vector<float> refF(ref.begin(), ref.end());
                double refNorm = 0, diff = 0;
                for (int d = 0; d < k; d++) {
                    refNorm = std::max(refNorm, std::fabs(ref[d]));
                    diff = std::max(diff, std::fabs(dst[r * k + d] - ref[d]));
                }
                worstVsRef = std::max(worstVsRef, diff / std::max(refNorm, 1e-30));
                // and its residual decreases as much as the reference's does (not merely below the warm start's)
                double refRes = residual(m, r, src, refF.data(), k, lambda, true, alpha, gram);
                worstRefDecrease = std::max(worstRefDecrease, res / std::max(refRes, 1e-12));
            }
            char what[120];
            double limit = steps == 3 ? worstWarm : 1e-5;
            std::snprintf(what, sizeof what, "cg_rows k=%d %d steps: worst residual (warm start %.2g)", k, steps,
                          worstWarm);
            expect(worst < limit && untouched && bad == INT_MAX && solved >= 5, what, worst, limit);
            std::snprintf(what, sizeof what, "cg_rows k=%d %d steps: max |x - reference CG x| / |x|", k, steps);
            expect(worstVsRef <= 1e-6, what, worstVsRef, 1e-6);
            if (steps == 3) {
                std::snprintf(what, sizeof what, "cg_rows k=%d 3 steps: residual / reference CG's residual", k);
                expect(worstRefDecrease <= 1.01, what, worstRefDecrease, 1.01);
            }
        }
    }
}

void checkSquaredError() {
    std::mt19937_64 rng(4);
    int k = 9;
    std::vector<int> lens;
    for (int r = 0; r < 150; r++) lens.push_back((int)(rng() % 20));
    Csr m = randomCsr(lens, 80, false, rng);
    auto x = randomFactors(m.rows, k, rng);
    auto y = randomFactors(80, k, rng);
    int per = 16;
    int blocks = (m.rows + per - 1) / per;
    std::vector<double> part(blocks);
    emu::launch(squared_error, blocks, 64, 8 * 64, (const long long*)m.ptr.data(), (const int*)m.col.data(),
                (const float*)m.val.data(), (const float*)x.data(), (const float*)y.data(), m.rows, k, per,
                part.data());
    double got = 0, ref = 0;
    for (double p : part) got += p;
    for (int r = 0; r < m.rows; r++)
        for (long long q = m.ptr[r]; q < m.ptr[r + 1]; q++) {
            double s = 0;
            for (int d = 0; d < k; d++) s += (double)x[r * k + d] * y[m.col[q] * k + d];
            ref += (m.val[q] - s) * (m.val[q] - s);
        }
    expect(std::fabs(got - ref) <= 1e-12 * ref, "squared_error: relative error", std::fabs(got - ref) / ref, 1e-12);
}

void checkFirstNonFinite() {
    std::mt19937_64 rng(6);
    int rows = 300, k = 7;
    std::vector<unsigned> present((rows + 31) / 32 + 1, 0);
    for (int r = 0; r < rows; r++)
        if (r % 11 != 3) present[r >> 5] |= 1u << (r & 31);
    auto run = [&](const std::vector<float>& f) {
        int first = INT_MAX;
        emu::launch(first_non_finite, 2, 64, 0, f.data(), (long long)rows, k, (const unsigned*)present.data(), &first);
        return first;
    };
    auto f = randomFactors(rows, k, rng);
    bool ok = run(f) == INT_MAX;
    f[3 * k + 2] = NAN;             // row 3 is absent: ignored
    f[250 * k + 6] = INFINITY;      // present rows 250 and 77 (the smallest wins, whichever thread finds it first)
    f[77 * k] = -INFINITY;
    ok = ok && run(f) == 77;
    f[77 * k] = 0;
    f[191 * k + 1] = NAN;
    ok = ok && run(f) == 191;
    f[191 * k + 1] = 3.4028235e38f;  // FLT_MAX itself is finite
    ok = ok && run(f) == 250;
    expect(ok, "first_non_finite: smallest present row found", ok ? 0 : 1, 0);
}

void checkTopk() {
    std::mt19937_64 rng(5);
    for (int f : pick({5, 40}, {40})) {
        for (int k : pick({1, 10, 150, 400}, {10, 400})) {
            for (int ut : pick({4, 32}, k > 100 ? std::vector<int>{4} : std::vector<int>{4, 32})) {
                for (int exclude = 0; exclude <= 1; exclude++) {
                    int nq = k >= 150 ? 9 : 37, nc = 300;  // long lists: fewer users (each insertion is slow here)
                    auto q = randomFactors(nq, f, rng);
                    auto c = randomFactors(nc, f, rng);
                    for (int j = 0; j + 5 < nc; j += 41) std::copy_n(&c[j * f], f, &c[(j + 5) * f]);  // ties
                    std::vector<unsigned> allowed((nc + 31) / 32 + 1, 0);
                    for (int j = 0; j < nc; j++)
                        if (j % 13 != 4) allowed[j >> 5] |= 1u << (j & 31);
                    std::vector<int> lens;
                    for (int i = 0; i < nq; i++) lens.push_back(i == 3 ? nc : (int)(rng() % 40));  // user 3 saw all
                    Csr seen = randomCsr(lens, nc, false, rng);
                    std::vector<int> users;
                    for (int i = nq - 1; i >= 0; i -= 1)
                        if (i % 5 != 2) users.push_back(i);
                    int kk = std::min(k, nc);
                    size_t smem = 4 * ((size_t)ut * TK_D + TK_D * TK_ISTRIDE) + 8 * (size_t)ut * kk +
                                  8 * (size_t)ut * TK_CAP + 16 * (size_t)ut;
                    std::vector<int> ids(users.size() * kk, -7), counts(users.size(), -7);
                    std::vector<float> scores(users.size() * kk);
                    int grid = ((int)users.size() + ut - 1) / ut;
                    emu::launch(topk_users, grid, ut * 8, smem, (const float*)q.data(), (const int*)users.data(),
                                (int)users.size(), (const float*)c.data(), nc, f, (const unsigned*)allowed.data(),
                                exclude ? (const long long*)seen.ptr.data() : (const long long*)nullptr,
                                exclude ? (const int*)seen.col.data() : (const int*)nullptr, kk, ut, ids.data(),
                                scores.data(), counts.data());
                    int mismatches = 0;
                    for (size_t p = 0; p < users.size(); p++) {
                        int u = users[p];
                        std::vector<std::pair<float, int>> all;
                        for (int j = 0; j < nc; j++) {
                            if (!((allowed[j >> 5] >> (j & 31)) & 1u)) continue;
                            if (exclude && std::binary_search(&seen.col[seen.ptr[u]], &seen.col[seen.ptr[u + 1]], j)) continue;
                            float s = 0;
                            for (int d0 = 0; d0 < f; d0 += TK_D)  // the kernel's order: fmaf over d ascending
                                for (int d = d0; d < std::min(f, d0 + TK_D); d++) s = fmaf(q[u * f + d], c[j * f + d], s);
                            all.push_back({s, j});
                        }
                        std::sort(all.begin(), all.end(), [](auto& a, auto& b) {
                            return a.first > b.first || (a.first == b.first && a.second > b.second);
                        });
                        int want = std::min((int)all.size(), kk);
                        if (counts[p] != want) {
                            mismatches++;
                            continue;
                        }
                        for (int r = 0; r < want; r++)
                            if (ids[p * kk + r] != all[r].second || scores[p * kk + r] != all[r].first) {
                                mismatches++;
                                break;
                            }
                    }
                    char what[100];
                    std::snprintf(what, sizeof what, "topk_users f=%d k=%d ut=%d%s: lists differing", f, k, ut,
                                  exclude ? " excl" : "");
                    expect(mismatches == 0, what, mismatches, 0);
                }
            }
        }
    }
}
}  // namespace

int main() {
    using Check = void (*)();
    const std::pair<const char*, Check> checks[] = {{"gram", checkGram}, {"solve", checkSolve}, {"cg", checkCg},
                                                    {"squared error", checkSquaredError},
                                                    {"non-finite", checkFirstNonFinite}, {"top-k", checkTopk}};
    for (auto [name, check] : checks) {
        auto t0 = std::chrono::steady_clock::now();
        check();
        std::printf("  (%s: %.1f s)\n", name,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::printf("%d failed\n", failures);
    return failures == 0 ? 0 : 1;
}
