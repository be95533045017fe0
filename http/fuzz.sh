#!/usr/bin/env bash
# Fuzzes the HTTP request parser, the connection state machine and the chunked decoder with Jazzer
# (coverage-guided), each target for N minutes (default 1), one after the other:
#
#   http/fuzz.sh [N]
#
# Inputs that reach new coverage go to http/.cifuzz-corpus/ (not committed); an input that breaks a
# target's property is saved under http/src/test/resources/.../<Target>Inputs/<method>/, where every
# build replays it from then on: commit it with the fix. Logs: http/target/fuzz-<method>.log.
set -euo pipefail
minutes="${1:-1}"
if ! [[ "$minutes" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: http/fuzz.sh [MINUTES >= 1] (Jazzer reads 0 as: no limit)" >&2
    exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$root"
source .ci/jdk.sh
./mvnw -B -ntp -q -pl http -am install -DskipTests
mkdir -p http/target
status=0
for target in HttpConnectionFuzzTest#anyBytes HttpConnectionFuzzTest#anyChunkedBody \
              ChunkedDecoderFuzzTest#splitOrWholeAgree; do
    log="http/target/fuzz-${target#*#}.log"
    echo "fuzzing $target for ${minutes}m (log: $log)"
    if JAZZER_FUZZ=1 ./mvnw -B -ntp -pl http surefire:test -Dtest="$target" \
            -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.max_duration="${minutes}m" >"$log" 2>&1; then
        verdict="no finding"
    else
        verdict="FINDING (see $log)"
        status=1
    fi
    runs="$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)"
    echo "  $target: ${runs:-runs not reported}; $verdict"
done
exit "$status"
