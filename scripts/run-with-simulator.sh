#!/usr/bin/env bash
# Starts the Qlik Sense simulator (QRS on 4242, Engine on 4747, Scheduler messages to 9998) and Butler on config/simulator.yaml (REST API on
# 127.0.0.1:8080); Ctrl-C stops both. Used by `make sim`.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product qlik-sense-sim
swift build --product butler
bin="$(swift build --show-bin-path)"
"$bin/qlik-sense-sim" run --site examples/qlik-sense-site.yaml --certificates data/qlik-sense-sim/certificates \
  --scheduler-messages-to 127.0.0.1:9998 &
sim=$!
trap 'kill $sim 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/4242) 2>/dev/null && break
  sleep 0.1
done
"$bin/butler" -c config/simulator.yaml
