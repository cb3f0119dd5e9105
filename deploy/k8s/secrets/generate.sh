#!/usr/bin/env bash
# Writes the five env files that ./kustomization.yaml turns into Secrets, with fresh random values
# (openssl rand -hex: URL-safe, as the connection URLs need), or with the values of an existing compose
# .env (--from-env), so a co-op moving from one VPS keeps its passwords and SIGNING_KEY_PASSPHRASE (the
# database's signing keys are encrypted with it). Never overwrites a file: delete it to make a new one.
#   deploy/k8s/secrets/generate.sh [--from-env FILE] [--dir DIR]
# Exit: 0 written (or all present), 1 a value missing or unusable, 2 usage.
set -euo pipefail

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  GREEN=$'\e[32m' RED=$'\e[31m' DIM=$'\e[2m' RESET=$'\e[0m'
else
  GREEN="" RED="" DIM="" RESET=""
fi

usage() { echo "usage: $0 [--from-env FILE] [--dir DIR]" >&2; exit 2; }

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
from_env=""
while (($#)); do
  case "$1" in
    --from-env) [[ $# -ge 2 ]] || usage; from_env="$2"; shift 2 ;;
    --dir) [[ $# -ge 2 ]] || usage; dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "${RED}unknown argument: $1${RESET}" >&2; usage ;;
  esac
done
if [[ -n "$from_env" && ! -r "$from_env" ]]; then
  echo "${RED}cannot read $from_env${RESET}" >&2
  exit 2
fi
[[ -d "$dir" ]] || { echo "${RED}no such directory: $dir${RESET}" >&2; exit 2; }
command -v openssl >/dev/null || { echo "${RED}openssl is needed (apt-get install -y openssl)${RESET}" >&2; exit 1; }

# the last KEY=VALUE line for KEY in the .env file, without surrounding quotes
from_file() {
  local line value
  line="$(grep -E "^[[:space:]]*$1=" "$from_env" | tail -n 1 || true)"
  [[ -n "$line" ]] || return 1
  value="${line#*=}"
  value="${value%\"}"; value="${value#\"}"; value="${value%\'}"; value="${value#\'}"
  printf '%s' "$value"
}

value_for() {  # KEY BYTES
  local value
  if [[ -n "$from_env" ]]; then
    if ! value="$(from_file "$1")" || [[ -z "$value" ]]; then
      echo "${RED}$1 is not set in $from_env${RESET}" >&2
      return 1
    fi
    # passwords end up inside connection URLs
    if [[ ! "$value" =~ ^[A-Za-z0-9._~-]+$ ]]; then
      echo "${RED}$1 in $from_env is not URL-safe (use openssl rand -hex 24)${RESET}" >&2
      return 1
    fi
    if [[ "$value" =~ ^(change|replace|example|secret|password) ]]; then
      echo "${RED}$1 in $from_env is a placeholder, not a secret${RESET}" >&2
      return 1
    fi
    printf '%s' "$value"
  else
    openssl rand -hex "$2"
  fi
}

written=0 kept=0
write_file() {  # NAME KEY:BYTES... (writes NAME.env)
  local file="$dir/$1.env" spec key content=""
  shift
  if [[ -e "$file" ]]; then
    echo "${DIM}kept   $file (exists; delete it to make new values)${RESET}"
    kept=$((kept + 1))
    return 0
  fi
  for spec in "$@"; do
    key="${spec%%:*}"
    content+="$key=$(value_for "$key" "${spec##*:}")"$'\n'
  done
  (umask 077 && printf '%s' "$content" > "$file")
  echo "${GREEN}wrote  $file${RESET} ($(($# )) values)"
  written=$((written + 1))
}

write_file admin POSTGRES_PASSWORD:24 RABBITMQ_PASSWORD:24 MONITORING_DB_PASSWORD:24
write_file identity IDENTITY_DB_OWNER_PASSWORD:24 IDENTITY_DB_PASSWORD:24 IDENTITY_MQ_PASSWORD:24 \
  SIGNING_KEY_PASSPHRASE:32 DEVICE_COOKIE_SECRET:32
write_file contributions CONTRIBUTIONS_DB_OWNER_PASSWORD:24 CONTRIBUTIONS_DB_PASSWORD:24 CONTRIBUTIONS_MQ_PASSWORD:24
write_file ledger LEDGER_DB_OWNER_PASSWORD:24 LEDGER_DB_PASSWORD:24 LEDGER_MQ_PASSWORD:24
write_file notifications NOTIFICATIONS_DB_OWNER_PASSWORD:24 NOTIFICATIONS_DB_PASSWORD:24 NOTIFICATIONS_MQ_PASSWORD:24

echo "secrets: $written written, $kept kept in $dir; next: kubectl apply -k $dir"
