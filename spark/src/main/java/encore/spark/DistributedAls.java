package encore.spark;

import encore.als.AlsBackend;
import encore.als.AlsException;
import encore.als.AlsFit;
import encore.als.AlsParams;
import encore.als.Backends;
import encore.als.InitialFactors;
import encore.als.SingularSystemException;
import encore.matrix.Factors;
import org.apache.spark.HashPartitioner;
import org.apache.spark.Partitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Distributed ALS on Spark's RDDs with Encore's row solve in every task — MLlib's block scheme:
 *
 * <pre>
 *   ratings ─▶ user in-blocks  (numUserBlocks, block of user u = u mod numUserBlocks)   persisted
 *           ─▶ item in-blocks  (numItemBlocks)                                        persisted
 *   out-blocks: for each block of one side, which of its factors each block of the other side rates   persisted
 *   iteration: items ← solve(item in-blocks, user factors); users ← solve(user in-blocks, item factors)
 *   solve(dst ← src):  YᵀY = Σ_b gram(src block b)  (implicit: k × k per block to the driver, summed in block
 *                      order, broadcast)
 *                      src factors ─ broadcast (≤ broadcastThreshold bytes) or join with the out-blocks and
 *                      shuffle each factor to the blocks that rate it ─▶ each dst block's local src matrix
 *                      ─▶ AlsBackend.solveRows(block's ratings, local src, YᵀY, warm start) on the executor
 * </pre>
 *
 * Results do not depend on the partitioning of the input or on which path ships the factors: a block's rows, their
 * entries' order and the values read are those of the single-machine fit (see {@link InBlock}); explicit feedback
 * gives the single-machine factors bit for bit, implicit within rounding (YᵀY is summed per block, then over the
 * blocks, where the single machine sums fixed 4,096-row slices).
 *
 * <p>The driver never holds the ratings; it holds a factor matrix only to broadcast one under the threshold, and one
 * k × k YᵀY (implicit). Each task holds its block's ratings, the factors it needs and its result.
 */
final class DistributedAls {
    private final AlsParams params;
    private final Settings settings;

    /**
     * How the fit is laid out and run.
     *
     * @param userBlocks         numUserBlocks
     * @param itemBlocks         numItemBlocks
     * @param intermediate       where the blocks and the factors of each iteration are kept (not NONE)
     * @param finalLevel         where the final factor DataFrames' data is kept
     * @param checkpointInterval checkpoint the factors every this many iterations when the context has a
     *                           checkpoint directory (-1: never)
     * @param broadcastThreshold the largest fixed-side factor matrix (bytes) broadcast rather than joined
     * @param engine             auto, cpu or gpu
     */
    record Settings(
            int userBlocks,
            int itemBlocks,
            StorageLevel intermediate,
            StorageLevel finalLevel,
            int checkpointInterval,
            long broadcastThreshold,
            String engine)
            implements Serializable {}

    /** The fitted factors as Spark ALS's DataFrames ({@code id int, features array<float>}), and the fit's summary. */
    record Result(Dataset<Row> userFactors, Dataset<Row> itemFactors, FitSummary summary) {}

    /** What a task needs to open an engine and solve: the parameters (as their map) and the engine's name. */
    record Job(Map<String, String> params, String engine, String noun, CollectionAccumulator<String> engines)
            implements Serializable {
        AlsParams alsParams() {
            return AlsParams.fromMap(params);
        }

        /** The engine for this task, on the task's cores. */
        AlsBackend open() {
            TaskContext tc = TaskContext.get();
            int threads = tc == null ? Runtime.getRuntime().availableProcessors() : Math.max(1, tc.cpus());
            try (Backends.Choice choice = Backends.choose(engine)) {
                return choice.open(alsParams(), threads);
            }
        }

        /** Counts a block solved by {@code b} (its name, and why it fell back to the CPU if it did). */
        void solvedBy(AlsBackend b) {
            String reason = b.fallbackReason();
            engines.add(reason == null ? b.name() : b.name() + " (fallback: " + reason + ")");
        }
    }

    /**
     * One side of the factorisation: its blocks, its out-blocks (which of this side's factors each block of the other
     * side rates) and its partitioner.
     */
    private record Side(
            AlsFit.Side side,
            Partitioner part,
            JavaPairRDD<Integer, InBlock> in,
            JavaPairRDD<Integer, OutBlock> out,
            long entities,
            long shippedFactors) {}

    DistributedAls(AlsParams params, Settings settings) {
        if (settings.intermediate().equals(StorageLevel.NONE())) {
            throw new IllegalArgumentException("ALS is not designed to run without persisting intermediate RDDs.");
        }
        this.params = params;
        this.settings = settings;
    }

    /**
     * Trains on (user int, item int, rating float) rows (what ALS.fit's checked select yields).
     *
     * @throws IllegalArgumentException when there are no ratings (Spark's message)
     */
    Result train(JavaRDD<Row> triples) {
        long start = System.nanoTime();
        SparkSession spark = SparkSession.active();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(triples.context());
        StorageLevel level = settings.intermediate();
        Partitioner userPart = new HashPartitioner(settings.userBlocks());
        Partitioner itemPart = new HashPartitioner(settings.itemBlocks());
        JavaRDD<Row> input = triples.persist(level);
        JavaPairRDD<Integer, InBlock> userIn = inBlocks(input, userPart, settings.itemBlocks(), false, level);
        JavaPairRDD<Integer, InBlock> itemIn = inBlocks(input, itemPart, settings.userBlocks(), true, level);
        long[] userStats = stats(userIn);
        long users = userStats[0];
        if (users == 0) {
            input.unpersist(false);
            throw new IllegalArgumentException("requirement failed: No ratings available from " + triples.rdd());
        }
        long[] itemStats = stats(itemIn);
        long items = itemStats[0];
        input.unpersist(false);
        JavaPairRDD<Integer, OutBlock> userOut = outBlocks(itemIn, userIn, userPart, itemPart, level);
        JavaPairRDD<Integer, OutBlock> itemOut = outBlocks(userIn, itemIn, itemPart, userPart, level);
        Side u = new Side(AlsFit.Side.USERS, userPart, userIn, userOut, users, shipped(userOut));
        Side i = new Side(AlsFit.Side.ITEMS, itemPart, itemIn, itemOut, items, shipped(itemOut));
        double setup = (System.nanoTime() - start) / 1e9;
        Map<String, String> map = params.toMap();
        CollectionAccumulator<String> engines = sc.sc().collectionAccumulator("EncoreALS engines");
        Job userJob = new Job(map, settings.engine(), "user", engines);
        Job itemJob = new Job(map, settings.engine(), "item", engines);
        List<FitSummary.Half> halves = new ArrayList<>();
        JavaPairRDD<Integer, FactorBlock> userF =
                initial(u, userJob, settings.userBlocks()).persist(level);
        JavaPairRDD<Integer, FactorBlock> itemF =
                initial(i, itemJob, settings.itemBlocks()).persist(level);
        for (int iter = 1; iter <= params.maxIter(); iter++) {
            JavaPairRDD<Integer, FactorBlock> nextItems = solve(sc, i, itemF, u, userF, itemJob, iter, halves);
            itemF.unpersist(false);
            itemF = nextItems;
            JavaPairRDD<Integer, FactorBlock> nextUsers = solve(sc, u, userF, i, itemF, userJob, iter, halves);
            userF.unpersist(false);
            userF = nextUsers;
        }
        Dataset<Row> userDf = frame(spark, userF);
        Dataset<Row> itemDf = frame(spark, itemF);
        for (JavaPairRDD<?, ?> r : List.of(userF, itemF, userIn, itemIn, u.out(), i.out())) {
            r.unpersist(false);
        }
        Map<String, Long> byEngine = new java.util.TreeMap<>();
        for (String e : engines.value()) {
            byEngine.merge(e, 1L, Long::sum);
        }
        FitSummary summary = new FitSummary(
                users,
                items,
                userStats[1],
                params.rank(),
                userStats[2] + itemStats[2],
                setup,
                List.copyOf(halves),
                byEngine);
        return new Result(userDf, itemDf, summary);
    }

    /**
     * One side's in-blocks: each input partition buckets its ratings by block (one {@link RatingChunk} per block),
     * the chunks meet in their block's partition and become its {@link InBlock}.
     *
     * @param byItem whether the blocks are the item side's (dst = item, src = user)
     */
    private static JavaPairRDD<Integer, InBlock> inBlocks(
            JavaRDD<Row> input, Partitioner part, int srcBlocks, boolean byItem, StorageLevel level) {
        int blocks = part.numPartitions();
        JavaPairRDD<Integer, RatingChunk> chunks = input.mapPartitionsToPair(rows -> {
            RatingChunk[] out = new RatingChunk[blocks];
            while (rows.hasNext()) {
                Row r = rows.next();
                int user = r.getInt(0);
                int item = r.getInt(1);
                float v = r.getFloat(2);
                int dst = byItem ? item : user;
                int b = Math.floorMod(dst, blocks);
                if (out[b] == null) {
                    out[b] = new RatingChunk();
                }
                out[b].add(dst, byItem ? user : item, v);
            }
            List<Tuple2<Integer, RatingChunk>> list = new ArrayList<>();
            for (int b = 0; b < blocks; b++) {
                if (out[b] != null) {
                    list.add(new Tuple2<>(b, out[b]));
                }
            }
            return list.iterator();
        });
        // partitionBy, not groupByKey: a plain shuffle (block b lands in partition b, alone), merged per partition
        // here. groupByKey's combiner closures would hold the parent RDD — and through it the input DataFrame's plan
        // (a StringIndexer's labels, megabytes) — in every later task's binary.
        return chunks.partitionBy(part)
                .mapPartitionsToPair(
                        in -> {
                            List<Tuple2<Integer, InBlock>> out = new ArrayList<>(1);
                            if (in.hasNext()) {
                                Tuple2<Integer, RatingChunk> first = in.next();
                                List<RatingChunk> cs = new ArrayList<>();
                                cs.add(first._2());
                                while (in.hasNext()) {
                                    Tuple2<Integer, RatingChunk> t = in.next();
                                    if (!t._1().equals(first._1())) {
                                        throw new IllegalStateException(
                                                "blocks " + first._1() + " and " + t._1() + " in one partition");
                                    }
                                    cs.add(t._2());
                                }
                                out.add(new Tuple2<>(first._1(), RatingChunk.merge(cs, srcBlocks)));
                            }
                            return out.iterator();
                        },
                        true)
                .setName((byItem ? "item" : "user") + "InBlocks")
                .persist(level);
    }

    /** A side's entities with ratings, its ratings and its blocks' bytes (materialises its blocks). */
    private static long[] stats(JavaPairRDD<Integer, InBlock> in) {
        return in.values()
                .map(b -> new long[] {b.dstIds.length, b.nnz(), b.bytes()})
                .fold(new long[3], (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
    }

    /**
     * The out-blocks of the src side towards {@code dstIn}: each dst block tells each src block which of its factors
     * it needs; each src block turns the ids into positions in its own factor block.
     */
    private static JavaPairRDD<Integer, OutBlock> outBlocks(
            JavaPairRDD<Integer, InBlock> dstIn,
            JavaPairRDD<Integer, InBlock> srcIn,
            Partitioner srcPart,
            Partitioner dstPart,
            StorageLevel level) {
        int dstBlocks = dstPart.numPartitions();
        JavaPairRDD<Integer, Tuple2<Integer, int[]>> needs = dstIn.flatMapToPair(t -> {
            List<Tuple2<Integer, Tuple2<Integer, int[]>>> list = new ArrayList<>();
            int[][] need = t._2().need;
            for (int sb = 0; sb < need.length; sb++) {
                if (need[sb].length > 0) {
                    list.add(new Tuple2<>(sb, new Tuple2<>(t._1(), need[sb])));
                }
            }
            return list.iterator();
        });
        return srcIn.cogroup(needs, srcPart)
                .flatMapValues(t -> {
                    Iterator<InBlock> blocks = t._1().iterator();
                    if (!blocks.hasNext()) {
                        return List.<OutBlock>of().iterator(); // no ratings in this block: nothing to send
                    }
                    return List.of(OutBlock.of(blocks.next().dstIds, t._2(), dstBlocks))
                            .iterator();
                })
                .persist(level);
    }

    /** Factors a side's out-blocks send per half-iteration, over all destination blocks (materialises them). */
    private static long shipped(JavaPairRDD<Integer, OutBlock> out) {
        return out.values().map(OutBlock::shipped).fold(0L, Long::sum);
    }

    /** A side's initial factors, drawn block by block as the single-machine fit draws them ({@link InitialFactors}). */
    private JavaPairRDD<Integer, FactorBlock> initial(Side s, Job job, int numBlocks) {
        AlsFit.Side side = s.side();
        // keeps the in-blocks' partitioner, so that the first half-iteration's join with them needs no shuffle
        return s.in().mapPartitionsToPair(
                        blocks -> {
                            AlsParams p = job.alsParams();
                            List<Tuple2<Integer, FactorBlock>> out = new ArrayList<>();
                            while (blocks.hasNext()) {
                                Tuple2<Integer, InBlock> t = blocks.next();
                                int[] ids = t._2().dstIds;
                                float[] f = InitialFactors.draw(ids, side, t._1(), numBlocks, p);
                                out.add(new Tuple2<>(t._1(), new FactorBlock(ids, f, p.rank())));
                            }
                            return out.iterator();
                        },
                        true);
    }

    /**
     * One half-iteration: the dst side's factors solved from the src side's, materialised (and checkpointed when
     * due).
     */
    private JavaPairRDD<Integer, FactorBlock> solve(
            JavaSparkContext sc,
            Side dst,
            JavaPairRDD<Integer, FactorBlock> dstF,
            Side src,
            JavaPairRDD<Integer, FactorBlock> srcF,
            Job job,
            int iter,
            List<FitSummary.Half> halves) {
        long t0 = System.nanoTime();
        int k = params.rank();
        Broadcast<double[]> gram = params.implicitPrefs() ? sc.broadcast(gram(srcF, job, k)) : null;
        JavaPairRDD<Integer, FactorBlock> next;
        long bytes = 4L * k * src.entities();
        boolean broadcast = bytes <= settings.broadcastThreshold();
        Broadcast<FactorBlock[]> shipped = broadcast
                ? sc.broadcast(FactorBlock.byBlock(srcF.collect(), src.part().numPartitions()))
                : null;
        if (broadcast) {
            next = dst.in().join(dstF, dst.part()).mapValues(t -> {
                InBlock in = t._1();
                float[] local = new float[in.srcIds.length * k];
                for (int sb = 0; sb < in.need.length; sb++) {
                    if (in.need[sb].length > 0) {
                        FactorBlock f = shipped.value()[sb];
                        place(in, sb, f.rows(OutBlock.positionsOf(f.ids, in.need[sb])), local, k);
                    }
                }
                return solveBlock(in, local, t._2(), gram == null ? null : gram.value(), job, iter);
            });
        } else {
            int dstBlocks = dst.part().numPartitions();
            JavaPairRDD<Integer, Shipment> shipments = srcF.join(src.out(), src.part())
                    .flatMapToPair(t -> {
                        FactorBlock f = t._2()._1();
                        int[][] pos = t._2()._2().positions;
                        List<Tuple2<Integer, Shipment>> list = new ArrayList<>();
                        for (int db = 0; db < dstBlocks; db++) {
                            if (pos[db].length > 0) {
                                list.add(new Tuple2<>(db, new Shipment(t._1(), f.rows(pos[db]))));
                            }
                        }
                        return list.iterator();
                    });
            next = dst.in().cogroup(shipments, dstF, dst.part()).flatMapValues(t -> {
                Iterator<InBlock> blocks = t._1().iterator();
                if (!blocks.hasNext()) {
                    return List.<FactorBlock>of().iterator();
                }
                InBlock in = blocks.next();
                float[] local = new float[in.srcIds.length * k];
                boolean[] got = new boolean[in.need.length];
                for (Shipment s : t._2()) {
                    place(in, s.srcBlock(), s.factors(), local, k);
                    got[s.srcBlock()] = true;
                }
                for (int sb = 0; sb < in.need.length; sb++) {
                    if (in.need[sb].length > 0 && !got[sb]) {
                        throw new IllegalStateException("no factors arrived from block " + sb);
                    }
                }
                double[] g = gram == null ? null : gram.value();
                return List.of(solveBlock(in, local, t._3().iterator().next(), g, job, iter))
                        .iterator();
            });
        }
        next = next.setName(job.noun() + "Factors-" + iter).persist(settings.intermediate());
        if (sc.getCheckpointDir().isPresent()
                && settings.checkpointInterval() != -1
                && iter % settings.checkpointInterval() == 0) {
            next.checkpoint();
        }
        next.count();
        halves.add(new FitSummary.Half(
                iter,
                dst.side() == AlsFit.Side.ITEMS ? "items" : "users",
                (System.nanoTime() - t0) / 1e9,
                broadcast ? "broadcast" : "join",
                broadcast ? bytes : 4L * k * src.shippedFactors()));
        // unpersisted, not destroyed: later jobs serialise this RDD's lineage (its closures hold the handles), and the
        // driver keeps the values for a lost partition's recompute. Left on the executors, each half's src factors
        // stacked up (13.7 M rows, rank 64: a 2 GB executor lost to OutOfMemoryError in iteration 2).
        for (Broadcast<?> b : java.util.Arrays.asList(gram, shipped)) {
            if (b != null) {
                b.unpersist(false);
            }
        }
        return next;
    }

    /** YᵀY of the src side: each block's on its executor, summed on the driver in block order. */
    private static double[] gram(JavaPairRDD<Integer, FactorBlock> srcF, Job job, int k) {
        List<Tuple2<Integer, double[]>> parts = srcF.mapValues(f -> {
                    BitSet all = new BitSet(f.ids.length);
                    all.set(0, f.ids.length);
                    try (AlsBackend b = job.open()) {
                        return b.gram(Factors.wrap(f.data, f.ids.length, f.rank, all));
                    }
                })
                .collect();
        List<Tuple2<Integer, double[]>> sorted = new ArrayList<>(parts);
        sorted.sort((a, b) -> Integer.compare(a._1(), b._1()));
        double[] g = new double[k * k];
        for (Tuple2<Integer, double[]> t : sorted) {
            double[] p = t._2();
            for (int q = 0; q < g.length; q++) {
                g[q] += p[q];
            }
        }
        return g;
    }

    /** Copies the packed factors of {@code in.need[sb]} into their columns of the local src matrix. */
    private static void place(InBlock in, int sb, float[] packed, float[] local, int k) {
        int[] cols = in.local[sb];
        if (packed.length != cols.length * k) {
            throw new IllegalStateException(
                    "block " + sb + " sent " + packed.length / k + " factors, " + cols.length + " expected");
        }
        for (int t = 0; t < cols.length; t++) {
            System.arraycopy(packed, t * k, local, cols[t] * k, k);
        }
    }

    /**
     * Solves one block's rows on this task's engine.
     *
     * @throws AlsException naming the entity id when a row's system is singular or a factor is not finite
     */
    private static FactorBlock solveBlock(
            InBlock in, float[] local, FactorBlock warm, double[] gram, Job job, int iter) {
        AlsParams p = job.alsParams();
        int k = p.rank();
        BitSet all = new BitSet(in.srcIds.length);
        all.set(0, in.srcIds.length);
        Factors src = Factors.wrap(local, in.srcIds.length, k, all);
        BitSet rows = new BitSet(in.dstIds.length);
        rows.set(0, in.dstIds.length);
        Factors start = Factors.wrap(warm.data, in.dstIds.length, k, rows);
        Factors solved;
        try (AlsBackend b = job.open()) {
            solved = b.solveRows(in.ratings(), src, gram, start, p);
            job.solvedBy(b);
        } catch (SingularSystemException e) {
            throw new AlsException(
                    job.noun() + " " + in.dstIds[e.row()] + " (" + e.entries() + " ratings): normal equations are"
                            + " not positive definite at rank " + k + " and regParam " + p.regParam()
                            + "; raise regParam or lower the rank",
                    e);
        }
        int bad = solved.firstNonFinite();
        if (bad >= 0) {
            throw new AlsException(
                    job.noun() + " " + in.dstIds[bad] + " has a non-finite factor after iteration " + iter
                            + "; the ratings may hold huge values — scale them or raise regParam",
                    null);
        }
        return new FactorBlock(in.dstIds, solved.data(), k);
    }

    /**
     * A side's factors as ALS's DataFrame ({@link FactorFrames#SCHEMA}), kept at the final storage level and
     * materialised.
     */
    private Dataset<Row> frame(SparkSession spark, JavaPairRDD<Integer, FactorBlock> f) {
        JavaRDD<Row> rows = f.values()
                .flatMap(b -> {
                    List<Row> out = new ArrayList<>(b.ids.length);
                    for (int r = 0; r < b.ids.length; r++) {
                        out.add(FactorFrames.row(b.ids[r], b.data, r * b.rank, b.rank));
                    }
                    return out.iterator();
                })
                .persist(settings.finalLevel());
        rows.count();
        return spark.createDataFrame(rows, FactorFrames.SCHEMA);
    }
}
