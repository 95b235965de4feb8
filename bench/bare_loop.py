"""The reference for bench/stream.sh: a bare httpx page loop over GET /wms/inventory (no pacing, no output),
what any client must at least do to read the same items from the same emulator."""

import os
import sys

import httpx

headers = {"x-trackstar-api-key": os.environ["TRACKSTAR_API_KEY"], "x-trackstar-access-token": sys.argv[1]}
params = {"limit": "1000"}
count = 0
with httpx.Client(base_url=os.environ["TRACKSTAR_BASE_URL"], headers=headers, timeout=60) as client:
    while True:
        body = client.get("/wms/inventory", params=params).json()
        count += len(body["data"])
        if not body.get("next_token"):
            break
        params["page_token"] = body["next_token"]
print(count, file=sys.stderr)
