package encore.spark;

import java.io.Serializable;

/** The factors one fixed-side block sends one block being solved: {@code need[srcBlock]}'s vectors, packed. */
record Shipment(int srcBlock, float[] factors) implements Serializable {}
