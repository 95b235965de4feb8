#!/usr/bin/env bash
# Regenerate the completion scripts from the installed `trackstar` (tests/test_docs.py fails when they are stale).
set -euo pipefail
cd "$(dirname "$0")"
for shell in bash zsh fish; do
  _TRACKSTAR_COMPLETE="source_$shell" trackstar > "trackstar.$shell"
done
