# Sourced by the scripts: makes sure JAVA_HOME points at a JDK 25 or newer. Tandem needs Java 25; on a
# machine whose default java is older, the first JDK 25+ found under /usr/lib/jvm (or ~/.sdkman, /opt) is used.

java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}'
}

select_jdk25() {
  local candidate
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME")" -ge 25 ] 2>/dev/null; then
    return 0
  fi
  if command -v java >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    if [ "$(java_major "$candidate")" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  fi
  for candidate in /usr/lib/jvm/* "$HOME"/.sdkman/candidates/java/* /opt/java/* /opt/jdk*; do
    if [ -x "$candidate/bin/java" ] && [ "$(java_major "$candidate")" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "Tandem needs a JDK 25 or newer: none found (set JAVA_HOME)." >&2
  return 1
}
