# Sourced by make-model.sh, bench-engine.sh and bench-serve.sh: puts on TOOLS_CLASSPATH the tools module's classes and its
# runtime dependencies (the engine and what it needs, as packaged jars), building them first when the tools jar is
# missing or older than a pom or than any source of the modules it runs, so that a benchmark never measures stale
# code. Needs select_jdk25.

tools_classpath() {
  local root=$1
  local module="$root/tools"
  local cpfile="$module/target/tools.classpath"
  if ! ls "$module"/target/tools-*.jar >/dev/null 2>&1 || [ ! -s "$cpfile" ] \
      || [ "$module/pom.xml" -nt "$cpfile" ] || [ "$root/pom.xml" -nt "$cpfile" ] \
      || [ -n "$(find "$root"/{gguf,tokenizer,model,engine,tools}/src/main "$root/src-native/cpu" -type f \
                 -newer "$cpfile" 2>/dev/null | head -1)" ]; then
    echo "Building the tools module and the engine (first run, or their sources changed)..." >&2
    # One reactor run: every module's classpath file is written to the same place, the tools module's last.
    (cd "$root" && ./mvnw -q -pl tools -am package -DskipTests dependency:build-classpath \
      -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=runtime) >&2
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
