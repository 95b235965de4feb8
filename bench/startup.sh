#!/usr/bin/env bash
# Start-up next to `gh --version` (Debian's gh) and `python -c pass`, side by side in one hyperfine run each:
#   --version, `connections list --json` and `--help` of every command (goal: within 1.6x of gh --version).
# `--help` is measured as scripts, editors and `| less` see it (no terminal), and on a terminal (under
# `script`, next to `script` running gh; goal the same): the colour page pre-rendered at 80 columns, and for
# comparison Typer's live rendering (TRACKSTAR_LIVE_HELP=1, what a terminal narrower than 80 columns gets).
# Writes bench/results/startup.md (and startup-help.md, every command's help).
source "$(dirname "$0")/lib.sh"
need hyperfine gh script
install_venv
"$ts" connections list --json >/dev/null  # create the store once, as a user's machine has it
runs=${RUNS:-30}

hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/startup.json" \
  'gh --version' "$py -c pass" "$ts --version" "$ts connections list --json" "$ts --help" \
  "$ts inventory list --help" >&2

# every command's --help, each next to gh --version
mapfile -t pages < <("$py" -c 'import json,sys; print("\n".join(sorted(json.load(open(sys.argv[1]))["pages"])))' \
  "$("$py" -c 'import trackstar_cli._help as h; print(h.PAGES_FILE)')")
cmds=()
for p in "${pages[@]}"; do cmds+=('gh --version' "$ts $p --help"); done  # each page next to its own gh run
hyperfine -N --warmup 2 --runs "${HELP_RUNS:-10}" --export-json "$work/help.json" "${cmds[@]}" >/dev/null 2>&1

hyperfine --warmup 2 --runs "${TTY_RUNS:-10}" --export-json "$work/tty.json" \
  "script -qec 'gh --version' /dev/null" "script -qec '$ts inventory list --help' /dev/null" \
  "script -qec '$ts --help' /dev/null" "env TRACKSTAR_LIVE_HELP=1 script -qec '$ts --help' /dev/null" >&2

"$py" - "$work" <<'PY'
import json, statistics, sys
work = sys.argv[1]
def load(name):
    return json.load(open(f"{work}/{name}.json"))["results"]
def short(cmd):
    return cmd.replace(work + "/venv/bin/", "")
res = load("startup")
gh, py = res[0]["mean"], res[1]["mean"]
out = ["| command | mean (ms) | σ (ms) | × gh --version | × python -c pass | goal ≤ 1.6× gh |", "|---|---|---|---|---|---|"]
for r in res:
    name = short(r["command"])
    goal = "" if name in ("gh --version", "python -c pass") else ("met" if r["mean"] / gh <= 1.6 else "NOT met")
    out.append(f"| `{name}` | {r['mean']*1000:.1f} | {r['stddev']*1000:.1f} | {r['mean']/gh:.2f} | {r['mean']/py:.2f} | {goal} |")
helps = load("help")
pairs = list(zip(helps[0::2], helps[1::2]))  # (gh --version, page) measured next to each other
ratios = sorted(((p["mean"] / g["mean"], short(p["command"])) for g, p in pairs), reverse=True)
worst = ratios[0]
median_ms = statistics.median(p["mean"] for _, p in pairs) * 1000
out.append(
    f"| `--help` of each of the {len(ratios)} commands, each next to a gh run | median {median_ms:.1f} | "
    f"| median {statistics.median(r for r, _ in ratios):.2f}, worst {worst[0]:.2f} (`{worst[1]}`) | "
    f"| {'met' if worst[0] <= 1.6 else 'NOT met'} |"
)
tty = load("tty")
tgh = tty[0]["mean"]
for r in tty[1:]:
    live = "TRACKSTAR_LIVE_HELP" in r["command"]
    goal = "no goal (live rich, for comparison)" if live else ("met" if r["mean"] / tgh <= 1.6 else "NOT met")
    out.append(f"| on a terminal: `{short(r['command'])}` | {r['mean']*1000:.1f} | {r['stddev']*1000:.1f} | {r['mean']/tgh:.2f} (vs `script` gh) | | {goal} |")
open("bench/results/startup.md", "w").write("\n".join(out) + "\n")
detail = ["| command | mean (ms) | gh --version next to it (ms) | × gh --version |", "|---|---|---|---|"]
detail += [
    f"| `{short(p['command'])}` | {p['mean']*1000:.1f} | {g['mean']*1000:.1f} | {p['mean']/g['mean']:.2f} |"
    for g, p in pairs
]
open("bench/results/startup-help.md", "w").write("\n".join(detail) + "\n")
print("\n".join(out))
PY
