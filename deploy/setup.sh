#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# First deploy of Habitat on one host; idempotent (run it again: it changes only what is missing).
#
#   deploy/setup.sh [--native|--compose] [--domain NAME] [--version TAG] [--env-file PATH] [--no-smoke]
#   deploy/setup.sh --stop [--native|--compose]
#
# Checks the prerequisites; writes .env from deploy/.env.example with generated secrets (an existing .env
# is kept, missing keys are added, and it is refused while a value still holds a `change-me` placeholder);
# creates each service's database roles and broker user; runs the migrations; starts the stack; waits for
# health; runs deploy/smoke-test.sh URL; prints the next steps.
# Mode: --native or --compose, else HABITAT_DEPLOY_MODE=native|compose, else compose where `docker compose`
# works and native otherwise (this machine's PostgreSQL, RabbitMQ and Caddy; processes detached, pid records
# and logs under $HABITAT_STATE_DIR, default .local/deploy).
# Exit codes: 0 ready (or stopped); 1 a step failed; 2 bad usage; 3 .env holds a placeholder; 4 smoke test failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HABITAT_LOG_TAG=setup
# shellcheck source=lib/common.sh
. "$ROOT/deploy/lib/common.sh"

EXAMPLE="$ROOT/deploy/.env.example"
COMPOSE_FILE="$ROOT/docker-compose.prod.yml"
ENV_FILE="${HABITAT_ENV_FILE:-$ROOT/.env}"
MODE="${HABITAT_DEPLOY_MODE:-auto}"
DOMAIN="${HABITAT_DOMAIN:-}"
VERSION="${HABITAT_VERSION:-}"
PY="${HABITAT_PYTHON:-$ROOT/.venv/bin/python}"
SMOKE=1
ACTION=up

usage() { sed -n '2,/^[^#]/{/^# shellcheck/d; /^#/p}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ "$#" -gt 0 ]; do
  case "$1" in
    --native) MODE=native ;;
    --compose) MODE=compose ;;
    --stop) ACTION=stop ;;
    --no-smoke) SMOKE="" ;;
    --domain) [ "$#" -ge 2 ] || die "--domain needs a name, e.g. --domain habitat.example.coop" 2; DOMAIN="$2"; shift ;;
    --version) [ "$#" -ge 2 ] || die "--version needs a release tag, e.g. --version 0.1.0" 2; VERSION="$2"; shift ;;
    --env-file) [ "$#" -ge 2 ] || die "--env-file needs a path" 2; ENV_FILE="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" 2 ;;
  esac
  shift
done

if [ "$MODE" = auto ]; then
  if docker compose version >/dev/null 2>&1 && docker info >/dev/null 2>&1; then MODE=compose; else MODE=native; fi
fi
case "$MODE" in
  native|compose) ;;
  *) die "HABITAT_DEPLOY_MODE must be native or compose, not '$MODE'" 2 ;;
esac

dc() { docker compose -f "$COMPOSE_FILE" --env-file "$ENV_FILE" "$@"; }
native_py() { HABITAT_STATE_DIR="${HABITAT_STATE_DIR:-$ROOT/.local/deploy}" "$PY" "$@"; }

# ---- stop ------------------------------------------------------------------------------------
if [ "$ACTION" = stop ]; then
  if [ "$MODE" = compose ]; then
    dc down
  else
    [ -x "$PY" ] || die "no virtualenv at $PY: nothing was set up natively here"
    native_py -m habitat_devstack.native stop 2>/dev/null \
      || { ok "nothing running (no native deployment in ${HABITAT_STATE_DIR:-$ROOT/.local/deploy})"; exit 0; }
  fi
  say "stopped (${MODE})"
  exit 0
fi

say "setting up Habitat (${MODE} mode)"

# ---- 1. prerequisites ------------------------------------------------------------------------
command -v openssl >/dev/null 2>&1 || die "openssl is missing (apt-get install -y openssl): it generates the secrets"
if [ "$MODE" = compose ]; then
  docker compose version >/dev/null 2>&1 || die "docker compose is missing: install Docker Engine with the compose plugin"
  docker info >/dev/null 2>&1 || die "the Docker engine does not answer (is dockerd running, may this user use it?)"
  ok "docker compose and the engine answer"
else
  HABITAT_LOG_TAG=setup "$ROOT/deploy/lib/prerequisites.sh" || die "prerequisites are not in place (see above)"
  if [ ! -x "$PY" ]; then
    say "creating the virtualenv (make install)"
    make -C "$ROOT" install >&2 || die "make install failed"
    changed "virtualenv installed"
  else
    ok "virtualenv at $PY"
  fi
fi

# ---- 2. .env ---------------------------------------------------------------------------------
secret() {  # the example names the length it wants: change-me-openssl-rand-hex-32
  case "$1" in *-32) openssl rand -hex 32 ;; *) openssl rand -hex 24 ;; esac
}
default_version() {
  sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/libs/habitat_common/pyproject.toml" | head -n 1
}
filled() {  # KEY VALUE: the value .env gets for an example line
  case "$1" in
    HABITAT_DOMAIN) printf '%s' "$DOMAIN" ;;
    HABITAT_VERSION) printf '%s' "$VERSION" ;;
    *) case "$2" in *change-me*) secret "$2" ;; *) printf '%s' "$2" ;; esac ;;
  esac
}

[ -f "$EXAMPLE" ] || die "$EXAMPLE is missing"
if [ -z "$VERSION" ]; then VERSION="$(default_version)"; fi
if [ ! -f "$ENV_FILE" ]; then
  if [ -z "$DOMAIN" ]; then
    [ "$MODE" = native ] || die "pass --domain NAME (the public name whose DNS points here) for the first setup" 2
    DOMAIN=localhost
  fi
  tmp="$(mktemp "${ENV_FILE}.XXXXXX")"
  chmod 600 "$tmp"
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ "$line" =~ ^([A-Z][A-Z0-9_]*)=(.*)$ ]]; then
      printf '%s=%s\n' "${BASH_REMATCH[1]}" "$(filled "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")"
    else
      printf '%s\n' "$line"
    fi
  done <"$EXAMPLE" >"$tmp"
  mv "$tmp" "$ENV_FILE"
  changed "wrote $ENV_FILE with generated secrets (mode 0600; keep a copy with your backups' secrets)"
else
  added=()
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ "$line" =~ ^([A-Z][A-Z0-9_]*)=(.*)$ ]] && ! grep -q "^${BASH_REMATCH[1]}=" "$ENV_FILE"; then
      [ "${BASH_REMATCH[1]}" != HABITAT_DOMAIN ] || [ -n "$DOMAIN" ] || die "$ENV_FILE has no HABITAT_DOMAIN: pass --domain NAME" 2
      printf '%s=%s\n' "${BASH_REMATCH[1]}" "$(filled "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")" >>"$ENV_FILE"
      added+=("${BASH_REMATCH[1]}")
    fi
  done <"$EXAMPLE"
  if [ "${#added[@]}" -gt 0 ]; then
    changed "added to $ENV_FILE: ${added[*]}"
  else
    ok "$ENV_FILE kept as it is"
  fi
fi
mapfile -t left < <(grep -E '^[A-Z][A-Z0-9_]*=.*change-me' "$ENV_FILE" | cut -d= -f1)
if [ "${#left[@]}" -gt 0 ]; then
  die "$ENV_FILE still holds placeholders (change-me) in: ${left[*]}. Refusing to start: put a generated secret in each (openssl rand -hex 24), or move $ENV_FILE away and run deploy/setup.sh again." 3
fi
perms="$(stat -c '%a' "$ENV_FILE")"
[ "$perms" = 600 ] || warn "$ENV_FILE is mode $perms: it holds every password, chmod 600 it"
# shellcheck disable=SC1090  # read for HABITAT_DOMAIN only, in a subshell: no secret enters this shell
DOMAIN="$(set -a; . "$ENV_FILE"; printf '%s' "${HABITAT_DOMAIN:-}")"

# ---- 3-6. roles and users, migrations, start, health -------------------------------------------
if [ "$MODE" = compose ]; then
  dc config --quiet || die "docker compose rejects $COMPOSE_FILE with $ENV_FILE (see above)"
  say "building the images (docker compose build)"
  dc build >&2 || die "docker compose build failed"
  # provision (roles, users, topology) and the migrate-<service> one-shots run before the services start;
  # --wait returns once every service is healthy
  say "starting: provision, migrations, services, Caddy (docker compose up -d --wait)"
  dc up -d --wait --wait-timeout 300 >&2 || die "the stack did not become healthy: docker compose ps; docker compose logs --tail 50"
  changed "stack up and healthy (docker compose ps)"
  URL="https://${DOMAIN}"
else
  result="$(native_py -m habitat_devstack.setup_native up --env-file "$ENV_FILE")" \
    || die "native setup failed (see above)"
  summary="${result##*$'\n'}"
  for field in $summary; do
    case "$field" in
      changed=*) HABITAT_CHANGED=$((HABITAT_CHANGED + ${field#changed=})) ;;
      unchanged=*) HABITAT_UNCHANGED=$((HABITAT_UNCHANGED + ${field#unchanged=})) ;;
      url=*) URL="${field#url=}" ;;
    esac
  done
  [ -n "${URL:-}" ] || die "native setup printed no URL"
fi

# ---- 7. smoke test -----------------------------------------------------------------------------
if [ -z "$SMOKE" ]; then
  warn "smoke test skipped (--no-smoke)"
elif [ -x "$ROOT/deploy/smoke-test.sh" ]; then
  say "smoke test: deploy/smoke-test.sh $URL"
  HABITAT_DEPLOY_MODE="$MODE" "$ROOT/deploy/smoke-test.sh" "$URL" >&2 || die "smoke test failed against $URL (the stack is up: see the failed checks above)" 4
  ok "smoke test passed"
else
  warn "deploy/smoke-test.sh not found: smoke test skipped"
fi

# ---- next steps --------------------------------------------------------------------------------
printf '%sHabitat is running at %s%s\n' "$C_BOLD" "$URL" "$C_OFF" >&2
if [ "$MODE" = compose ]; then
  cat >&2 <<NEXT
Next steps:
  1. First admin:  docker compose -f docker-compose.prod.yml --env-file .env run --rm identity \\
                     python -m habitat_identity.cli ensure-admin --email you@your.coop --display-name "Your Name" --password-stdin
  2. Back up $ENV_FILE with your backups' secrets; schedule deploy/backup.sh (deploy/DEPLOYMENT.md, "Backups").
  3. Stop: deploy/setup.sh --stop --compose     Logs: docker compose -f docker-compose.prod.yml logs -f
NEXT
else
  cat >&2 <<NEXT
Next steps:
  1. First admin:  HABITAT_STATE_DIR=${HABITAT_STATE_DIR:-$ROOT/.local/deploy} $PY -m habitat_devstack.setup_native \\
                     admin --email you@your.coop --display-name "Your Name"
  2. Back up $ENV_FILE with your backups' secrets; schedule deploy/backup.sh (deploy/DEPLOYMENT.md, "Backups").
  3. Stop: deploy/setup.sh --stop --native      Logs: ${HABITAT_STATE_DIR:-$ROOT/.local/deploy}/logs/
NEXT
fi
printf '%s[setup] ready:%s %s changed, %s already in place, url %s\n' "$C_OK" "$C_OFF" "$HABITAT_CHANGED" "$HABITAT_UNCHANGED" "$URL" >&2
printf '%s\n' "$URL"
