#!/usr/bin/env bash
# Start-up time of `trackstar` next to `gh --version` (Debian's gh), measured with hyperfine.
# Goal (issue #2): `trackstar --version` and `trackstar connections list --json` within 1.6x of `gh --version`.
# Installs the project (not editable: an editable install adds an import hook to every start) into a
# throw-away virtualenv, then writes bench/results/startup.md.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine gh; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install $tool)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q . 2>/dev/null
export TRACKSTAR_HOME="$work/home"
ts="$work/venv/bin/trackstar"
"$ts" connections list --json >/dev/null  # create the store once, as a user's machine has it
mkdir -p bench/results
hyperfine -N --warmup 5 --runs "${RUNS:-40}" --export-json "$work/startup.json" \
  'gh --version' "$ts --version" "$ts connections list --json" "$work/venv/bin/python -c pass" >&2
python3 - "$work/startup.json" <<'PY' | tee bench/results/startup.md
import json, sys
results = json.load(open(sys.argv[1]))["results"]
gh = results[0]["mean"]
print("| command | mean (ms) | σ (ms) | × gh --version | goal ≤ 1.6× |")
print("|---|---|---|---|---|")
for r in results:
    name = r["command"].split("/")[-1] if "venv" in r["command"] else r["command"]
    ratio = r["mean"] / gh
    goal = "" if r is results[0] or "python" in name else ("met" if ratio <= 1.6 else "NOT met")
    print(f"| `{name}` | {r['mean'] * 1000:.1f} | {r['stddev'] * 1000:.1f} | {ratio:.2f} | {goal} |")
PY
