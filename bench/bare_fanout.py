"""A reference for bench/fanout.sh: N threads, one per access token, each reading its 5 pages with an httpx
client of its own and writing nothing: the wall time a client with no overhead of its own would need here.
(One shared client would put all N connections in one httpcore pool, which checks every pooled connection for
every request: quadratic, and slower than our per-token transport.)"""

import os
import sqlite3
import ssl
import sys
import threading

import httpx

n, page_size = int(sys.argv[1]), sys.argv[2]
db = os.path.join(os.environ["TRACKSTAR_HOME"], "trackstar.db")
with sqlite3.connect(db) as conn:
    tokens = [r[0] for r in conn.execute("SELECT access_token FROM connections ORDER BY alias LIMIT ?", (n,))]
key = os.environ["TRACKSTAR_API_KEY"]
no_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # plain http: a context without the CA load each client makes


def read(token: str) -> None:
    client = httpx.Client(base_url=os.environ["TRACKSTAR_BASE_URL"], timeout=60, verify=no_tls)
    params = {"limit": page_size}
    while True:
        body = client.get(
            "/wms/inventory", params=params, headers={"x-trackstar-api-key": key, "x-trackstar-access-token": token}
        ).json()
        if not body.get("next_token"):
            return
        params["page_token"] = body["next_token"]


threads = [threading.Thread(target=read, args=(t,)) for t in tokens]
for t in threads:
    t.start()
for t in threads:
    t.join()
