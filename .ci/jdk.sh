# Sourced by .ci/run and scripts: exports JAVA_HOME pointing at a JDK 25+, or fails with a clear message.
loomcluster_java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
loomcluster_find_jdk() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ]; then
      local major; major=$(loomcluster_java_major "$candidate")
      if [ -n "$major" ] && [ "${major%%.*}" -ge 25 ]; then echo "$candidate"; return 0; fi
    fi
  done
  return 1
}
if ! JAVA_HOME=$(loomcluster_find_jdk); then
  echo "error: loomcluster needs JDK 25 or newer. Set JAVA_HOME to a JDK 25 (JAVA_HOME=${JAVA_HOME:-unset}; /usr/lib/jvm/temurin-25-jdk-amd64 not found)." >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
