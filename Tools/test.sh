#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the tests need, builds with warnings
# as errors, runs every test. CI runs exactly this (through .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

# First, in a second and with nothing installed: imports and environment variables against the
# rules in ARCHITECTURE.md ("Allowed imports", "Environment variables").
echo "==> checking imports and environment variables against ARCHITECTURE.md"
python3 Tools/check-imports.py
python3 Tools/check-environment.py

need=()
# chromium and chromium-driver: the browser tests (Tools/browser-tests); postgresql: the server's
# PostgreSQL store (Tests/ServerStorageTests), on a throw-away cluster started below.
for package in libsqlite3-dev zlib1g-dev chromium chromium-driver postgresql; do
    dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "==> installing ${need[*]}"
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
    else
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
    fi
fi

# A real SMTP server for the delivery tests (Tests/OutpostCLITests/Support/smtp_relay.py).
if ! python3 -c "import aiosmtpd" >/dev/null 2>&1; then
    echo "==> installing aiosmtpd (PyPI)"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore aiosmtpd 2>/dev/null \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages aiosmtpd
fi

# selenium drives Debian's chromium in the browser tests.
if ! python3 -c "import selenium" >/dev/null 2>&1; then
    echo "==> installing selenium (PyPI)"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore selenium 2>/dev/null \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages selenium
fi

# A throw-away PostgreSQL cluster on a free loopback port, stopped and deleted when this script
# ends, also on failure; the tests create (and drop) one database each in it.
pg_dir=$(mktemp -d /tmp/outpost-test-pg.XXXXXX)
trap 'Tools/postgres-cluster.sh stop "$pg_dir"' EXIT
echo "==> starting a throw-away PostgreSQL cluster"
OUTPOST_TEST_POSTGRES_URL=$(Tools/postgres-cluster.sh start "$pg_dir")
export OUTPOST_TEST_POSTGRES_URL

export OUTPOST_WERROR=1
echo "==> building (warnings are errors)"
swift build --build-tests
echo "==> testing"
# The storage tests against PostgreSQL on their own, after the rest: the parallel run keeps Swift's
# shared pool so busy that a database call's 10 s deadline can pass before its answer is read.
swift test --skip-build --skip ServerStorageTests
echo "==> the server's storage, SQLite and PostgreSQL (Tests/ServerStorageTests)"
swift test --skip-build --filter ServerStorageTests
echo "==> the scenario library and random scenarios with real processes (scenario run/fuzz --live)"
# On their own, after the parallel run: each starts hundreds of short `outpost` processes.
.build/debug/outpost scenario run --live Protocol/scenarios/*.yaml
# A field-scale story live: 11,008 steps, about 2 minutes.
.build/debug/outpost scenario run --live Protocol/scenarios/field-scale/*.yaml
.build/debug/outpost scenario fuzz --live --devices 3-5 --steps 20 --runs 10 --seed 20271127 --out /tmp/outpost-live-fuzz-failure.yaml
echo "==> hostile-client tests and 60 s of random HTTP requests against a real server"
python3 Tools/hostile-tests/run.py --binary .build/debug/outpost
python3 Tools/hostile-tests/fuzz_http.py --binary .build/debug/outpost --seconds 60 --seed 20271203
echo "==> browser tests (headless Chromium)"
python3 Tools/browser-tests/run.py --binary .build/debug/outpost
