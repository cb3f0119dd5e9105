#!/bin/sh
# Render Alertmanager's config from the environment, then run the command that follows (compose's entrypoint):
#   render.sh OUTPUT [COMMAND ARGS...]     e.g. render.sh /tmp/alertmanager.yml /bin/alertmanager --config.file=...
# Alertmanager does not expand environment variables: every ${NAME} of the template (TEMPLATE, default
# alertmanager.yml next to this script) becomes NAME's value, escaped for a double-quoted YAML string; a
# line ending in "# if NAME" is dropped when NAME is empty. POSIX sh and awk only (the prom/alertmanager
# image is busybox). Exit 2 naming the variable when a required setting is missing.
set -eu

case "${1:-}" in
-h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
'') echo "usage: render.sh OUTPUT [COMMAND ARGS...]" >&2; exit 2 ;;
esac
output="$1"
shift
template="${TEMPLATE:-$(dirname "$0")/alertmanager.yml}"

for name in HABITAT_ALERT_EMAIL_TO HABITAT_SMTP_SMARTHOST HABITAT_SMTP_FROM; do
	eval "value=\${$name:-}"
	if [ -z "$value" ]; then
		echo "render.sh: $name is not set: alerts would go nowhere (set it in .env, see deploy/.env.example)" >&2
		exit 2
	fi
done
export HABITAT_SMTP_USERNAME="${HABITAT_SMTP_USERNAME:-}" HABITAT_SMTP_PASSWORD="${HABITAT_SMTP_PASSWORD:-}"
export HABITAT_ALERT_WEBHOOK_URL="${HABITAT_ALERT_WEBHOOK_URL:-}"
export HABITAT_SMTP_REQUIRE_TLS="${HABITAT_SMTP_REQUIRE_TLS:-true}"
case "$HABITAT_SMTP_REQUIRE_TLS" in
true | false) ;;
*) echo "render.sh: HABITAT_SMTP_REQUIRE_TLS must be true or false, not '$HABITAT_SMTP_REQUIRE_TLS'" >&2; exit 2 ;;
esac

# the secrets it holds: readable by this user only
umask 077
awk '
	function quoted(value) {  # the inside of a YAML double-quoted string
		gsub(/\\/, "\\\\", value)
		gsub(/"/, "\\\"", value)
		gsub(/\t/, "\\t", value)
		return value
	}
	{
		if (match($0, /# if [A-Z_][A-Z0-9_]*$/)) {
			name = substr($0, RSTART + 5)
			if (ENVIRON[name] == "") next
			$0 = substr($0, 1, RSTART - 1)
			sub(/[ \t]+$/, "", $0)
		}
		line = ""
		rest = $0
		while (match(rest, /\$\{[A-Z_][A-Z0-9_]*\}/)) {
			name = substr(rest, RSTART + 2, RLENGTH - 3)
			line = line substr(rest, 1, RSTART - 1) quoted(ENVIRON[name])
			rest = substr(rest, RSTART + RLENGTH)
		}
		print line rest
	}
' "$template" >"$output.tmp"
mv "$output.tmp" "$output"

[ $# -eq 0 ] || exec "$@"
