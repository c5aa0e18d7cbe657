#!/usr/bin/env bash
# The nightly retrain as cron, systemd and the GitHub workflow run it (see docs/retraining.md):
#   deploy/retrain.sh [retrain config] [more `dml-edge retrain` flags...]
# e.g. configs/retrain-wordnet.json (the default) or configs/retrain-movielens.json; a recommendation
# model trains on the events the server recorded, read from DML_EDGE_STATE (default <artifacts>/state.db),
# or with DML_EDGE_EVENTS=d1 (or state,d1) from the Worker's D1 database through wrangler.
# stdout is the job's one-line JSON summary; progress goes to stderr. The exit status is the job's:
# 0 promoted or skipped, 3 rejected by the gate, 1 failed, 75 another job of the model is running.
# With DML_EDGE_R2_BUCKET set, a promoted version is then uploaded to R2 for the Workers build
# (`dml-edge upload`: the version's files first, its `current` pointer last).
set -uo pipefail
cd "$(dirname "$0")/.."

config="${1:-configs/retrain-wordnet.json}"
shift $(($# > 0 ? 1 : 0))

summary="$(node bin/dml-edge.js retrain --config "$config" "$@")"
status=$?
printf '%s\n' "$summary"

if [ "$status" -eq 0 ] && [ -n "${DML_EDGE_R2_BUCKET:-}" ] && [[ "$summary" == *'"status":"promoted"'* ]]; then
  model="$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).model)' "$summary")"
  node bin/dml-edge.js upload --target r2 --bucket "$DML_EDGE_R2_BUCKET" --model "$model" >&2 || status=1
fi
exit "$status"
