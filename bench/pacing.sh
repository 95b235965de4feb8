#!/usr/bin/env bash
# The rate limit as the bound: 50 pages on one token against the emulator's 10 GET/s limit, next to the ideal
# 50 ÷ 10 = 5 s; then two processes back to back on one token, several times, counting the 429s they earn
# (goal: 0; the pacing state is shared across processes). Writes bench/results/pacing.md.
source "$(dirname "$0")/lib.sh"
need hyperfine
install_venv
start_emulator paced --size 5000
code=$("$ts" emulator auth-code --link-token "$("$ts" link-token)")
"$ts" exchange "$code" --name one >/dev/null
sleep 1.1
fifty="$ts inventory list -c one --page-size 100 -o ndjson"
hyperfine -N --runs "${RUNS:-3}" --export-json "$work/fifty.json" "$fifty" >&2
$fifty --verbose 2> "$work/fifty.err" | wc -l > "$work/fifty.rows"
trials=${TRIALS:-5}
count429() { "$ts" inventory list -c one --page-size 500 --limit 5000 -o ndjson --verbose 2>&1 >/dev/null | grep -c '^< 429' || true; }
# the control: the second process with a copy of the store but its own pacing state (as before issue #11)
mkdir -p "$work/home-control" && cp "$TRACKSTAR_HOME/trackstar.db" "$work/home-control/"
total=0
control=0
for t in $(seq "$trials"); do
  sleep 1.1  # each trial starts with a quiet token
  a=$(count429); b=$(count429)
  sleep 1.1
  c=$(count429); d=$(TRACKSTAR_HOME="$work/home-control" count429)
  total=$((total + a + b)); control=$((control + c + d))
  echo "trial $t: shared $a + $b × 429; control $c + $d × 429" >&2
done
"$py" - "$work" "$trials" "$total" "$control" "$(cat "$work/fifty.rows")" "$(grep -c '^> GET ' "$work/fifty.err")" "$(grep -c '^< 429' "$work/fifty.err" || true)" <<'PY'
import json, sys
work, trials, total, control, rows, gets, r429 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), *sys.argv[5:8]
[r] = json.load(open(f"{work}/fifty.json"))["results"]
ideal = 50 / 10
out = [
    "| what | measured | reference | × reference | goal |",
    "|---|---|---|---|---|",
    f"| 50 pages on one token (10 GET/s limit; {rows} rows, {gets} GETs, {r429} × 429) | {r['mean']:.2f} ± {r['stddev'] or 0:.2f} s "
    f"| 50 ÷ 10/s = {ideal:.1f} s | {r['mean'] / ideal:.2f} | ≤ 1.1×: {'met' if r['mean'] / ideal <= 1.1 else 'NOT met'} |",
    f"| two processes back to back on one token, {trials} trials of 10 GETs each | {total} × 429 | 0 × 429 | | "
    f"{'met' if total == 0 else 'NOT met'} |",
    f"| the same, the second process with pacing state of its own (control: no sharing) | {control} × 429 | | | |",
]
open("bench/results/pacing.md", "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY
