# Shared by the bench scripts (sourced): a throw-away install, emulators on 127.0.0.1, connections.
# The project is installed non-editable into a fresh virtualenv: an editable install adds an import hook to
# every start. Everything lives under $work, removed on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install $tool)" >&2; exit 2; }
  done
}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p bench/results

install_venv() {
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install -q . 2>/dev/null
  py="$work/venv/bin/python"
  ts="$work/venv/bin/trackstar"
  export TRACKSTAR_HOME="$work/home" TRACKSTAR_NO_PROGRESS=1
}

# start_emulator NAME ARGS... : sets $url; the emulator's API key is exported as TRACKSTAR_API_KEY.
start_emulator() {
  local name=$1; shift
  "$ts" emulator serve --port 0 --json "$@" > "$work/$name.json" 2>"$work/$name.err" &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$work/$name.json" ] && break; sleep 0.1; done
  url=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$work/$name.json")
  export TRACKSTAR_BASE_URL="$url" TRACKSTAR_API_KEY=sk_emulator_0000000000000000
}

# add_connections N [HOME]: N sandbox connections c01..cNN in the store of $TRACKSTAR_HOME.
add_connections() {
  local n=$1 i code
  for i in $(seq -w 1 "$n"); do
    code=$("$py" - "$url" <<'PY'
import json, sys, urllib.request
url = sys.argv[1]
def post(path, body, key=True):
    req = urllib.request.Request(url + path, json.dumps(body).encode(), {"content-type": "application/json"})
    if key:
        req.add_header("x-trackstar-api-key", "sk_emulator_0000000000000000")
    return json.load(urllib.request.urlopen(req))
token = post("/link/token", {})["link_token"]
print(post("/_emulator/auth-code", {"link_token": token, "integration_name": "sandbox"}, key=False)["auth_code"])
PY
)
    "$ts" exchange "$code" --name "c$i" >/dev/null
  done
}

# ratio A B: A / B with two decimals
ratio() { "$py" -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.2f}")' "$1" "$2"; }
