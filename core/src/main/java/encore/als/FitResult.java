package encore.als;

import java.util.List;

/**
 * What {@link Als#fit} returns.
 *
 * @param model            the fitted model
 * @param engine           the engine that computed the final factors ("cpu", "gpu")
 * @param fallbackReason   why the fit did not (only) run on the highest-priority engine asked for, or null
 * @param iterationSeconds the wall time of each iteration, in order
 */
public record FitResult(AlsModel model, String engine, String fallbackReason, List<Double> iterationSeconds) {
    /** Copies the iteration times. */
    public FitResult {
        iterationSeconds = List.copyOf(iterationSeconds);
    }
}
