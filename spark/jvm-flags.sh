# shellcheck shell=bash
# The JVM flags a Spark JVM needs on Java 17: the --add-opens list Spark's own launcher passes, and IPv4 sockets.
# Sourced by the scripts that start Spark JVMs — spark/cluster (the Master and Workers), bench/run
# (Spark drivers) and ./encore (run --spark; export/import of Spark models); sets the array spark_opens.
# spark/pom.xml's property spark.opens is the same list for Maven's test JVMs: change both together.
spark_opens=()
for spark_pkg in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  spark_opens+=(--add-opens="java.base/$spark_pkg=ALL-UNNAMED")
done
spark_opens+=(-Djava.net.preferIPv4Stack=true)
