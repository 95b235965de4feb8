#!/usr/bin/env bash
# Streaming in constant memory: `trackstar inventory list -o ndjson|json|csv` over 10k and 100k items from the
# emulator (no rate limit, so the server is not the bottleneck), with /usr/bin/time -v for peak memory (RSS).
# Peak RSS should stay flat as the item count grows tenfold. Writes bench/results/stream.md.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q . 2>/dev/null
ts="$work/venv/bin/trackstar"
mkdir -p bench/results
{
  echo "| items | format | wall (s) | peak RSS (MB) | rows out |"
  echo "|---|---|---|---|---|"
} > "$work/table.md"
for size in 10000 100000; do
  "$ts" emulator serve --port 0 --json --size "$size" --no-rate-limit > "$work/emu.json" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 50); do [ -s "$work/emu.json" ] && break; sleep 0.1; done
  url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$work/emu.json")
  export TRACKSTAR_HOME="$work/home-$size" TRACKSTAR_BASE_URL="$url" TRACKSTAR_API_KEY=sk_emulator_0000000000000000
  code=$("$ts" emulator auth-code --link-token "$("$ts" link-token)")
  "$ts" exchange "$code" > /dev/null
  for fmt in ndjson json csv; do
    /usr/bin/time -v "$ts" inventory list -o "$fmt" > "$work/out" 2> "$work/time"
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$work/time")
    rows=$(wc -l < "$work/out")
    echo "| $size | $fmt | $wall | $rss | $rows |" >> "$work/table.md"
  done
  kill "${pids[-1]}"
done
cp "$work/table.md" bench/results/stream.md
cat bench/results/stream.md
