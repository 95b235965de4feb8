#!/usr/bin/env bash
# `--all-connections` across 5, 20 and 50 connections, 5 pages each, every request delayed 100 ms by the
# emulator (--faults latency=100ms). Ideal: the connections are read side by side, so N connections take as
# long as one: the reference is the same command on ONE connection, measured in the same hyperfine run
# (it includes start-up and the 5 × 100 ms of one connection's pages). The 5 × latency floor is shown too, and
# so is bench/bare_fanout.py at N: one thread per token on a shared httpx client, writing nothing (what this
# machine allows a client with no overhead of its own; on 2 shared cores it is CPU-bound too).
# Goal (issue #11): ≤ 1.3× ideal at 5, 20 and 50. Writes bench/results/fanout.md.
source "$(dirname "$0")/lib.sh"
need hyperfine
install_venv
latency_ms=${LATENCY_MS:-100}
pages=5
size=${ITEMS:-50}  # inventory items per connection: 5 pages of 10 (latency-bound, as in the issue)
start_emulator fan --size "$size" --faults "latency=${latency_ms}ms"
add_connections 50
list() { local n=$1; echo "$ts inventory list --page-size $((size / pages)) -o ndjson --connections $(seq -s, -f 'c%02g' 1 "$n")"; }
one="$ts inventory list --page-size $((size / pages)) -o ndjson -c c01"
bare() { echo "$py bench/bare_fanout.py $1 $((size / pages))"; }
hyperfine -N --warmup 1 --runs "${RUNS:-5}" --export-json "$work/fanout.json" \
  "$one" "$(list 5)" "$(bare 5)" "$one" "$(list 20)" "$(bare 20)" "$one" "$(list 50)" "$(bare 50)" >&2
rows=$($(list 50) | wc -l)
"$py" - "$work" "$latency_ms" "$pages" "$rows" <<'PY'
import json, sys
work, latency_ms, pages, rows = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
res = json.load(open(f"{work}/fanout.json"))["results"]
floor = pages * latency_ms / 1000
out = [
    f"`inventory list --connections …` with every request delayed {latency_ms:g} ms; {pages} pages per connection "
    f"(the 50-connection run wrote {rows:,} rows).",
    "",
    "| connections | wall (s) | ideal: one connection (s) | × ideal | × the {:.1f} s floor | bare httpx threads (s) | × bare | goal ≤ 1.3× ideal |".format(floor),
    "|---|---|---|---|---|---|---|---|",
]
for one, many, bare in zip(res[0::3], res[1::3], res[2::3]):
    n = many["command"].split("--connections ")[1].count(",") + 1
    r = many["mean"] / one["mean"]
    out.append(
        f"| {n} | {many['mean']:.2f} ± {many['stddev'] or 0:.2f} | {one['mean']:.2f} | {r:.2f} | {many['mean'] / floor:.2f} | "
        f"{bare['mean']:.2f} ± {bare['stddev'] or 0:.2f} | {many['mean'] / bare['mean']:.2f} | {'met' if r <= 1.3 else 'NOT met'} |"
    )
open("bench/results/fanout.md", "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY
