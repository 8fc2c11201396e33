package encore.cpu;

import encore.als.AlsParams;
import encore.matrix.Csr;

/** A deliberately plain double-precision reference for one row's normal equations (full matrices, elimination). */
final class ReferenceSolve {
    private ReferenceSolve() {}

    static double[] row(Csr ratings, int row, float[] src, int srcRows, int k, AlsParams p) {
        double[][] a = new double[k][k];
        double[] b = new double[k];
        int n = 0;
        if (p.implicitPrefs()) {
            for (int j = 0; j < srcRows; j++) {
                for (int x = 0; x < k; x++) {
                    for (int y = 0; y < k; y++) {
                        a[x][y] += (double) src[j * k + x] * src[j * k + y];
                    }
                }
            }
        }
        for (int q = ratings.rowStart(row); q < ratings.rowEnd(row); q++) {
            int j = ratings.colIdx()[q];
            double r = ratings.values()[q];
            double c = p.implicitPrefs() ? p.alpha() * Math.abs(r) : 1;
            double t = p.implicitPrefs() ? (r > 0 ? 1 + c : 0) : r;
            if (!p.implicitPrefs() || r > 0) {
                n++;
            }
            for (int x = 0; x < k; x++) {
                b[x] += t * src[j * k + x];
                for (int y = 0; y < k; y++) {
                    a[x][y] += c * src[j * k + x] * src[j * k + y];
                }
            }
        }
        for (int x = 0; x < k; x++) {
            a[x][x] += p.regParam() * n;
        }
        // Gaussian elimination with partial pivoting
        for (int col = 0; col < k; col++) {
            int piv = col;
            for (int r = col + 1; r < k; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) {
                    piv = r;
                }
            }
            double[] tmp = a[col];
            a[col] = a[piv];
            a[piv] = tmp;
            double tb = b[col];
            b[col] = b[piv];
            b[piv] = tb;
            for (int r = col + 1; r < k; r++) {
                double f = a[r][col] / a[col][col];
                for (int c2 = col; c2 < k; c2++) {
                    a[r][c2] -= f * a[col][c2];
                }
                b[r] -= f * b[col];
            }
        }
        double[] x = new double[k];
        for (int r = k - 1; r >= 0; r--) {
            double s = b[r];
            for (int c2 = r + 1; c2 < k; c2++) {
                s -= a[r][c2] * x[c2];
            }
            x[r] = s / a[r][r];
        }
        return x;
    }
}
