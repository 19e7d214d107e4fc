#!/usr/bin/env bash
# Benchmark of a release build of Butler under wrk: KV GET, KV POST and base62 conversion.
# Prints requests/s, latency percentiles and the server's peak RSS, then times a 1 GiB PUT /v4/filecopy
# against cp (aim >= 0.9x cp, RSS < 64 MB). Not a test: run it by hand
# (`make bench`) on an otherwise idle machine. Targets (2 cores, wrk -t2 -c50): KV GET >= 40,000 req/s,
# p99 < 5 ms, RSS < 40 MB.
#   DURATION=10s CONNECTIONS=50 THREADS=2 PORT=18080 scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}

command -v wrk >/dev/null || { echo "wrk is missing: run scripts/setup.sh bench" >&2; exit 1; }
swift build -c release --product butler >/dev/null
binary="$(swift build -c release --show-bin-path)/butler"

work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cat >"$work/butler.yaml" <<YAML
Butler:
  logLevel: warn
  restServerConfig:
    serverHost: 127.0.0.1
    serverPort: $PORT
  restServerEndpointsEnable:
    base62ToBase16: true
    butlerping: true
    keyValueStore: true
    fileCopy: true
  fileCopyApprovedDirectories:
    - fromDirectory: $work/from
      toDirectory: $work/to
  keyValueStore:
    maxKeysPerNamespace: 1000000
  database:
    file: $work/butler.sqlite
YAML
"$binary" -c "$work/butler.yaml" --api-rate-limit 0 --loglevel warn >"$work/butler.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/v4/butlerping" >/dev/null && break; sleep 0.1; done
curl -sf -X POST "http://127.0.0.1:$PORT/v4/keyvalues/bench" -H 'Content-Type: application/json' \
  -d '{"key":"k","value":"2020-09-29 17:14:56"}' >/dev/null

cat >"$work/post.lua" <<'LUA'
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"key":"k%d","value":"v%d","ttl":60000}', counter % 50000, counter)
  return wrk.format("POST", "/v4/keyvalues/bench-post", {["Content-Type"] = "application/json"}, body)
end
LUA

run() {
  local name=$1; shift
  echo "== $name"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" | grep -E "Requests/sec|^ +(50|90|99)%|Non-2xx|Socket errors"
  echo "   RSS after: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
}

run "KV GET  /v4/keyvalues/bench?key=k" "http://127.0.0.1:$PORT/v4/keyvalues/bench?key=k"
run "KV POST /v4/keyvalues/bench-post" -s "$work/post.lua" "http://127.0.0.1:$PORT"
run "base62  /v4/base62tobase16" "http://127.0.0.1:$PORT/v4/base62tobase16?base62=6DMW88LpSok9Z7P7hUK0wv7bF"
echo "== peak RSS of butler over the HTTP runs: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"

# File copy: 1 GiB through PUT /v4/filecopy (a fresh server, so its peak RSS is the copy's) against cp.
kill "$pid"; wait "$pid" 2>/dev/null || true
mkdir -p "$work/from" "$work/to"
head -c 1G /dev/urandom >"$work/from/big.qvd"
sync
"$binary" -c "$work/butler.yaml" --api-rate-limit 0 --loglevel warn >>"$work/butler.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/v4/butlerping" >/dev/null && break; sleep 0.1; done
seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null; end=$(date +%s.%N); echo "$end - $start" | bc -l; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
butler_runs=(); cp_runs=(); cp_sync_runs=()
for _ in 1 2 3; do  # best of three: the disk of a shared machine is noisy
  rm -f "$work/to/copy.qvd" "$work/to/cp.qvd"
  butler_runs+=("$(seconds curl -sf -X PUT "http://127.0.0.1:$PORT/v4/filecopy" -H 'Content-Type: application/json' \
    -d '{"fromFile":"big.qvd","toFile":"copy.qvd","overwrite":true}')")
  cp_runs+=("$(seconds cp "$work/from/big.qvd" "$work/to/cp.qvd")")
  rm -f "$work/to/cp.qvd"
  cp_sync_runs+=("$(seconds sh -c "cp '$work/from/big.qvd' '$work/to/cp.qvd' && sync '$work/to/cp.qvd'")")
done
butler_s=$(best "${butler_runs[@]}"); cp_s=$(best "${cp_runs[@]}"); cp_sync_s=$(best "${cp_sync_runs[@]}")
cmp -s "$work/from/big.qvd" "$work/to/copy.qvd" || echo "!! the copy differs from the source"
echo "== file copy 1 GiB: butler $(printf %.2f "$butler_s") s ($(echo "1024 / $butler_s" | bc) MiB/s, flushed to disk)," \
  "cp $(printf %.2f "$cp_s") s, cp+sync $(printf %.2f "$cp_sync_s") s;" \
  "speed vs cp $(echo "$cp_s / $butler_s" | bc -l | xargs printf %.2f)x, vs cp+sync $(echo "$cp_sync_s / $butler_s" | bc -l | xargs printf %.2f)x"
echo "== peak RSS of butler during the copy: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
