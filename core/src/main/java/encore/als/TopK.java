package encore.als;

/**
 * Bounded top-k selection over (score, id) with Spark's order: higher score first, and among equal scores the higher
 * id first (Spark sorts ties id-descending). A binary min-heap keeps the k best seen; its root is the worst of them,
 * so most candidates are rejected by one comparison with {@link #threshold()}. Reusable: {@link #reset(int)}.
 */
public final class TopK {
    private final int[] ids;
    private final float[] scores;
    private int k;
    private int size;

    /** A selector for at most {@code capacity} entries. */
    public TopK(int capacity) {
        ids = new int[Math.max(1, capacity)];
        scores = new float[Math.max(1, capacity)];
        k = capacity;
    }

    /** Empties the selector and sets k (≤ capacity). */
    public void reset(int newK) {
        if (newK > ids.length) {
            throw new IllegalArgumentException("k " + newK + " exceeds capacity " + ids.length);
        }
        k = newK;
        size = 0;
    }

    /** True when (s1, id1) ranks below (s2, id2). */
    private static boolean worse(float s1, int id1, float s2, int id2) {
        return s1 < s2 || (s1 == s2 && id1 < id2);
    }

    /** The score a candidate must reach to be considered (−∞ while not full). */
    public float threshold() {
        return size < k ? Float.NEGATIVE_INFINITY : scores[0];
    }

    /** Offers a candidate. */
    public void offer(int id, float score) {
        if (k == 0) {
            return;
        }
        if (size < k) {
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!worse(score, id, scores[parent], ids[parent])) {
                    break;
                }
                ids[i] = ids[parent];
                scores[i] = scores[parent];
                i = parent;
            }
            ids[i] = id;
            scores[i] = score;
        } else if (worse(scores[0], ids[0], score, id)) {
            siftDownFromRoot(id, score);
        }
    }

    private void siftDownFromRoot(int id, float score) {
        int i = 0;
        int half = size >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            int r = c + 1;
            if (r < size && worse(scores[r], ids[r], scores[c], ids[c])) {
                c = r;
            }
            if (!worse(scores[c], ids[c], score, id)) {
                break;
            }
            ids[i] = ids[c];
            scores[i] = scores[c];
            i = c;
        }
        ids[i] = id;
        scores[i] = score;
    }

    /** Number of entries currently kept (at most k). */
    public int size() {
        return size;
    }

    /**
     * Writes the kept entries best-first into {@code outIds}/{@code outScores} at {@code off}, emptying the selector.
     *
     * @return how many were written
     */
    public int drainSorted(int[] outIds, float[] outScores, int off) {
        int n = size;
        for (int j = n - 1; j >= 0; j--) {
            // pop the worst to the back
            int topId = ids[0];
            float topScore = scores[0];
            size--;
            if (size > 0) {
                int lastId = ids[size];
                float lastScore = scores[size];
                siftDownFromRoot(lastId, lastScore);
            }
            outIds[off + j] = topId;
            outScores[off + j] = topScore;
        }
        return n;
    }
}
