package encore.pipeline;

import encore.als.AlsModel;
import encore.als.RankedItems;
import encore.als.Recommendations;
import encore.data.LabelIndex;
import encore.util.TextFields;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code recommendations.csv}: a header {@code user_id,rank,item,score}, then one line per list entry — labels as read
 * (RFC-4180 quoting), ranks from 1, the float score as {@link Float#toString}. Streamed: nothing but one label's
 * bytes is buffered per line, so writing every user's list needs no memory beyond the lists themselves.
 */
public final class RecommendationsCsv {
    /** The header line. */
    public static final String HEADER = "user_id,rank,item,score\n";

    private RecommendationsCsv() {}

    /** Writes one list (after the {@link #HEADER}, which the caller writes once): its user's label, then each entry. */
    public static void writeList(OutputStream os, String user, RankedItems list, LabelIndex items) throws IOException {
        byte[] u = TextFields.csv(user).getBytes(StandardCharsets.UTF_8);
        for (int r = 0; r < list.size(); r++) {
            os.write(u);
            os.write(',');
            os.write(Integer.toString(r + 1).getBytes(StandardCharsets.US_ASCII));
            os.write(',');
            os.write(TextFields.csv(items.label(list.item(r))).getBytes(StandardCharsets.UTF_8));
            os.write(',');
            os.write(Float.toString(list.score(r)).getBytes(StandardCharsets.US_ASCII));
            os.write('\n');
        }
    }

    /**
     * Writes the lists of {@code recs}; row {@code r} belongs to user {@code rowToUser[r]}, or to user {@code r} when
     * {@code rowToUser} is null. Users with empty lists get no line.
     */
    public static void write(OutputStream os, AlsModel model, Recommendations recs, int[] rowToUser)
            throws IOException {
        byte[][] itemBytes = new byte[model.items().size()][];
        os.write(HEADER.getBytes(StandardCharsets.US_ASCII));
        for (int row = 0; row < recs.rows(); row++) {
            int n = recs.count(row);
            if (n == 0) {
                continue;
            }
            int u = rowToUser == null ? row : rowToUser[row];
            byte[] user = TextFields.csv(model.users().label(u)).getBytes(StandardCharsets.UTF_8);
            for (int r = 0; r < n; r++) {
                int item = recs.id(row, r);
                if (itemBytes[item] == null) {
                    itemBytes[item] = TextFields.csv(model.items().label(item)).getBytes(StandardCharsets.UTF_8);
                }
                os.write(user);
                os.write(',');
                os.write(Integer.toString(r + 1).getBytes(StandardCharsets.US_ASCII));
                os.write(',');
                os.write(itemBytes[item]);
                os.write(',');
                os.write(Float.toString(recs.score(row, r)).getBytes(StandardCharsets.US_ASCII));
                os.write('\n');
            }
        }
    }
}
