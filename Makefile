# Butler in Swift. `make run` starts Butler on the default config; `make test` runs every test.
.PHONY: setup build run sim test bench

setup:
	bash scripts/setup.sh

build: setup
	swift build

# Runs on config/butler.yaml: REST API on http://127.0.0.1:8080, key-value store in data/butler.sqlite.
run: setup
	swift run butler

# Butler on config/simulator.yaml against the Qlik Sense simulator (examples/qlik-sense-site.yaml).
sim: setup
	bash scripts/run-with-simulator.sh

test: setup
	swift test --disable-xctest --no-parallel

# Throughput and memory of a release build under wrk (not part of `make test`).
bench:
	bash scripts/setup.sh bench
	bash scripts/bench.sh
	bash scripts/bench-scheduler.sh
	bash scripts/bench-udp.sh
