#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Back up Habitat's database: one pg_dump (custom format, every service's schema) with its sha256 checksum,
# old backups of this script pruned, an optional off-site copy. The backup's path is the last line on stdout;
# everything else goes to stderr, so cron and automation can use `path=$(deploy/backup.sh)`.
#
#   deploy/backup.sh [--native|--compose]
#
# HABITAT_BACKUP_DIR               where backups go (required; created if missing)
# HABITAT_BACKUP_RETENTION_DAYS    backups of this script older than this are deleted (default 30; 0 keeps all)
# HABITAT_BACKUP_OFFSITE_COMMAND   optional shell command run with the dump's path as $1 (its checksum is
#                                  "$1.sha256"); its failure fails the backup (exit 3), the local copy stays
# HABITAT_TEXTFILE_DIR             optional: on success, write habitat_backup_last_success_timestamp_seconds and
#                                  habitat_backup_size_bytes to habitat_backup.prom there (node exporter's textfile
#                                  collector; the HabitatBackupStale alert reads it)
# HABITAT_DEPLOY_MODE              native|compose (default: compose where a Docker engine answers, else native)
# native:  HABITAT_BACKUP_DATABASE_URL (postgresql://user@host:port/db) or the libpq PG* variables
# compose: HABITAT_COMPOSE_FILE (default docker-compose.prod.yml), POSTGRES_USER/POSTGRES_DB (default habitat)
#
# Exit codes: 0 done, 1 failed (nothing kept), 2 bad usage or configuration, 3 off-site copy failed.
set -euo pipefail

NAME_PREFIX=habitat
STAMP_PATTERN='^habitat-[0-9]{8}T[0-9]{6}Z\.dump$'

OPS_NAME=backup
# shellcheck source=lib/ops.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/ops.sh"

mode="${HABITAT_DEPLOY_MODE:-}"
for arg in "$@"; do
  case "$arg" in
    --native) mode=native ;;
    --compose) mode=compose ;;
    -h | --help) usage_of "$0"; exit 0 ;;
    *) fail 2 "unknown argument '$arg' (usage: deploy/backup.sh [--native|--compose])" ;;
  esac
done
settle_mode

dir="${HABITAT_BACKUP_DIR:-}"
[[ -n "$dir" ]] || fail 2 "HABITAT_BACKUP_DIR is not set: say where backups go"
retention="${HABITAT_BACKUP_RETENTION_DAYS:-30}"
[[ "$retention" =~ ^[0-9]+$ ]] || fail 2 "HABITAT_BACKUP_RETENTION_DAYS must be a whole number of days, not '$retention'"
mkdir -p "$dir" || fail 2 "cannot create $dir"
dir="$(cd "$dir" && pwd)"
[[ -w "$dir" ]] || fail 2 "$dir is not writable"

compose() {
  local file="${HABITAT_COMPOSE_FILE:-docker-compose.prod.yml}"
  if docker compose version >/dev/null 2>&1; then docker compose -f "$file" "$@"; else docker-compose -f "$file" "$@"; fi
}

dump() { # dump TARGET: the whole database, custom format, one consistent snapshot
  if [[ "$mode" == compose ]]; then
    compose exec -T postgres pg_dump -U "${POSTGRES_USER:-habitat}" -d "${POSTGRES_DB:-habitat}" --format=custom >"$1"
  elif [[ -n "${HABITAT_BACKUP_DATABASE_URL:-}" ]]; then
    pg_dump --format=custom --dbname="$HABITAT_BACKUP_DATABASE_URL" --file="$1"
  else
    pg_dump --format=custom --file="$1"  # PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD...
  fi
}

while :; do  # names are unique per second: a second backup within one waits for the next
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  name="$NAME_PREFIX-$stamp.dump"
  file="$dir/$name"
  [[ -e "$file" ]] || break
  sleep 1
done
partial="$dir/.$name.partial"
trap 'rm -f "$partial"' EXIT

say "backing up ($mode) into $dir"
dump "$partial" || fail 1 "pg_dump failed; no backup was kept"
# an interrupted exec can leave a short file behind a zero exit: the archive must list its contents
pg_restore --list "$partial" >/dev/null 2>&1 || fail 1 "the dump is not a readable pg_dump archive; no backup was kept"
mv "$partial" "$file"
(cd "$dir" && sha256sum "$name" >"$name.sha256")
ok "$name ($(du -h "$file" | cut -f1)), checksum $name.sha256"

if [[ -n "${HABITAT_BACKUP_OFFSITE_COMMAND:-}" ]]; then
  if bash -c "$HABITAT_BACKUP_OFFSITE_COMMAND" offsite "$file"; then
    ok "off-site copy done"
  else
    fail 3 "the off-site copy command failed (exit $?); the local backup $file is kept, old ones were not pruned"
  fi
fi

pruned=0
if ((retention > 0)); then
  # by the time stamp in the name (copies keep it, mtimes do not), and only files named as this script names them
  cutoff="$(date -u -d "-$retention days" +%Y%m%dT%H%M%SZ)"
  for old in "$dir"/"$NAME_PREFIX"-*.dump; do
    base="${old##*/}"
    [[ "$base" =~ $STAMP_PATTERN ]] || continue
    old_stamp="${base#"$NAME_PREFIX"-}"
    old_stamp="${old_stamp%.dump}"
    if [[ "$old_stamp" < "$cutoff" ]]; then
      rm -f "$old" "$old.sha256"
      pruned=$((pruned + 1))
    fi
  done
  ((pruned == 0)) || ok "pruned $pruned backup(s) older than $retention days"
fi

if [[ -n "${HABITAT_TEXTFILE_DIR:-}" ]]; then
  # written whole then renamed: the node exporter never reads half a file
  metrics="$HABITAT_TEXTFILE_DIR/habitat_backup.prom"
  if mkdir -p "$HABITAT_TEXTFILE_DIR" && {
    printf '# HELP habitat_backup_last_success_timestamp_seconds When deploy/backup.sh last succeeded.\n'
    printf '# TYPE habitat_backup_last_success_timestamp_seconds gauge\n'
    printf 'habitat_backup_last_success_timestamp_seconds %s\n' "$(date -u +%s)"
    printf '# HELP habitat_backup_size_bytes Size of the last successful backup.\n'
    printf '# TYPE habitat_backup_size_bytes gauge\n'
    printf 'habitat_backup_size_bytes %s\n' "$(stat -c %s "$file")"
  } >"$metrics.$$.tmp" && chmod 0644 "$metrics.$$.tmp" && mv "$metrics.$$.tmp" "$metrics"; then
    ok "metrics written to $metrics"
  else
    rm -f "$metrics.$$.tmp"
    fail 1 "the backup $file is kept, but its metrics could not be written to $HABITAT_TEXTFILE_DIR"
  fi
fi

say "backup: ${GREEN}done${RESET} — $name, $pruned pruned"
printf '%s\n' "$file"
