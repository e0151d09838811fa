#!/usr/bin/env bash
# A release with plain kubectl: the migrate Job of the new image first, waited for, then the rest.
#   deploy/k8s/release.sh deploy/k8s/overlays/production
# (Argo CD runs the Job as a PreSync hook by its annotations; this is the same order by hand.)
set -euo pipefail
overlay="${1:?usage: release.sh OVERLAY_DIR}"
rendered="$(mktemp)"
trap 'rm -f "$rendered"' EXIT
kubectl kustomize "$overlay" >"$rendered"
namespace="$(awk '/^  namespace:/ {print $2; exit}' "$rendered")"  # the overlay's, on every resource
first='app.kubernetes.io/component in (config,migrate)'  # the Job and what it reads (ConfigMap, ServiceAccount)
# A Job's pod template cannot change: the previous release's Job goes first.
kubectl -n "$namespace" delete job nox-migrate --ignore-not-found --wait=true
kubectl apply -f "$rendered" -l "$first"
if ! kubectl -n "$namespace" wait --for=condition=complete job/nox-migrate --timeout=15m; then
  kubectl -n "$namespace" logs job/nox-migrate --tail=50 >&2 || true
  echo "release: migrations failed; the previous release keeps running" >&2
  exit 1
fi
kubectl apply -f "$rendered"
kubectl -n "$namespace" rollout status deployment/nox-web --timeout=10m
kubectl -n "$namespace" rollout status deployment/nox-worker --timeout=15m
