package encore.als;

/**
 * A small dense symmetric positive-definite solve in double, for the serving path's explanations (the engines have
 * their own, tuned, row solvers).
 */
final class DenseCholesky {
    private DenseCholesky() {}

    /**
     * Solves {@code A x = b} in place: {@code a} (k × k row-major, upper triangle read, overwritten by the factor) and
     * {@code b} (overwritten by x). A = UᵀU, then Uᵀz = b, U x = z.
     *
     * @param entries the row's rating count, for the error
     * @throws SingularSystemException when A is not positive definite
     */
    static void solveUpper(double[] a, double[] b, int k, int entries) {
        for (int j = 0; j < k; j++) {
            double d = a[j * k + j];
            for (int p = 0; p < j; p++) {
                d -= a[p * k + j] * a[p * k + j];
            }
            if (!(d > 0)) {
                throw new SingularSystemException(0, entries);
            }
            double u = Math.sqrt(d);
            a[j * k + j] = u;
            for (int c = j + 1; c < k; c++) {
                double s = a[j * k + c];
                for (int p = 0; p < j; p++) {
                    s -= a[p * k + j] * a[p * k + c];
                }
                a[j * k + c] = s / u;
            }
        }
        for (int i = 0; i < k; i++) {
            double s = b[i];
            for (int p = 0; p < i; p++) {
                s -= a[p * k + i] * b[p];
            }
            b[i] = s / a[i * k + i];
        }
        for (int i = k - 1; i >= 0; i--) {
            double s = b[i];
            for (int c = i + 1; c < k; c++) {
                s -= a[i * k + c] * b[c];
            }
            b[i] = s / a[i * k + i];
        }
    }
}
