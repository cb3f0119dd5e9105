# shellcheck shell=bash
# The record of what runs, shared by upgrade.sh and rollback.sh (source it after setting STATE_DIR and
# STATE_FILE): KEY=VALUE lines in $STATE_FILE, read without sourcing, rewritten atomically.

state_get() { if [[ -f "$STATE_FILE" ]]; then sed -n "s/^$1=//p" "$STATE_FILE" | tail -n1; fi; }
state_set() { # state_set KEY VALUE [KEY VALUE ...]: rewrite atomically
  mkdir -p "$STATE_DIR"
  local tmp="$STATE_FILE.tmp" keys=()
  local -A values=()
  if [[ -f "$STATE_FILE" ]]; then
    while IFS='=' read -r key value; do
      [[ -n "$key" ]] || continue
      [[ -v "values[$key]" ]] || keys+=("$key")
      values[$key]="$value"
    done <"$STATE_FILE"
  fi
  while (($# >= 2)); do
    [[ -v "values[$1]" ]] || keys+=("$1")
    values[$1]="$2"
    shift 2
  done
  : >"$tmp"
  for key in "${keys[@]}"; do printf '%s=%s\n' "$key" "${values[$key]}" >>"$tmp"; done
  mv "$tmp" "$STATE_FILE"
}
