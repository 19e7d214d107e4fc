#!/usr/bin/env bash
# Scheduler benchmark of a release build (not a test; run by hand or through `make bench`):
#  1. 10,000 started schedules loaded from a schedule file: the idle server's CPU over IDLE_SECONDS (aim < 1%
#     of one core) and its RSS;
#  2. firing lateness: FIRING_SCHEDULES schedules firing every second for FIRING_SECONDS (1,000 firings by
#     default), each firing's lateness read from the log's millisecond timestamps (aim p99 < 50 ms).
#   IDLE_SECONDS=60 FIRING_SCHEDULES=10 FIRING_SECONDS=100 PORT=18081 scripts/bench-scheduler.sh
set -euo pipefail
cd "$(dirname "$0")/.."

IDLE_SECONDS=${IDLE_SECONDS:-60}
FIRING_SCHEDULES=${FIRING_SCHEDULES:-10}
FIRING_SECONDS=${FIRING_SECONDS:-100}
PORT=${PORT:-18081}

swift build -c release --product butler >/dev/null
binary="$(swift build -c release --show-bin-path)/butler"
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

config() {  # $1: log level
  cat >"$work/butler.yaml" <<YAML
Butler:
  logLevel: $1
  restServerConfig:
    serverHost: 127.0.0.1
    serverPort: $PORT
  restServerEndpointsEnable:
    butlerping: true
    scheduler:
      getSchedule: true
  scheduler:
    enable: true
    configfile: $work/schedule.yaml
  database:
    file: $work/butler.sqlite
YAML
}

schedules() {  # $1: count, $2: cron expression
  python3 - "$1" "$2" >"$work/schedule.yaml" <<'PY'
import sys, uuid
count, cron = int(sys.argv[1]), sys.argv[2]
zones = ["Europe/Stockholm", "America/New_York", "UTC", "Asia/Tokyo"]
print("butlerSchedule:")
for i in range(count):
    print(f"  - id: {uuid.uuid4()}\n    name: Schedule {i}\n    cronSchedule: '{cron}'\n    timezone: {zones[i % 4]}"
          f"\n    qlikSenseTaskId: {uuid.uuid4()}\n    startupState: started\n    tags: [bench]")
PY
}

start() {
  "$binary" -c "$work/butler.yaml" --api-rate-limit 0 >"$work/butler.log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/v4/butlerping" >/dev/null && return; sleep 0.1; done
  echo "butler did not start" >&2; cat "$work/butler.log" >&2; exit 1
}

ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }

# 1. Idle with 10,000 started schedules (daily at 03:00 in four zones).
config warn
schedules 10000 "0 3 * * *"
start
echo "== 10,000 started schedules: $(curl -sf "http://127.0.0.1:$PORT/v4/schedules" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') loaded"
sleep 2
before=$(ticks)
sleep "$IDLE_SECONDS"
after=$(ticks)
hz=$(getconf CLK_TCK)
echo "== idle CPU over ${IDLE_SECONDS}s: $(echo "($after - $before) * 100 / ($hz * $IDLE_SECONDS)" | bc -l | xargs printf %.3f)% of one core"
echo "== RSS: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

# 2. Firing lateness: every-second schedules; each "Cron event" log line's milliseconds are its lateness.
config info
schedules "$FIRING_SCHEDULES" "* * * * * *"
start
sleep "$FIRING_SECONDS"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
grep "SCHEDULER: Cron event" "$work/butler.log" | sed -E 's/^[0-9-]+T[0-9:]+\.([0-9]{3})Z.*/\1/' | sort -n | awk '
  { v[NR] = $1 + 0 }
  END {
    if (NR == 0) { print "== no firings logged"; exit }
    p50 = int(NR * 0.50); if (p50 < 1) p50 = 1
    p99 = int(NR * 0.99); if (p99 < 1) p99 = 1
    printf "== firing lateness over %d firings: p50 %d ms, p99 %d ms, max %d ms\n", NR, v[p50], v[p99], v[NR]
  }'
