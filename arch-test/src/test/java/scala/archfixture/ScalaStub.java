package scala.archfixture;

/** Stands in for a Scala class; see PlantedScalaImport. */
public final class ScalaStub {}
