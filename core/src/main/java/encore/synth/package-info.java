/**
 * A fast, deterministic generator of synthetic Last.fm-style {@code listenings.csv} files
 * ({@code user_id,date,track,artist,album}) with a planted taste structure, realistic heavy tails and a little
 * realistic dirt.
 *
 * <p>{@link encore.synth.ListeningsGenerator} writes the file; {@link encore.synth.GeneratorConfig} sizes it
 * ({@link encore.synth.GeneratorConfig#forRows(long, long)} shapes every size on the real file from a row count);
 * {@link encore.synth.PlayObserver} reports, row by row, which user and track each row came from and whether it is a
 * valid play, which is the ground truth for testing the ingest pipeline.
 */
package encore.synth;
