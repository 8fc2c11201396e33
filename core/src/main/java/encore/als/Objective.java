package encore.als;

import encore.matrix.Csr;
import encore.matrix.Factors;

/**
 * The objective ALS minimises, for progress reports:
 * <pre>
 * explicit  Σ_(u,i) (r − xᵤ·yᵢ)² + λ(Σᵤ nᵤ‖xᵤ‖² + Σᵢ nᵢ‖yᵢ‖²)
 * implicit  Σ_(u, all i) c (p − xᵤ·yᵢ)² + λ(Σᵤ nᵤ⁺‖xᵤ‖² + Σᵢ nᵢ⁺‖yᵢ‖²)
 *         = Σᵤ [xᵤᵀ(YᵀY)xᵤ + Σ_{i∈Ωᵤ} (c (p − s)² − s²)] + …,  s = xᵤ·yᵢ, c = 1 + α|r|, p = [r &gt; 0]
 * </pre>
 * Sums in double, single-threaded, in row order (so the same factors give the same value on every engine).
 */
public final class Objective {
    private Objective() {}

    /** The objective of these factors on the users × items ratings. */
    public static double of(Csr userItems, Factors users, Factors items, AlsParams p) {
        int k = p.rank();
        boolean implicit = p.implicitPrefs();
        double[] gram = implicit ? gram(items) : null;
        double loss = 0;
        double[] itemCount = new double[items.rows()];
        int[] col = userItems.colIdx();
        float[] val = userItems.values();
        float[] uf = users.data();
        float[] itf = items.data();
        for (int u = users.nextPresent(0); u >= 0; u = users.nextPresent(u + 1)) {
            int uo = u * k;
            int n = 0;
            for (int q = userItems.rowStart(u); q < userItems.rowEnd(u); q++) {
                int io = col[q] * k;
                double s = 0;
                for (int d = 0; d < k; d++) {
                    s += (double) uf[uo + d] * itf[io + d];
                }
                double r = val[q];
                if (implicit) {
                    double c = 1 + p.alpha() * Math.abs(r);
                    double pref = r > 0 ? 1 : 0;
                    loss += c * (pref - s) * (pref - s) - s * s;
                } else {
                    loss += (r - s) * (r - s);
                }
                if (!implicit || r > 0) {
                    n++;
                    itemCount[col[q]]++;
                }
            }
            if (implicit) {
                loss = addQuadraticForm(loss, gram, uf, uo, k);
            }
            loss += p.regParam() * n * squaredNorm(uf, uo, k);
        }
        for (int i = items.nextPresent(0); i >= 0; i = items.nextPresent(i + 1)) {
            loss += p.regParam() * itemCount[i] * squaredNorm(itf, i * k, k);
        }
        return loss;
    }

    /** YᵀY over the present rows, full k × k, in row order. */
    private static double[] gram(Factors y) {
        int k = y.rank();
        float[] f = y.data();
        double[] gram = new double[k * k];
        for (int i = y.nextPresent(0); i >= 0; i = y.nextPresent(i + 1)) {
            for (int a = 0; a < k; a++) {
                double ya = f[i * k + a];
                for (int b = 0; b < k; b++) {
                    gram[a * k + b] += ya * f[i * k + b];
                }
            }
        }
        return gram;
    }

    /** {@code acc + xᵀGx}, each term added to {@code acc} in turn. */
    private static double addQuadraticForm(double acc, double[] g, float[] x, int o, int k) {
        for (int a = 0; a < k; a++) {
            double xa = x[o + a];
            for (int b = 0; b < k; b++) {
                acc += xa * g[a * k + b] * x[o + b];
            }
        }
        return acc;
    }

    private static double squaredNorm(float[] f, int o, int k) {
        double s = 0;
        for (int d = 0; d < k; d++) {
            s += (double) f[o + d] * f[o + d];
        }
        return s;
    }
}
