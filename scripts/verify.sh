#!/usr/bin/env bash
# Builds Tandem and runs every test (unit, end-to-end, deployment checks): ./mvnw verify with a JDK 25 or newer,
# found as the launcher finds one. Extra arguments go to Maven, e.g. scripts/verify.sh -pl engine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib/java.sh"
select_jdk25
cd "$root"
exec ./mvnw verify "$@"
