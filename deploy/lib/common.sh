# shellcheck shell=bash
# Shared by the deploy scripts (source it): coloured status lines on a terminal only (NO_COLOR respected),
# a tally for the closing summary line, and small helpers.

if [ -t 2 ] && [ -z "${NO_COLOR:-}" ] && [ "${TERM:-}" != "dumb" ]; then
  C_OK=$'\033[32m' C_WARN=$'\033[33m' C_FAIL=$'\033[31m' C_BOLD=$'\033[1m' C_OFF=$'\033[0m'
else
  C_OK="" C_WARN="" C_FAIL="" C_BOLD="" C_OFF=""
fi
HABITAT_LOG_TAG="${HABITAT_LOG_TAG:-habitat}"
HABITAT_CHANGED=0
HABITAT_UNCHANGED=0

say() { printf '%s[%s]%s %s\n' "$C_BOLD" "$HABITAT_LOG_TAG" "$C_OFF" "$*" >&2; }
ok() { printf '%s[%s] ok%s %s\n' "$C_OK" "$HABITAT_LOG_TAG" "$C_OFF" "$*" >&2; HABITAT_UNCHANGED=$((HABITAT_UNCHANGED + 1)); }
changed() { printf '%s[%s] done%s %s\n' "$C_OK" "$HABITAT_LOG_TAG" "$C_OFF" "$*" >&2; HABITAT_CHANGED=$((HABITAT_CHANGED + 1)); }
warn() { printf '%s[%s] warning%s %s\n' "$C_WARN" "$HABITAT_LOG_TAG" "$C_OFF" "$*" >&2; }
fail() { printf '%s[%s] error%s %s\n' "$C_FAIL" "$HABITAT_LOG_TAG" "$C_OFF" "$*" >&2; }
die() { fail "$1"; exit "${2:-1}"; }

# Run as root, or through sudo when there is one.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
