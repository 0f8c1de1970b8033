#!/usr/bin/env bash
# Runs the Rill platform on this machine: a Redis, order-app (8080), inventory-app (8081) and
# notification-app (8082), with some stock and a batch of sample orders whose progress it prints.
# It then keeps running; Ctrl-C stops everything it started. Needs only a JDK 17+.
#
#   ./run-local.sh                          build, start, place 12 sample orders
#   ./run-local.sh --orders=0               no sample orders
#   ./run-local.sh --logging.level.dev.rill=DEBUG    any --property=value goes to all three services
#   REDIS_HOST=localhost REDIS_PORT=6379 ./run-local.sh    use your own Redis (if it answers)
#   SKIP_BUILD=1 ./run-local.sh             use the jars from the last build
#   MAVEN_ARGS=-o ./run-local.sh            build offline (Maven reads MAVEN_ARGS itself)
#
# Without REDIS_HOST/REDIS_PORT it starts a private redis-server (the one on PATH, else the binary
# shipped in the embedded-redis jar) on port 6380, or a free port if 6380 is taken; never 6379.
# Service logs: target/run-local/<service>.log.
set -euo pipefail
cd "$(dirname "$0")"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    JAVA="$JAVA_HOME/bin/java"
elif command -v java >/dev/null 2>&1; then
    JAVA="$(command -v java)"
else
    echo "run-local.sh needs a JDK 17 or newer: put java on PATH or set JAVA_HOME." >&2
    exit 1
fi

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
    echo "Building the services (./mvnw -q -DskipTests package; the first build downloads Maven and the dependencies) ..."
    ./mvnw -q -DskipTests package
fi

if [[ ! -f e2e/target/e2e.jar ]]; then
    echo "No e2e/target/e2e.jar: run without SKIP_BUILD=1." >&2
    exit 1
fi

# exec: Ctrl-C reaches the launcher, whose shutdown hook stops the services and the Redis it started.
exec "$JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Drill.root="$PWD" -jar e2e/target/e2e.jar "$@"
