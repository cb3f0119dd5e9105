#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Roll back the last deploy/upgrade.sh: the release that ran before it, on the data of the pre-upgrade
# backup (restored with deploy/restore.sh into a fresh database, which then takes the live one's name;
# the upgraded database is kept, renamed, for inspection). Writes made since that backup are NOT in
# the restored data: the application is stopped during the rollback (reads and writes answer 502/503).
#
#   deploy/rollback.sh [--native|--compose] [--keep-data] [--url URL]
#
# --keep-data  only the code goes back, the database stays as it is: safe only when every migration of
#              the upgrade was an expand step (docs/migrations.md); no data is lost, no downtime for reads
# --url URL    where the smoke test reaches the stack (as for deploy/upgrade.sh)
# HABITAT_DEPLOY_MODE, HABITAT_STATE_DIR as for deploy/upgrade.sh
#
# Exit codes: 0 rolled back; 2 bad usage or nothing to roll back; 3 the restore failed (the application is
# stopped, the upgraded database untouched: rerun, or start it again); 4 the previous release did not
# start; 6 the smoke test failed after the rollback.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
PY="${HABITAT_PYTHON:-$ROOT/.venv/bin/python}"
STATE_DIR="${HABITAT_STATE_DIR:-$ROOT/.local/deploy}"
STATE_FILE="$STATE_DIR/release.env"
export HABITAT_STATE_DIR="$STATE_DIR"

OPS_NAME=rollback
# shellcheck source=lib/ops.sh
. "$HERE/lib/ops.sh"

# shellcheck source=lib/release_state.sh
. "$HERE/lib/release_state.sh"

mode="${HABITAT_DEPLOY_MODE:-}" url="" keep_data=0
while (($#)); do
  case "$1" in
    --native) mode=native ;;
    --compose) mode=compose ;;
    --keep-data) keep_data=1 ;;
    --url) (($# >= 2)) || fail 2 "--url needs a value"; url="$2"; shift ;;
    -h | --help) usage_of "$0"; exit 0 ;;
    *) fail 2 "unknown argument '$1' (usage: deploy/rollback.sh [--native|--compose] [--keep-data] [--url URL])" ;;
  esac
  shift
done
settle_mode

native() { "$PY" -m habitat_devstack.native "$@"; }
compose() {
  local file="${HABITAT_COMPOSE_FILE:-$ROOT/docker-compose.prod.yml}"
  if docker compose version >/dev/null 2>&1; then docker compose -f "$file" "$@"; else docker-compose -f "$file" "$@"; fi
}

# one upgrade or rollback at a time
mkdir -p "$STATE_DIR"
exec 9>"$STATE_DIR/.lock"
flock -n 9 || fail 2 "another upgrade or rollback holds $STATE_DIR/.lock"

# ---- 1. what to go back to ----
[[ -f "$STATE_FILE" ]] || fail 2 "no upgrade is recorded in $STATE_FILE: nothing to roll back"
status="$(state_get HABITAT_UPGRADE_STATUS)"
[[ "$status" != rolled-back ]] || fail 2 "the last upgrade was rolled back already (see $STATE_FILE)"
upgraded_to="$(state_get HABITAT_UPGRADE_TO)"
# an upgrade that completed recorded its predecessor; one that stopped half-way still names what ran before
if [[ "$status" == upgraded ]]; then previous="$(state_get HABITAT_PREVIOUS_VERSION)"; else previous="$(state_get HABITAT_VERSION)"; fi
backup="$(state_get HABITAT_PRE_UPGRADE_BACKUP)"
[[ -n "$previous" ]] || fail 2 "$STATE_FILE names no previous version"
if ((!keep_data)); then
  [[ -n "$backup" && -f "$backup" ]] || fail 2 "the pre-upgrade backup '$backup' is missing (or roll back the code only: --keep-data)"
fi
step "rolling back $upgraded_to → $previous ($mode$( ((keep_data)) && echo ', code only'))"

if [[ "$mode" == native ]]; then
  [[ -n "$url" ]] || url="$(native url)"
  if ((keep_data)); then
    # the previous release runs on the expanded schema: replace the replicas one at a time, as an upgrade does
    native roll "$previous" >&2 || fail 4 "a replica of $previous did not start (see $STATE_DIR/logs)"
  else
    admin_url="$(native database-url)"
    database="${admin_url##*/}"
    database="${database%%\?*}"
    stamp="$(date -u +%Y%m%d%H%M%S)"
    restored="${database}_rb_$stamp"
    replaced="${database}_upgraded_$stamp"
    step "stopping the application (the proxies answer 502/503 until it is back)"
    native stop-apps >&2
    step "restoring $backup into $restored"
    # restore.sh validates through a stack of its own when it is given an admin's sign-in; the smoke test below
    # checks the rolled-back stack either way
    validate=(--skip-validate)
    [[ -z "${HABITAT_RESTORE_ADMIN_EMAIL:-}" ]] || validate=()
    HABITAT_RESTORE_ADMIN_URL="${HABITAT_RESTORE_ADMIN_URL:-${admin_url%/*}/postgres}" \
      "$HERE/restore.sh" --native "${validate[@]}" "$backup" "$restored" >&2 ||
      fail 3 "deploy/restore.sh failed; $database is untouched: start the application again with deploy/upgrade.sh's release or rerun"
    step "$restored takes the place of $database (kept as $replaced)"
    psql --quiet --no-psqlrc --set ON_ERROR_STOP=1 --output=/dev/null --dbname="${admin_url%/*}/postgres" >&2 <<SQL ||
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN ('$database', '$restored') AND pid <> pg_backend_pid();
ALTER DATABASE "$database" RENAME TO "$replaced";
ALTER DATABASE "$restored" RENAME TO "$database";
SQL
      fail 3 "could not swap the databases (see above)"
    state_set HABITAT_REPLACED_DATABASE "$replaced"
    step "starting $previous"
    native start-apps "$previous" >&2 || fail 4 "$previous did not start (see $STATE_DIR/logs)"
  fi
else
  export HABITAT_VERSION="$previous"
  if ((keep_data)); then
    HABITAT_DEPLOY_LOCK_HELD=1 "$HERE/upgrade.sh" --compose --code-only ${url:+--url "$url"} "$previous" || fail 4 "could not roll the containers back to $previous"
  else
    step "stopping the application (Caddy answers 502/503 until it is back)"
    compose stop gateway identity contributions ledger notifications identity-worker contributions-worker \
      ledger-worker notifications-worker >&2
    restored="habitat_rb_$(date -u +%Y%m%d%H%M%S)"
    # validated after the switch, through the smoke test and `habitat validate` (see docs/migrations.md)
    "$HERE/restore.sh" --compose --skip-validate "$backup" "$restored" >&2 || fail 3 "deploy/restore.sh failed; the database is untouched"
    compose exec -T postgres psql -q -o /dev/null -v ON_ERROR_STOP=1 -U "${POSTGRES_USER:-habitat}" -d postgres >&2 <<SQL || fail 3 "could not swap the databases"
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN ('habitat', '$restored') AND pid <> pg_backend_pid();
ALTER DATABASE habitat RENAME TO "habitat_upgraded_${restored#habitat_rb_}";
ALTER DATABASE "$restored" RENAME TO habitat;
SQL
    compose up -d --no-deps gateway identity contributions ledger identity-worker contributions-worker ledger-worker >&2 ||
      fail 4 "$previous did not start"
    # a release from before the notifications service has no image of it: mail stays off until the next upgrade
    if docker image inspect "${HABITAT_REGISTRY:-habitat}/notifications:$previous" >/dev/null 2>&1; then
      compose up -d --no-deps notifications notifications-worker >&2 || fail 4 "$previous did not start (notifications)"
    else
      warn "$previous has no notifications image: notifications and notifications-worker stay stopped (no mail)"
    fi
  fi
  if [[ -f "$ROOT/.env" ]] && grep -q '^HABITAT_VERSION=' "$ROOT/.env"; then
    sed -i "s/^HABITAT_VERSION=.*/HABITAT_VERSION=$previous/" "$ROOT/.env"
  fi
  [[ -n "$url" ]] || url="${HABITAT_URL:-https://${HABITAT_SITE_ADDRESS:-localhost}}"
fi
state_set HABITAT_VERSION "$previous" HABITAT_PREVIOUS_VERSION "$upgraded_to" HABITAT_UPGRADE_STATUS rolled-back \
  HABITAT_ROLLED_BACK_AT "$(date -u +%Y-%m-%dT%H:%M:%SZ)"

# the release is judged by its own smoke test: a newer one may check what it never promised
smoke_test() {
  if [[ "$mode" != native ]]; then
    "$HERE/smoke-test.sh" "$url"
  elif [[ "$previous" == working-tree ]] || git -C "$ROOT" cat-file -e "$previous:deploy/smoke-test.sh" 2>/dev/null; then
    native run "$previous" -- -m habitat_cli smoke "$url"
  else
    printf '%s predates deploy/smoke-test.sh: checking /healthz and /readyz through the proxy only\n' "$previous"
    native probe
  fi
}
step "smoke-testing $url"
smoke_test >&2 || fail 6 "the smoke test failed after rolling back to $previous"
printf 'rollback: %sdone%s — %s runs again%s in %ss\n' "$GREEN" "$RESET" "$previous" \
  "$( ((keep_data)) && echo ' (data kept)' || echo " on the data of $backup")" "$((SECONDS - OPS_STARTED))"
