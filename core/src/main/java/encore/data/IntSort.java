package encore.data;

/** Stable sorting of {@code int} arrays by a comparator, without boxing (top-down merge sort). */
final class IntSort {
    /** Compares two ints (ids) by whatever they stand for. */
    @FunctionalInterface
    interface IntComparator {
        int compare(int a, int b);
    }

    private IntSort() {}

    /** Sorts {@code a[from, to)} stably. */
    static void sort(int[] a, int from, int to, IntComparator c) {
        int n = to - from;
        if (n < 2) {
            return;
        }
        int[] scratch = new int[n];
        System.arraycopy(a, from, scratch, 0, n);
        mergeSort(scratch, 0, a, from, n, c);
    }

    /** Sorts src[so, so+n) into dst[do, do+n); src is used as scratch. */
    private static void mergeSort(int[] src, int so, int[] dst, int dO, int n, IntComparator c) {
        if (n <= 24) {
            // insertion sort into dst
            for (int i = 0; i < n; i++) {
                int v = src[so + i];
                int j = dO + i - 1;
                while (j >= dO && c.compare(dst[j], v) > 0) {
                    dst[j + 1] = dst[j];
                    j--;
                }
                dst[j + 1] = v;
            }
            return;
        }
        int half = n >>> 1;
        // sort both halves of dst into src, then merge src into dst
        mergeSort(dst, dO, src, so, half, c);
        mergeSort(dst, dO + half, src, so + half, n - half, c);
        int i = so;
        int iEnd = so + half;
        int j = iEnd;
        int jEnd = so + n;
        int k = dO;
        while (i < iEnd && j < jEnd) {
            dst[k++] = c.compare(src[j], src[i]) < 0 ? src[j++] : src[i++];
        }
        while (i < iEnd) {
            dst[k++] = src[i++];
        }
        while (j < jEnd) {
            dst[k++] = src[j++];
        }
    }
}
