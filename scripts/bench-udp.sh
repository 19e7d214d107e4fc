#!/usr/bin/env bash
# UDP reload-event throughput of a release build (not a test; run by hand or through `make bench`):
# COUNT Scheduler datagrams (distinct tasks and execution ids) sent at RATE per second to Butler's UDP
# listener, each delivered as a GET webhook to a second Butler's /v4/butlerping (a sink that answers
# quickly). Reports datagrams handled per second end to end, and what was dropped (none expected while
# the queue, messageQueue.maxSize, is not full).
#   COUNT=20000 RATE=10000 DEDUP=true scripts/bench-udp.sh
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-20000}
RATE=${RATE:-10000}
UDP_PORT=${UDP_PORT:-19998}
PORT=${PORT:-18082}
SINK_PORT=${SINK_PORT:-18083}
DEDUP=${DEDUP:-true}
PARSE_RATE=${PARSE_RATE:-20000}

swift build -c release --product butler >/dev/null
binary="$(swift build -c release --show-bin-path)/butler"
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

cat >"$work/sink.yaml" <<YAML
Butler:
  logLevel: info
  restServerConfig: {serverHost: 127.0.0.1, serverPort: $SINK_PORT}
  restServerEndpointsEnable: {butlerping: true}
  database: {file: $work/sink.sqlite}
YAML
cat >"$work/butler.yaml" <<YAML
Butler:
  logLevel: warn
  restServerConfig: {serverHost: 127.0.0.1, serverPort: $PORT}
  restServerEndpointsEnable: {butlerping: true}
  database: {file: $work/butler.sqlite}
  udpServerConfig:
    enable: true
    serverHost: 127.0.0.1
    portTaskFailure: $UDP_PORT
    messageQueue: {maxConcurrent: 64, maxSize: $COUNT}
    deduplication: {enable: $DEDUP}
  webhookNotification:
    enable: true
    reloadTaskFailure:
      rateLimit: 0
      webhooks:
        - description: sink
          webhookURL: http://127.0.0.1:$SINK_PORT/v4/butlerping
          httpMethod: GET
YAML
# COUNT failed-reload datagrams (distinct tasks and execution ids) at $1 per second.
send_datagrams() {
  python3 - "$COUNT" "$1" "$UDP_PORT" <<'PY'
import socket, sys, time, uuid
count, rate, port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
begin = time.perf_counter()
for i in range(count):
    task = str(uuid.UUID(int=i + 1, version=4))
    line = (f"/scheduler-task-failed/;qs-node1;Reload {i};App {i};LAB\\goran;{task};;"
            f"2024-05-06 14:23:45,123;ERROR;{uuid.uuid4()};Max retries reached")
    sock.sendto(line.encode(), ("127.0.0.1", port))
    ahead = begin + (i + 1) / rate - time.perf_counter()
    if ahead > 0:
        time.sleep(ahead)
PY
}

"$binary" -c "$work/sink.yaml" --api-rate-limit 0 >"$work/sink.log" 2>&1 & pids+=($!)
"$binary" -c "$work/butler.yaml" --api-rate-limit 0 >"$work/butler.log" 2>&1 & pids+=($!)
for port in $SINK_PORT $PORT; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v4/butlerping" >/dev/null && break; sleep 0.1; done
done
before=$(grep -c "GET /v4/butlerping" "$work/sink.log" || true)

start=$(date +%s.%N)
send_datagrams "$RATE"
sent=$(date +%s.%N)
for _ in $(seq 600); do
  delivered=$(( $(grep -c "GET /v4/butlerping" "$work/sink.log" || true) - before ))
  [ "$delivered" -ge "$COUNT" ] && break
  sleep 0.1
done
end=$(date +%s.%N)
delivered=$(( $(grep -c "GET /v4/butlerping" "$work/sink.log" || true) - before ))
echo "== UDP: $COUNT datagrams sent in $(echo "$sent - $start" | bc | xargs printf %.2f) s ($RATE/s target);" \
  "$delivered delivered to the webhook sink in $(echo "$end - $start" | bc | xargs printf %.2f) s:" \
  "$(echo "$delivered / ($end - $start)" | bc | xargs printf %.0f) datagrams/s end to end"
grep -E "UDP: " "$work/butler.log" | head -5 || true

# Parsing alone: no destinations, so each datagram is checked, parsed, de-duplicated and logged
# ("Reload event: …" at info level); counted from the log.
kill "${pids[1]}" 2>/dev/null || true
wait "${pids[1]}" 2>/dev/null || true
sed -i -e 's/logLevel: warn/logLevel: info/' -e '/webhookNotification:/,$d' "$work/butler.yaml"
"$binary" -c "$work/butler.yaml" --api-rate-limit 0 >"$work/parse.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/v4/butlerping" >/dev/null && break; sleep 0.1; done
start=$(date +%s.%N)
send_datagrams "$PARSE_RATE"
for _ in $(seq 600); do
  parsed=$(grep -c "Reload event: task" "$work/parse.log" || true)
  [ "$parsed" -ge "$COUNT" ] && break
  sleep 0.1
done
end=$(date +%s.%N)
parsed=$(grep -c "Reload event: task" "$work/parse.log" || true)
echo "== UDP parsing: $parsed of $COUNT datagrams parsed and de-duplicated in $(echo "$end - $start" | bc | xargs printf %.2f) s:" \
  "$(echo "$parsed / ($end - $start)" | bc | xargs printf %.0f) datagrams/s"
