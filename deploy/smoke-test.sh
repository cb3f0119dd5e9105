#!/usr/bin/env bash
# Smoke-test a running Habitat: deploy/smoke-test.sh URL [--ca-cert FILE] [--http-port N] [--json] [--metrics-file F] ...
#
# A thin wrapper: the checks are `habitat smoke` (tools/habitat_cli/src/habitat_cli/smoke_checks.py), run
#   1. from the repository's .venv, when it exists (make install);
#   2. else with `python3 -m habitat_cli`, when that is importable (the CLI installed system-wide);
#   3. else in a throw-away container (docker), which installs the CLI from this checkout into
#      $HABITAT_SMOKE_IMAGE (default python:3.11-slim); HABITAT_SMOKE_RUNNER=container chooses it first.
# HABITAT_DEPLOY_MODE=native (set by deploy/setup.sh) never uses the container; =compose allows it.
# Exit codes: 0 every check passed, 1 a check failed, 2 bad arguments, 3 no way to run the checks.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODE="${HABITAT_DEPLOY_MODE:-auto}"
RUNNER="${HABITAT_SMOKE_RUNNER:-auto}"
IMAGE="${HABITAT_SMOKE_IMAGE:-python:3.11-slim}"

say() {
	if [[ -t 2 && -z "${NO_COLOR:-}" ]]; then
		printf '\033[1;31m%s\033[0m\n' "smoke-test: $*" >&2
	else
		printf '%s\n' "smoke-test: $*" >&2
	fi
}

usage() {
	sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

if [[ $# -eq 0 ]]; then
	usage >&2
	say "give the site's address, e.g. deploy/smoke-test.sh https://habitat.example.coop"
	exit 2
fi
if [[ "$1" == "-h" || "$1" == "--help" ]]; then
	usage
	exit 0
fi
case "$MODE" in
auto | native | compose) ;;
*)
	say "HABITAT_DEPLOY_MODE must be native or compose, not '$MODE'"
	exit 2
	;;
esac
case "$RUNNER" in
auto | container) ;;
*)
	say "HABITAT_SMOKE_RUNNER must be auto or container, not '$RUNNER'"
	exit 2
	;;
esac
if [[ "$RUNNER" == container && "$MODE" == native ]]; then
	say "HABITAT_SMOKE_RUNNER=container contradicts HABITAT_DEPLOY_MODE=native"
	exit 2
fi

if [[ "$RUNNER" != container ]]; then
	if [[ -x "$ROOT/.venv/bin/habitat" ]]; then
		exec "$ROOT/.venv/bin/habitat" smoke "$@"
	fi
	if command -v python3 >/dev/null && python3 -c 'import habitat_cli' 2>/dev/null; then
		exec python3 -m habitat_cli smoke "$@"
	fi
	if [[ "$MODE" == native ]]; then
		say "no Habitat CLI here: run 'make install' (creates .venv) or install tools/habitat_cli"
		exit 3
	fi
fi

if ! command -v docker >/dev/null; then
	say "no Habitat CLI and no docker: run 'make install' first, or install Docker"
	exit 3
fi
# The container sees the host's network (the site may be on localhost) and a CA file given on the host.
args=()
mounts=(--volume "$ROOT:/src:ro")
ca_in_container=/run/habitat-smoke-ca.crt
while [[ $# -gt 0 ]]; do
	case "$1" in
	--ca-cert)
		[[ $# -ge 2 ]] || { say "--ca-cert needs a file"; exit 2; }
		mounts+=(--volume "$(realpath "$2"):$ca_in_container:ro")
		args+=(--ca-cert "$ca_in_container")
		shift 2
		;;
	--ca-cert=*)
		mounts+=(--volume "$(realpath "${1#--ca-cert=}"):$ca_in_container:ro")
		args+=(--ca-cert "$ca_in_container")
		shift
		;;
	--metrics-file | --metrics-file=*)
		# the file's directory (the node exporter's textfile directory) is mounted: written in place, renamed there
		if [[ "$1" == --metrics-file ]]; then
			[[ $# -ge 2 ]] || { say "--metrics-file needs a path"; exit 2; }
			metrics="$(realpath -m "$2")"
			shift 2
		else
			metrics="$(realpath -m "${1#--metrics-file=}")"
			shift
		fi
		mkdir -p "$(dirname "$metrics")"
		mounts+=(--volume "$(dirname "$metrics"):/run/habitat-smoke-metrics")
		args+=(--metrics-file "/run/habitat-smoke-metrics/$(basename "$metrics")")
		;;
	*)
		args+=("$1")
		shift
		;;
	esac
done
if [[ -n "${SSL_CERT_FILE:-}" ]]; then
	mounts+=(--volume "$(realpath "$SSL_CERT_FILE"):/run/habitat-smoke-env-ca.crt:ro")
fi
tty=()
[[ -t 1 ]] && tty=(--tty)
exec docker run --rm --network host "${tty[@]}" "${mounts[@]}" \
	${SSL_CERT_FILE:+--env SSL_CERT_FILE=/run/habitat-smoke-env-ca.crt} \
	${NO_COLOR:+--env NO_COLOR=1} \
	"$IMAGE" sh -c 'pip install -q --disable-pip-version-check /src/libs/habitat_common /src/tools/habitat_cli >&2 && exec habitat smoke "$@"' \
	habitat-smoke "${args[@]}"
