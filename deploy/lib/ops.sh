# shellcheck shell=bash
# Shared by backup.sh, restore.sh, upgrade.sh and rollback.sh (set OPS_NAME, then source it): status lines
# on stderr, coloured on a terminal only (NO_COLOR respected), and `fail CODE MESSAGE`, which runs the
# script's `on_failure` hook when it defines one and closes with "<OPS_NAME>: FAILED (exit CODE) after Ns".
# stdout stays free for the one result line automation reads (a backup's path, a database's name).

if [[ -t 2 && -z "${NO_COLOR:-}" ]]; then
  RED=$'\e[31m' GREEN=$'\e[32m' YELLOW=$'\e[33m' BOLD=$'\e[1m' RESET=$'\e[0m'
else
  RED='' GREEN='' YELLOW='' BOLD='' RESET=''
fi
OPS_STARTED=$SECONDS

say() { printf '%s\n' "$*" >&2; }
step() { say "${BOLD}==>${RESET} $*"; }
ok() { say "${GREEN}ok${RESET}    $*"; }
warn() { say "${YELLOW}warn${RESET}  $*"; }
fail() { # fail CODE MESSAGE
  say "${RED}error${RESET} $2"
  if declare -F on_failure >/dev/null; then on_failure; fi
  say "${OPS_NAME:-habitat}: ${RED}FAILED${RESET} (exit $1) after $((SECONDS - OPS_STARTED))s"
  exit "$1"
}
# the comment block at the top of a script, without the '#'
usage_of() { sed -n '2,/^[^#]/{/^# shellcheck/d; /^#/p}' "$1" | sed 's/^# \{0,1\}//'; }

# `mode` as --native/--compose or HABITAT_DEPLOY_MODE left it; empty: compose where a Docker engine answers,
# else native (this host's PostgreSQL, RabbitMQ and Caddy)
settle_mode() {
  # shellcheck disable=SC2154  # `mode` belongs to the sourcing script
  if [[ -z "$mode" ]]; then
    if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then mode=compose; else mode=native; fi
  fi
  [[ "$mode" == native || "$mode" == compose ]] || fail 2 "HABITAT_DEPLOY_MODE must be native or compose, not '$mode'"
}
