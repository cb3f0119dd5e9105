#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Upgrade Habitat to VERSION with no downtime for reads: back up, run the new release's migrations
# (expand only: the running release keeps working on the new schema, see docs/migrations.md), replace
# the replicas one at a time, smoke-test. What ran before and the pre-upgrade backup are recorded in
# $HABITAT_STATE_DIR/release.env for deploy/rollback.sh.
#
#   deploy/upgrade.sh [--native|--compose] [--url URL] VERSION
#   deploy/upgrade.sh --code-only VERSION     (no backup, no migrations, no record: deploy/rollback.sh --keep-data)
#
# VERSION    compose: the image tag (HABITAT_VERSION); native: a git ref, or "working-tree" for this checkout
# --url URL  where the smoke test reaches the stack (native: the edge proxy; compose: HABITAT_URL, else
#            https://$HABITAT_SITE_ADDRESS)
# HABITAT_DEPLOY_MODE  native|compose (default: compose where a Docker engine answers, else native)
# HABITAT_STATE_DIR    the deployment's state (default .local/deploy)
# HABITAT_BACKUP_DIR   passed to deploy/backup.sh (native default: $HABITAT_STATE_DIR/backups)
#
# Exit codes: 0 upgraded; 2 bad usage or nothing to upgrade; 3 backup failed (nothing changed);
# 4 migrations failed (backup taken, the old release still serves); 5 a replica of the new release did not
# start (the stack runs mixed: rerun, or roll back); 6 the smoke test failed on the new release.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
PY="${HABITAT_PYTHON:-$ROOT/.venv/bin/python}"
STATE_DIR="${HABITAT_STATE_DIR:-$ROOT/.local/deploy}"
STATE_FILE="$STATE_DIR/release.env"
export HABITAT_STATE_DIR="$STATE_DIR"

OPS_NAME=upgrade
# shellcheck source=lib/ops.sh
. "$HERE/lib/ops.sh"
usage() { usage_of "$0"; }

# shellcheck source=lib/release_state.sh
. "$HERE/lib/release_state.sh"

mode="${HABITAT_DEPLOY_MODE:-}" url="" version="" code_only=0
while (($#)); do
  case "$1" in
    --native) mode=native ;;
    --compose) mode=compose ;;
    --url) (($# >= 2)) || fail 2 "--url needs a value"; url="$2"; shift ;;
    --code-only) code_only=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) fail 2 "unknown option '$1' (usage: deploy/upgrade.sh [--native|--compose] [--url URL] VERSION)" ;;
    *) [[ -z "$version" ]] || fail 2 "one VERSION only (got '$version' and '$1')"; version="$1" ;;
  esac
  shift
done
[[ -n "$version" ]] || fail 2 "which version? (usage: deploy/upgrade.sh [--native|--compose] [--url URL] VERSION)"
settle_mode

native() { "$PY" -m habitat_devstack.native "$@"; }
compose() {
  local file="${HABITAT_COMPOSE_FILE:-$ROOT/docker-compose.prod.yml}"
  if docker compose version >/dev/null 2>&1; then docker compose -f "$file" "$@"; else docker-compose -f "$file" "$@"; fi
}
# compose: what .env pins, for the record (an unpinned "latest" cannot be rolled back to)
env_file_version() { if [[ -f "$ROOT/.env" ]]; then sed -n 's/^HABITAT_VERSION=//p' "$ROOT/.env" | tail -n1; fi; }

# one upgrade or rollback at a time (rollback.sh --keep-data calls this script holding the lock)
mkdir -p "$STATE_DIR"
if [[ -z "${HABITAT_DEPLOY_LOCK_HELD:-}" ]]; then
  exec 9>"$STATE_DIR/.lock"
  flock -n 9 || fail 2 "another upgrade or rollback holds $STATE_DIR/.lock"
fi

# ---- 1. what runs now, and what comes ----
step "checking what runs ($mode)"
if [[ "$mode" == native ]]; then
  [[ -x "$PY" ]] || fail 2 "$PY not found: run 'make install' (or set HABITAT_PYTHON)"
  target="$(native resolve "$version" 2>&1)" || fail 2 "${target#error: }"
  current="$(native version 2>&1)" || fail 2 "the native stack in $STATE_DIR is not running whole: ${current#error: }"
  [[ -n "$url" ]] || url="$(native url)"
  export HABITAT_BACKUP_DIR="${HABITAT_BACKUP_DIR:-$STATE_DIR/backups}"
  export HABITAT_BACKUP_DATABASE_URL="${HABITAT_BACKUP_DATABASE_URL:-$(native database-url)}"
else
  target="$version"
  current="$(state_get HABITAT_VERSION)"
  [[ -n "$current" ]] || current="$(env_file_version)"
  [[ -n "$current" && "$current" != latest ]] ||
    fail 2 "the running version is unknown or 'latest': pin HABITAT_VERSION in .env (rollback needs it)"
  if [[ -z "$url" ]]; then
    url="${HABITAT_URL:-}"
    [[ -n "$url" || -z "${HABITAT_SITE_ADDRESS:-}" ]] || url="https://$HABITAT_SITE_ADDRESS"
    [[ -n "$url" ]] || fail 2 "say where the stack answers: --url URL (or HABITAT_URL, HABITAT_SITE_ADDRESS)"
  fi
fi
[[ "$target" != "$current" ]] || fail 2 "$current runs already: nothing to upgrade"
ok "$current runs; upgrading to $target"
# the state file is the record of upgrades: a code-only rollout leaves it to its caller
((code_only)) && state_set() { :; }

# ---- 2. backup first ----
if ((code_only)); then
  backup="(none: code only)"
  if [[ "$mode" == compose ]]; then
    export HABITAT_VERSION="$target"
    compose pull --quiet || fail 5 "could not pull the images of $target"
  fi
else
  step "backing up"
  backup="$("$HERE/backup.sh" "--$mode" | tail -n1)" || fail 3 "deploy/backup.sh failed: nothing was changed"
  [[ -f "$backup" ]] || fail 3 "deploy/backup.sh did not name a backup file (got '$backup'): nothing was changed"
  state_set HABITAT_VERSION "$current" HABITAT_UPGRADE_TO "$target" HABITAT_PRE_UPGRADE_BACKUP "$backup" \
    HABITAT_UPGRADE_STATUS started HABITAT_UPGRADE_STARTED_AT "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  ok "$backup"

  # ---- 3. expand: the new release's migrations, while the old release serves ----
  step "migrating the schema to $target (expand only; $current keeps serving)"
  if [[ "$mode" == native ]]; then
    out="$(native migrate "$target" 2>&1)" || fail 4 "migrations failed, $current still serves; backup: $backup
$out"
  else
    export HABITAT_VERSION="$target"
    compose pull --quiet || fail 4 "could not pull the images of $target"
    # provision is idempotent (roles, grants, broker topology of the new release), then each service's migrations
    for job in provision migrate-identity migrate-contributions migrate-ledger migrate-notifications; do
      compose run --rm --no-deps "$job" >&2 || fail 4 "$job of $target failed, $current still serves; backup: $backup"
    done
  fi
  state_set HABITAT_UPGRADE_STATUS migrated
  ok "schema at $target's migrations"
fi

# ---- 4. replace the replicas one at a time ----
step "replacing replicas one at a time"
if [[ "$mode" == native ]]; then
  native roll "$target" >&2 || fail 5 "a replica of $target did not start (see $STATE_DIR/logs); the stack runs mixed. Fix and rerun, or deploy/rollback.sh"
else
  # compose has no rolling update: per service, a second container of the new image next to the old one,
  # wait until Docker calls it healthy, then stop and remove the old one (Caddy and the gateway reach the
  # services by DNS name, which then answers with the new container only). A process the running release
  # does not have yet (notifications, for an upgrade from a release before it) is started once.
  for svc in identity contributions ledger notifications identity-worker contributions-worker ledger-worker \
    notifications-worker gateway; do
    old="$(compose ps -q "$svc")"
    count="$(wc -w <<<"$old")"
    if ((count == 0)) && [[ "$svc" != notifications* ]]; then fail 5 "$svc has no running container"; fi
    if ((count == 0)) && [[ "$svc" == notifications-worker ]]; then announce_members=1; fi
    compose up -d --no-deps --no-recreate --scale "$svc=$((count > 0 ? count * 2 : 1))" "$svc" >&2 ||
      fail 5 "$svc: could not start $target"
    fresh=()
    for id in $(compose ps -q "$svc"); do grep -qx "$id" <<<"$old" || fresh+=("$id"); done
    for id in "${fresh[@]}"; do
      for _ in $(seq 1 60); do
        health="$(docker inspect -f '{{.State.Health.Status}}' "$id")"
        [[ "$health" != healthy ]] || break
        sleep 2
      done
      [[ "$health" == healthy ]] || fail 5 "$svc container $id of $target is '$health' after 120 s; the old ones still serve"
    done
    # shellcheck disable=SC2086  # one id per word
    [[ -z "$old" ]] || { docker stop --time 30 $old >&2 && docker rm $old >&2; }
    ok "$svc: ${#fresh[@]} container(s) of $target"
  done
  if ((${announce_members:-0})); then
    # notifications is new here: its replica of the members is empty until identity announces each once
    compose exec -T identity python -m habitat_identity.cli republish-members >&2 ||
      fail 5 "republish-members failed: notifications knows no member yet; run it again (deploy/DEPLOYMENT.md)"
    ok "members announced to notifications"
  fi
  if [[ -f "$ROOT/.env" ]] && grep -q '^HABITAT_VERSION=' "$ROOT/.env"; then
    sed -i "s/^HABITAT_VERSION=.*/HABITAT_VERSION=$target/" "$ROOT/.env"
  fi
fi
state_set HABITAT_UPGRADE_STATUS rolled-out
ok "every replica runs $target"

# ---- 5. smoke test ----
step "smoke-testing $url"
if ! "$HERE/smoke-test.sh" "$url" >&2; then
  state_set HABITAT_UPGRADE_STATUS smoke-failed
  fail 6 "the smoke test failed on $target. To go back to $current and the pre-upgrade data: deploy/rollback.sh"
fi

state_set HABITAT_PREVIOUS_VERSION "$current" HABITAT_VERSION "$target" HABITAT_UPGRADE_STATUS upgraded \
  HABITAT_UPGRADED_AT "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
printf 'upgrade: %sdone%s — %s → %s in %ss; backup %s\n' "$GREEN" "$RESET" "$current" "$target" "$((SECONDS - OPS_STARTED))" "$backup"
