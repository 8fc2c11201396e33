package encore.pipeline;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.Recommendations;
import encore.data.LabelIndex;
import encore.matrix.Factors;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RecommendationsCsvTest {
    private static AlsModel model() {
        LabelIndex users = LabelIndex.ofOrdered(new String[] {"u0", "user, \"one\"", "u2"}, new int[3]);
        LabelIndex items = LabelIndex.ofOrdered(new String[] {"Intro", "Home, Sweet", "Ünïcödé ✓"}, new int[3]);
        BitSet all = new BitSet();
        all.set(0, 3);
        return new AlsModel(
                AlsParams.builder().rank(1).build(),
                users,
                items,
                Factors.copyOf(new float[] {1, 2, 3}, 3, 1, all),
                Factors.copyOf(new float[] {1, 0.5f, 0.25f}, 3, 1, all));
    }

    @Test
    void everyListEntryIsALineWithQuotedLabelsAndRanksFromOne() throws Exception {
        AlsModel m = model();
        Recommendations recs = m.recommendForAllUsers(2, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecommendationsCsv.write(out, m, recs, null);
        assertEquals(
                "user_id,rank,item,score\n"
                        + "u0,1,Intro,1.0\n"
                        + "u0,2,\"Home, Sweet\",0.5\n"
                        + "\"user, \"\"one\"\"\",1,Intro,2.0\n"
                        + "\"user, \"\"one\"\"\",2,\"Home, Sweet\",1.0\n"
                        + "u2,1,Intro,3.0\n"
                        + "u2,2,\"Home, Sweet\",1.5\n",
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void subsetRowsAreMappedToTheirUsersAndEmptyListsWriteNothing() throws Exception {
        AlsModel m = model();
        Recommendations recs = m.recommendForUsers(new String[] {"u2", "nobody", "u0"}, 1, null)
                .lists();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecommendationsCsv.write(out, m, recs, new int[] {2, 0});
        assertEquals("user_id,rank,item,score\nu2,1,Intro,3.0\nu0,1,Intro,1.0\n", out.toString(StandardCharsets.UTF_8));
        out.reset();
        RecommendationsCsv.write(out, m, Recommendations.of(1, new int[3], new float[3], new int[3]), null);
        assertEquals(RecommendationsCsv.HEADER, out.toString(StandardCharsets.UTF_8));
    }
}
