#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Make sure this Debian machine has what Habitat needs natively, installing and starting only what is missing:
# PostgreSQL (trusting postgres on 127.0.0.1), RabbitMQ, Caddy, Python's venv, openssl. Used by `make dev`,
# `.ci/run` and `deploy/setup.sh --native`; idempotent.
#
#   deploy/lib/prerequisites.sh                    # services and tools for the stack
#   deploy/lib/prerequisites.sh --with-test-tools  # and what the tests use (chromium, promtool, ...): CI
#   deploy/lib/prerequisites.sh --check            # install and start nothing; exit 1 naming what is missing
#
# Exit codes: 0 ready, 1 something is missing (--check) or could not be started, 2 bad usage.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HABITAT_LOG_TAG="${HABITAT_LOG_TAG:-prerequisites}"
# shellcheck source=common.sh
. "$HERE/common.sh"

test_tools=""
check_only=""
for arg in "$@"; do
  case "$arg" in
    --with-test-tools) test_tools=1 ;;
    --check) check_only=1 ;;
    -h|--help) sed -n '2,/^[^#]/{/^# shellcheck/d; /^#/p}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$arg' (use --with-test-tools, --check or --help)" 2 ;;
  esac
done

PG_HOST=127.0.0.1
PG_PORT="${HABITAT_PG_PORT:-5432}"

# --- Debian packages: command -> package ---------------------------------------------------
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need pg_isready postgresql
need pg_ctlcluster postgresql
need rabbitmqctl rabbitmq-server
need caddy caddy
# the ledger's PDFs are set in DejaVu Sans (letters beyond Latin-1), Chinese and Japanese in Droid Sans
# Fallback, Korean in Nanum Gothic (habitat_ledger.adapters.pdf_fonts)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] || missing+=(fonts-dejavu-core)
[ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || missing+=(fonts-droid-fallback)
[ -f /usr/share/fonts/truetype/nanum/NanumGothic.ttf ] || missing+=(fonts-nanum)
need openssl openssl
need make make
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
if [ -n "$test_tools" ]; then
  need chromium chromium
  need promtool prometheus
  # tests/deploy/test_alerting.py: amtool check-config / routes test, and a real Alertmanager on loopback
  need amtool prometheus-alertmanager
  need prometheus-alertmanager prometheus-alertmanager
  # tests/e2e/test_observability_live.py: a real Prometheus scraping the exporters of the compose file
  need prometheus prometheus
  need prometheus-node-exporter prometheus-node-exporter
  need prometheus-postgres-exporter prometheus-postgres-exporter
  need docker-compose docker-compose
  need hledger hledger
  # bench/reads.py: HTTP load for the read-path figures
  need wrk wrk
  # tests/e2e/axe.py: npm pack fetches the pinned axe-core for the accessibility checks
  need npm npm
fi
mapfile -t missing < <(printf '%s\n' "${missing[@]+"${missing[@]}"}" | awk 'NF && !seen[$0]++')

installed_postgres=""
installed_rabbitmq=""
if [ "${#missing[@]}" -gt 0 ]; then
  if [ -n "$check_only" ]; then
    die "missing: ${missing[*]} (install with: apt-get install -y ${missing[*]})"
  fi
  say "installing: ${missing[*]}"
  printf '%s\n' "${missing[@]}" | grep -qx postgresql && installed_postgres=1
  printf '%s\n' "${missing[@]}" | grep -qx rabbitmq-server && installed_rabbitmq=1
  as_root apt-get update -q
  # The packages' init scripts would start servers (caddy on :80, prometheus on :9090) as system services;
  # we start only what Habitat uses, below. Block service starts unless a policy exists already.
  own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  status=0
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" || status=$?
  if [ -n "$own_policy" ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
  [ "$status" -eq 0 ] || die "apt-get install ${missing[*]} failed (exit $status)"
  changed "installed ${missing[*]}"
else
  ok "packages present"
fi

# --- PostgreSQL ----------------------------------------------------------------------------
pg_version() { find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n 1; }

if [ -n "$installed_postgres" ]; then
  version="$(pg_version)"
  hba="/etc/postgresql/${version}/main/pg_hba.conf"
  # Habitat's dev tools connect as postgres over TCP without a password, as the README says: only on loopback.
  if [ -f "$hba" ] && ! as_root grep -q '^host all postgres 127.0.0.1/32 trust' "$hba"; then
    as_root sed -i '1i host all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust' "$hba"
    changed "PostgreSQL ${version}: postgres trusted on 127.0.0.1 (pg_hba.conf, development machines only)"
  fi
fi

# pg_cluster VERSION start|restart: the cluster, then wait until it accepts connections
pg_cluster() {
  as_root pg_ctlcluster --skip-systemctl-redirect "$1" main "$2"
  for _ in $(seq 1 30); do
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && return 0
    sleep 1
  done
  die "PostgreSQL $1 did not accept connections within 30 s of '$2'"
}

if pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
  ok "PostgreSQL accepting connections on ${PG_HOST}:${PG_PORT}"
elif [ -n "$check_only" ]; then
  die "PostgreSQL is not running on ${PG_HOST}:${PG_PORT} (start it: pg_ctlcluster <version> main start)"
else
  version="$(pg_version)"
  [ -n "$version" ] || die "PostgreSQL is installed but has no cluster (/etc/postgresql is empty): pg_createcluster 15 main"
  say "starting PostgreSQL ${version}"
  pg_cluster "$version" start
  changed "started PostgreSQL ${version}"
fi

# Each whole test stack holds ~30 connections (five services, HTTP + worker each) and the suites run two at once
# beside the tests' own pools and benchmarks: PostgreSQL's default of 100 runs out ("too many clients"), which
# the services rightly answer as 503 database_unavailable. Raising it takes a restart, done once.
PG_MIN_CONNECTIONS="${HABITAT_PG_MIN_CONNECTIONS:-300}"
pg_max_connections() { psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atc 'SHOW max_connections' 2>/dev/null; }
current_connections="$(pg_max_connections)"
if [ -n "$current_connections" ] && [ "$current_connections" -ge "$PG_MIN_CONNECTIONS" ]; then
  ok "PostgreSQL max_connections ${current_connections}"
elif [ -n "$check_only" ]; then
  die "PostgreSQL allows ${current_connections:-?} connections; the test suites need ${PG_MIN_CONNECTIONS} (run deploy/lib/prerequisites.sh)"
else
  version="$(pg_version)"
  psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -qAtc "ALTER SYSTEM SET max_connections = ${PG_MIN_CONNECTIONS}" \
    || die "could not raise PostgreSQL max_connections"
  pg_cluster "$version" restart
  changed "PostgreSQL max_connections ${current_connections:-?} -> $(pg_max_connections) (restarted)"
fi

# --- RabbitMQ ------------------------------------------------------------------------------
if [ -n "$installed_rabbitmq" ]; then
  # operators and some tests use the management API (127.0.0.1:15672); offline: the node is not running yet
  as_root rabbitmq-plugins --offline enable rabbitmq_management >/dev/null
  changed "RabbitMQ management plugin enabled"
fi
# Each vhost of Habitat's topology holds ~130 quorum queues (retry tiers) and ~400 open files; with the
# default limit of 1024 a broker serving a few test stacks at once stops accepting connections. Debian's
# rabbitmq-server wrapper starts the node through `su`, which resets the limit, so raise it inside.
start_rabbitmq() {
  # shellcheck disable=SC2016  # expanded by the inner shell
  as_root su rabbitmq -s /bin/sh -c 'cd /var/lib/rabbitmq && { ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; } && exec /usr/lib/rabbitmq/bin/rabbitmq-server -detached' \
    || as_root rabbitmq-server -detached
  sleep 2
  as_root timeout 120 rabbitmqctl await_startup >/dev/null || die "RabbitMQ did not start within 120 s"
}

rabbitmq_open_files_limit() {
  local pid
  pid="$(pgrep -u rabbitmq -f beam.smp | head -n 1)" || return 0
  awk '/Max open files/ {print $4}' "/proc/${pid}/limits" 2>/dev/null
}

if as_root rabbitmqctl -q status >/dev/null 2>&1; then
  limit="$(rabbitmq_open_files_limit || true)"
  if [ -n "$test_tools" ] && [ -n "$limit" ] && [ "$limit" -lt 4096 ]; then
    # CI only: the test suites start stacks one after another on this broker; never done for `make dev`
    say "restarting RabbitMQ: it may open only ${limit} files"
    as_root timeout 120 rabbitmqctl stop >/dev/null
    start_rabbitmq
    changed "restarted RabbitMQ with open files $(rabbitmq_open_files_limit)"
  else
    ok "RabbitMQ running"
  fi
elif [ -n "$check_only" ]; then
  die "RabbitMQ is not running (start it: rabbitmq-server -detached)"
else
  say "starting RabbitMQ"
  start_rabbitmq
  changed "started RabbitMQ (open files $(rabbitmq_open_files_limit))"
fi

# The broker's own Prometheus endpoint (:15692), as compose enables it (deploy/rabbitmq/enabled_plugins)
if [ -z "$check_only" ]; then
  if as_root rabbitmq-plugins -q is_enabled rabbitmq_prometheus >/dev/null 2>&1; then
    ok "RabbitMQ Prometheus endpoint enabled"
  else
    as_root rabbitmq-plugins -q enable rabbitmq_prometheus >/dev/null || die "could not enable rabbitmq_prometheus"
    changed "RabbitMQ Prometheus endpoint enabled (:15692)"
  fi
fi

say "prerequisites ready: ${HABITAT_CHANGED} changed, ${HABITAT_UNCHANGED} already in place"
