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
loomcluster_given_java_home=${JAVA_HOME:-}
if ! loomcluster_jdk=$(loomcluster_find_jdk); then
  echo "error: loomcluster needs JDK 25 or newer, and found none: JAVA_HOME is '${loomcluster_given_java_home:-unset}'" \
       "and /usr/lib/jvm/temurin-25-jdk-amd64 does not exist. Install a JDK 25 and set JAVA_HOME to it." >&2
  exit 1
fi
export JAVA_HOME=$loomcluster_jdk
export PATH="$JAVA_HOME/bin:$PATH"
# Maven's own Guice touches sun.misc.Unsafe; JDK 25 warns about it on every run. Not our code: silence it.
export MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow ${MAVEN_OPTS:-}"
