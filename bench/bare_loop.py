"""The reference for bench/stream.sh: a bare httpx page loop over GET /wms/inventory (no pacing), what any
client must at least do to deliver the same items from the same emulator. With --write it also writes each
item as one NDJSON line to stdout (json.dumps, compact, the bytes `-o ndjson` writes); without, it only
fetches and decodes the pages."""

import json
import os
import sys

import httpx

headers = {"x-trackstar-api-key": os.environ["TRACKSTAR_API_KEY"], "x-trackstar-access-token": sys.argv[1]}
write = "--write" in sys.argv[2:]
out = sys.stdout
params = {"limit": "1000"}
count = 0
with httpx.Client(base_url=os.environ["TRACKSTAR_BASE_URL"], headers=headers, timeout=60) as client:
    while True:
        body = client.get("/wms/inventory", params=params).json()
        count += len(body["data"])
        if write:
            for item in body["data"]:
                out.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n")
        if not body.get("next_token"):
            break
        params["page_token"] = body["next_token"]
print(count, file=sys.stderr)
