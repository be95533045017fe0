# Functions shared by the load scripts (benchmarks/http/peers.sh, benchmarks/http/load.sh,
# benchmarks/nginx/rolling.sh, benchmarks/reload.sh, http/tls-load.sh). Sourced, from the repository root,
# after `set -euo pipefail`; defines functions only.

# Fails, with how to install it, unless command $1 is on the PATH.   require_cmd wrk "apt-get install wrk"
require_cmd() { # command hint
  command -v "$1" >/dev/null 2>&1 || { echo "error: $1 is missing: $2" >&2; exit 1; }
}

# Installs Debian package $2 (as root, apt-get) unless command $1 is on the PATH.
need_deb() { # command package
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "installing $2 (apt-get)..."
  if [ "$(id -u)" != 0 ]; then echo "error: $1 is missing and we are not root: apt-get install $2" >&2; exit 1; fi
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  command -v "$1" >/dev/null 2>&1 || { echo "error: $2 did not install $1" >&2; exit 1; }
}

# Builds module $1 and what it needs (jars, no tests) unless SKIP_BUILD=1.
build_module() { # module
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "building (./mvnw -pl $1 -am package -DskipTests)..."
    ./mvnw -q -B -ntp -pl "$1" -am package -DskipTests
  fi
}

# Polls $1 (http or https, certificate not checked) every 0.1 s until it answers 2xx/3xx; false after
# $2 tries (default 300: 30 s).
await_http() { # url [tries]
  for _ in $(seq 1 "${2:-300}"); do
    if curl -skf -o /dev/null "$1"; then return 0; fi
    sleep 0.1
  done
  return 1
}

# SIGTERM, then SIGKILL (with a warning naming $2) if pid $1 has not exited within 10 s; reaps it.
stop_pid() { # pid name
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$1" 2>/dev/null; then
    echo "warning: $2 did not exit within 10 s of SIGTERM; killed" >&2
    kill -KILL "$1" 2>/dev/null || true
  fi
  wait "$1" 2>/dev/null || true
}

# wrk's output on stdin -> one number each.
wrk_requests() { awk '/requests in/ { print $1 }'; }
wrk_rps() { awk '/^Requests\/sec:/ { print $2 }'; }
wrk_socket_errors() { awk '/Socket errors:/ { gsub(",", ""); s += $4 + $6 + $8 + $10 } END { print s + 0 }'; }
wrk_non2xx() { awk '/Non-2xx or 3xx responses:/ { s += $5 } END { print s + 0 }'; }
# socket errors + non-2xx answers
wrk_errors() { awk '/Socket errors:/ { gsub(",", ""); s += $4 + $6 + $8 + $10 } /Non-2xx or 3xx responses:/ { s += $5 } END { print s + 0 }'; }

# Median and sum of the space-separated numbers in $1 (the median of an even count is the mean of the middle two).
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
total() { tr ' ' '\n' <<<"$1" | awk '{ s += $1 } END { print s + 0 }'; }
