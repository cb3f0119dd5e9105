#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Restore a backup of deploy/backup.sh into a fresh database and prove it: checksum verified first (nothing
# is created on a mismatch), the service roles made to exist so ownership and grants survive, pg_restore,
# provisioning again (logins, passwords, grants), every service's migrations forward as its owner role,
# then `habitat validate` through the API.
#
#   deploy/restore.sh [--native|--compose] [--skip-validate] FILE [DATABASE]
#
# DATABASE defaults to habitat_restore_<UTC stamp>; it must not exist, or be empty.
# HABITAT_DEPLOY_MODE            native|compose (default: compose where a Docker engine answers, else native)
# HABITAT_RESTORE_ROLE_PREFIX    roles are <prefix>_<svc>[_owner]; default: read from the backup's schema owners
# HABITAT_RESTORE_REPUBLISH_MINUTES  events published this long before the backup are published again (default 30)
# native:  HABITAT_RESTORE_ADMIN_URL  PostgreSQL administrator, postgresql://user@host:port/maintenance-db
#                                     (default from PGUSER/PGHOST/PGPORT, PGPASSWORD honoured)
#          validate starts identity, contributions, ledger, notifications and the gateway on free ports on the restored
#          database (as the runtime roles) and signs in as HABITAT_RESTORE_ADMIN_EMAIL with the password in
#          HABITAT_RESTORE_ADMIN_PASSWORD_FILE (or HABITAT_RESTORE_ADMIN_PASSWORD); the broker
#          HABITAT_RESTORE_AMQP_URL (default local guest) is only probed. Role passwords: <SVC>_DB_PASSWORD...
# compose: the postgres, provision and migrate-<svc> services of HABITAT_COMPOSE_FILE (default
#          docker-compose.prod.yml); validate runs `habitat validate` against HABITAT_URL, a stack already
#          pointed at DATABASE (else pass --skip-validate and validate after switching the stack over).
#
# Exit codes: 0 restored and validated, 1 a step failed, 2 bad usage, 3 refused (checksum, backup or target).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICES=(identity contributions ledger notifications)

OPS_NAME=restore
# shellcheck source=lib/ops.sh
. "$ROOT/deploy/lib/ops.sh"
created_db=""
on_failure() {
  if [[ -n "$created_db" ]]; then
    say "dropping $created_db, which this run created"
    sql postgres "DROP DATABASE IF EXISTS \"$created_db\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}

mode="${HABITAT_DEPLOY_MODE:-}"
skip_validate=0
positional=()
for arg in "$@"; do
  case "$arg" in
    --native) mode=native ;;
    --compose) mode=compose ;;
    --skip-validate) skip_validate=1 ;;
    -h | --help) usage_of "$0"; exit 0 ;;
    -*) fail 2 "unknown option '$arg' (usage: deploy/restore.sh [--native|--compose] [--skip-validate] FILE [DATABASE])" ;;
    *) positional+=("$arg") ;;
  esac
done
((${#positional[@]} >= 1 && ${#positional[@]} <= 2)) ||
  fail 2 "usage: deploy/restore.sh [--native|--compose] [--skip-validate] FILE [DATABASE]"
file="${positional[0]}"
db="${positional[1]:-habitat_restore_$(date -u +%Y%m%dt%H%M%Sz)}"
[[ "$db" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || fail 2 "database name '$db': use lower-case letters, digits and _ (at most 63)"
settle_mode
republish="${HABITAT_RESTORE_REPUBLISH_MINUTES:-30}"
[[ "$republish" =~ ^[0-9]+$ ]] || fail 2 "HABITAT_RESTORE_REPUBLISH_MINUTES must be a whole number, not '$republish'"

compose() {
  local compose_file="${HABITAT_COMPOSE_FILE:-docker-compose.prod.yml}"
  if docker compose version >/dev/null 2>&1; then docker compose -f "$compose_file" "$@"
  else docker-compose -f "$compose_file" "$@"; fi
}
admin_url="${HABITAT_RESTORE_ADMIN_URL:-postgresql://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:${PGPORT:-5432}/postgres}"
url_of() { # url_of DB: the administrator's URL on database DB (query string kept)
  local base="${admin_url%%\?*}"
  printf '%s/%s%s' "${base%/*}" "$1" "${admin_url#"$base"}"
}
sql() { # sql DB STATEMENT: one value per line, unaligned
  if [[ "$mode" == compose ]]; then
    compose exec -T postgres psql -U "${POSTGRES_USER:-habitat}" -d "$1" -v ON_ERROR_STOP=1 -qtAc "$2"
  else
    psql "$(url_of "$1")" -v ON_ERROR_STOP=1 -qtAc "$2"
  fi
}

# 1. the backup: present, unchanged, readable. Nothing is created before this passes.
[[ -f "$file" && -r "$file" ]] || fail 3 "no readable backup at '$file'"
[[ -f "$file.sha256" ]] || fail 3 "refused: no checksum file $file.sha256 next to the backup"
expected="$(awk 'NR == 1 { print $1 }' "$file.sha256")"
[[ "$expected" =~ ^[0-9a-f]{64}$ ]] || fail 3 "refused: $file.sha256 holds no sha256 checksum"
actual="$(sha256sum <"$file" | cut -d' ' -f1)"
[[ "$actual" == "$expected" ]] || fail 3 "refused: $file does not match its checksum (damaged or altered); nothing was restored"
toc="$(pg_restore --list "$file" 2>/dev/null)" || fail 3 "refused: $file is not a pg_dump custom-format archive"
ok "checksum verified ($actual)"

# 2. whose schemas: <prefix>_<svc>_owner in the archive's table of contents
prefix="${HABITAT_RESTORE_ROLE_PREFIX:-}"
if [[ -z "$prefix" ]]; then
  owner="$(awk '$4 == "SCHEMA" && $6 == "identity" { print $7 }' <<<"$toc")"
  [[ "$owner" == *_identity_owner ]] && prefix="${owner%_identity_owner}"
fi
[[ -n "$prefix" ]] || prefix=habitat
[[ "$prefix" =~ ^[a-z_][a-z0-9_]*$ ]] || fail 2 "role prefix '$prefix': lower-case letters, digits and _ only"
mapfile -t owners < <(awk '$1 ~ /^[0-9]+;$/ && NF >= 7 { print $NF }' <<<"$toc" | sort -u)

# 3. the target: fresh (absent, or without a single table)
exists="$(sql postgres "SELECT 1 FROM pg_database WHERE datname = '$db'")" || fail 1 "cannot reach PostgreSQL as the administrator"
if [[ "$exists" == 1 ]]; then
  objects="$(sql "$db" "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'")" ||
    fail 1 "cannot look into database $db"
  [[ "$objects" == 0 ]] || fail 3 "refused: database $db exists and is not empty ($objects relations); restore into a fresh one"
  ok "database $db exists and is empty"
else
  sql postgres "CREATE DATABASE \"$db\"" >/dev/null || fail 1 "could not create database $db"
  created_db="$db"
  ok "database $db created"
fi

# 4. roles first: the archive sets owners and grants by name
if [[ "$mode" == compose ]]; then
  compose run --rm -T provision >/dev/null || fail 1 "provisioning the service roles failed: see the provision service's output"
fi
wanted=("${owners[@]}")
for service in "${SERVICES[@]}"; do wanted+=("${prefix}_${service}_owner" "${prefix}_${service}"); done
made=0
for role in $(printf '%s\n' "${wanted[@]}" | sort -u); do
  [[ "$role" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || fail 3 "refused: the backup names a role '$role' this script will not create"
  present="$(sql postgres "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" || fail 1 "cannot read roles"
  if [[ "$present" != 1 ]]; then
    sql postgres "CREATE ROLE \"$role\"" >/dev/null || fail 1 "could not create role $role"
    made=$((made + 1))
  fi
done
ok "roles ${prefix}_<svc>[_owner] present ($made created)"

# 5. the data, all or nothing
if [[ "$mode" == compose ]]; then
  compose exec -T postgres pg_restore -U "${POSTGRES_USER:-habitat}" -d "$db" --exit-on-error --single-transaction \
    <"$file" || fail 1 "pg_restore failed; $db was rolled back"
else
  pg_restore --dbname="$(url_of "$db")" --exit-on-error --single-transaction "$file" ||
    fail 1 "pg_restore failed; $db was rolled back"
fi
ok "restored $(grep -c ' TABLE DATA ' <<<"$toc") tables into $db"

# 5b. events in flight when the dump was taken (published, not yet consumed, or waiting in a retry queue) are
# in no broker the restored stack will read: the relays publish the last minutes' events again, and consumers
# drop the ones they had already handled through their inbox tables
again=0
for service in "${SERVICES[@]}"; do
  [[ "$(sql "$db" "SELECT to_regclass('$service.outbox') IS NOT NULL")" == t ]] || continue
  count="$(sql "$db" "WITH again AS (UPDATE $service.outbox SET published_at = NULL
    WHERE published_at >= (SELECT max(published_at) FROM $service.outbox) - interval '$republish minutes'
    RETURNING 1) SELECT count(*) FROM again")" || fail 1 "could not mark $service's recent events for publishing again"
  again=$((again + count))
done
ok "$again event(s) of the last $republish minutes before the backup will be published again (duplicates are dropped)"

# 6. logins, passwords and grants again; 7. migrations forward as each schema's owner
python="${HABITAT_PYTHON:-$ROOT/.venv/bin/python}"
if [[ "$mode" == compose ]]; then
  # shellcheck disable=SC2016 # expanded inside the container, where the URLs with their passwords live
  compose run --rm -T --no-deps provision sh -c \
    'export HABITAT_PROVISION_POSTGRES_URL="${HABITAT_PROVISION_POSTGRES_URL%/*}/$0"; exec python -m habitat_common.provisioning' \
    "$db" >/dev/null || fail 1 "provisioning $db failed"
  for service in "${SERVICES[@]}"; do
    var="${service^^}_DATABASE__URL"
    compose run --rm -T --no-deps "migrate-$service" sh -c \
      "export $var=\"\${$var%/*}/\$0\"; exec alembic -c services/$service/alembic.ini upgrade head" "$db" ||
      fail 1 "$service: migrations failed on $db"
  done
else
  "$python" "$ROOT/deploy/restore_check.py" provision "$(url_of "$db")" "$prefix" || fail 1 "provisioning $db failed"
  "$python" "$ROOT/deploy/restore_check.py" migrate "$(url_of "$db")" "$prefix" || fail 1 "migrations failed on $db"
fi
ok "roles provisioned and every schema at its newest migration"
created_db=""  # restored: from here on a failure leaves the database for inspection

# 8. the proof, through the API
if ((skip_validate)); then
  warn "validate skipped (--skip-validate): run \`habitat validate\` once a stack serves $db"
  validated="not validated"
elif [[ "$mode" == compose ]]; then
  [[ -n "${HABITAT_URL:-}" ]] ||
    fail 1 "compose mode validates through a stack pointed at $db: set HABITAT_URL (signed in with \`habitat login\`), or pass --skip-validate"
  "${HABITAT_CLI:-habitat}" validate >&2 || fail 1 "habitat validate failed on $db"
  validated="validated"
else
  "$python" "$ROOT/deploy/restore_check.py" validate "$(url_of "$db")" "$prefix" || fail 1 "validation of $db failed"
  validated="validated"
fi

say "restore: ${GREEN}done${RESET} — $file into $db, $validated"
printf '%s\n' "$db"
