#!/usr/bin/env bash
# Streaming 100k items, each format next to a bare httpx page loop on the same emulator that writes the items
# as NDJSON (bench/bare_loop.py --write), in one hyperfine run: items/s relative to the loop, and client CPU
# (user+sys) relative to -o ndjson. The loop fetching only (no output) is measured once as the floor.
# The emulator runs with --no-rate-limit and the client with its pacer lifted (bench/unpaced.py), so the
# 10 GET/s per token is not the bound. Then peak memory (RSS, /usr/bin/time -v) at 10k and 100k items per
# format: flat means the 100k run needs no more than the 10k one. Writes bench/results/stream.md.
source "$(dirname "$0")/lib.sh"
need hyperfine /usr/bin/time
install_venv
size=${SIZE:-100000}
start_emulator big --size "$size" --no-rate-limit
code=$("$ts" emulator auth-code --link-token "$("$ts" link-token)")
token=$("$ts" exchange "$code" --name big --json --show-token | "$py" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
run="$py bench/unpaced.py inventory list -c big"
bare="$py bench/bare_loop.py $token --write"
hyperfine -N --warmup 1 --runs "${RUNS:-3}" --export-json "$work/floor.json" "$py bench/bare_loop.py $token" >&2
hyperfine -N --warmup 1 --runs "${RUNS:-3}" --export-json "$work/stream.json" \
  "$bare" "$run -o ndjson" "$bare" "$run -o json" "$bare" "$run -o csv" >&2
# tables are far slower per item (layout in chunks): fewer runs
hyperfine -N --runs "${TABLE_RUNS:-1}" --export-json "$work/table.json" "$bare" "$run -o table" >&2

# peak memory: 10k and 100k items per format
rss() {  # rss FORMAT -> MB
  /usr/bin/time -v $run -o "$1" > /dev/null 2> "$work/time"
  awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$work/time"
}
declare -A mem
for fmt in ndjson json csv table; do mem[$fmt,$size]=$(rss "$fmt"); done
small=$((size / 10))
start_emulator small --size "$small" --no-rate-limit
export TRACKSTAR_HOME="$work/home-small"
code=$("$ts" emulator auth-code --link-token "$("$ts" link-token)")
"$ts" exchange "$code" --name big >/dev/null
for fmt in ndjson json csv table; do mem[$fmt,$small]=$(rss "$fmt"); done

"$py" - "$work" "$size" "$small" "${mem[ndjson,$small]}" "${mem[ndjson,$size]}" "${mem[json,$small]}" \
  "${mem[json,$size]}" "${mem[csv,$small]}" "${mem[csv,$size]}" "${mem[table,$small]}" "${mem[table,$size]}" <<'PY'
import json, sys
work, size, small, *mb = sys.argv[1:]
res = json.load(open(f"{work}/stream.json"))["results"] + json.load(open(f"{work}/table.json"))["results"]
pairs = list(zip(res[0::2], res[1::2]))  # (bare loop, our format) measured next to each other
cpu = {p["command"].split()[-1]: p["user"] + p["system"] for _, p in pairs}
out = [
    f"Streaming {int(size):,} inventory items from the emulator (no rate limit, client pacer lifted).",
    "",
    "| format | wall (s) | bare httpx loop writing NDJSON (s) | items/s × bare loop | client CPU (s) | loop CPU (s) | CPU × ndjson | goal |",
    "|---|---|---|---|---|---|---|---|",
]
for bare, ours in pairs:
    fmt = ours["command"].split()[-1]
    speed = bare["mean"] / ours["mean"]
    goal = {"ndjson": ("≥ 0.95× loop", speed >= 0.95), "json": ("CPU ≤ 1.2× ndjson", cpu["json"] / cpu["ndjson"] <= 1.2)}
    text = f"{goal[fmt][0]}: {'met' if goal[fmt][1] else 'NOT met'}" if fmt in goal else ""
    out.append(
        f"| {fmt} | {ours['mean']:.2f} | {bare['mean']:.2f} | {speed:.2f} | {cpu[fmt]:.2f} | "
        f"{bare['user'] + bare['system']:.2f} | "
        f"{cpu[fmt] / cpu['ndjson']:.2f} | {text} |"
    )
[floor] = json.load(open(f"{work}/floor.json"))["results"]
out += [
    "",
    f"The loop fetching and decoding only, writing nothing: {floor['mean']:.2f} s wall, "
    f"{floor['user'] + floor['system']:.2f} s CPU (-o ndjson: {pairs[0][1]['mean'] / floor['mean']:.2f}× its time).",
]
out += ["", "| format | peak RSS, " + f"{int(small):,} items (MB) | peak RSS, {int(size):,} items (MB) | × | flat (≤ 1.2×) |", "|---|---|---|---|---|"]
for i, fmt in enumerate(["ndjson", "json", "csv", "table"]):
    lo, hi = float(mb[2 * i]), float(mb[2 * i + 1])
    out.append(f"| {fmt} | {lo:.1f} | {hi:.1f} | {hi / lo:.2f} | {'met' if hi / lo <= 1.2 else 'NOT met'} |")
open("bench/results/stream.md", "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY
