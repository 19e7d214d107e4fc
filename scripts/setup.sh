#!/usr/bin/env bash
# Installs the Debian packages Butler's build and tests need, if they are missing. Idempotent; runs
# `apt-get update` only when something has to be installed.
#   scripts/setup.sh            build + test needs
#   scripts/setup.sh bench      also wrk, for scripts/bench.sh
set -euo pipefail

packages=(libsqlite3-dev libmosquitto-dev libcurl4-openssl-dev mosquitto mosquitto-clients influxdb curl openssl ca-certificates)
if [ "${1:-}" = "bench" ]; then packages+=(wrk bc); fi

missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# From PyPI: croniter, the oracle of the cron differential tests (scripts/cron_oracle.py), and aiosmtpd,
# the SMTP sink of the e-mail tests (scripts/smtp_sink.py).
for module in croniter aiosmtpd; do
  if ! python3 -c "import $module" >/dev/null 2>&1; then
    echo "Installing $module (PyPI)"
    python3 -m pip install --quiet --disable-pip-version-check "$module"
  fi
done

if ! command -v swift >/dev/null 2>&1; then
  echo "The Swift toolchain (6.2 or later) must be on PATH (e.g. /opt/swift/usr/bin)." >&2
  exit 1
fi
