# Sourced by make-model.sh and bench-engine.sh: puts on TOOLS_CLASSPATH shared-model's classes and
# its runtime dependencies, building shared-model first when its jar is missing. Needs select_jdk25.

tools_classpath() {
  local root=$1
  local module="$root/shared-model"
  local cpfile="$module/target/tools.classpath"
  if ! ls "$module"/target/shared-model-*.jar >/dev/null 2>&1 || [ ! -d "$module/target/classes/dev/tandem/model/tools" ]; then
    echo "Building shared-model (first run)..." >&2
    (cd "$root" && ./mvnw -q -pl shared-model install -DskipTests) >&2
  fi
  if [ ! -s "$cpfile" ] || [ "$module/pom.xml" -nt "$cpfile" ] || [ "$root/pom.xml" -nt "$cpfile" ]; then
    (cd "$root" && ./mvnw -q -pl shared-model dependency:build-classpath \
      -Dmdep.outputFile=target/tools.classpath -Dmdep.includeScope=runtime) >&2
  fi
  TOOLS_CLASSPATH="$module/target/classes:$(cat "$cpfile")"
}

run_tool() {
  local root=$1 main=$2
  shift 2
  tools_classpath "$root"
  exec "$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    ${TANDEM_TOOL_JAVA_OPTS:-} -cp "$TOOLS_CLASSPATH" "$main" "$@"
}
