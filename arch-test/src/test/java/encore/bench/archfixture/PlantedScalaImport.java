package encore.bench.archfixture;

import scala.archfixture.ScalaStub;

/** Breaks "Spark/Scala only in bench/src/spark" through the {@code scala..} half of the rule (a stub again). */
public final class PlantedScalaImport {
    public ScalaStub scala;
}
