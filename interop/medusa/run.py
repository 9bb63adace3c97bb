"""Drives the Medusa run under bin/node (see run.sh): schema, writes, medusa
backup (full, then differential), SELECT JSON at ALL after each."""
import datetime, json, os, subprocess, sys, time

from cassandra.cluster import Cluster
from cassandra import ConsistencyLevel
from cassandra.query import SimpleStatement

out = os.environ["OUT"]
host, port = os.environ["INTEROP_HOSTS"].split(",")[0].rsplit(":", 1)
ini = os.path.join(out, "medusa.ini")
with open(ini, "w") as f:
    f.write(f"""[cassandra]
config_file = {os.environ['INTEROP_CONFIG']}
nodetool_executable = nodetool
check_running = nodetool version
use_sudo = False
resolve_ip_addresses = False

[storage]
storage_provider = local
base_path = {out}/storage
bucket_name = medusa
fqdn = {host}
use_sudo_for_restore = False
concurrent_transfers = 1

[logging]
enabled = 1
file = {out}/medusa.log
level = DEBUG
""")

session = Cluster([host], port=int(port)).connect()
def ex(q, *a):
    return session.execute(SimpleStatement(q, consistency_level=ConsistencyLevel.ALL), *a)

ex("CREATE KEYSPACE IF NOT EXISTS shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
ex("CREATE TABLE IF NOT EXISTS shop.orders (id int, line int, item text, qty int, tags set<text>, PRIMARY KEY (id, line))")
ex("CREATE TABLE IF NOT EXISTS shop.customers (id int PRIMARY KEY, name text, since timestamp)")
def nodetool(*a):
    subprocess.run(["nodetool", *a], check=True)
def medusa(*a):
    subprocess.run(["medusa", "-v", "--config-file", ini, *a], check=True)
def check(name):
    # medusa exits 0 even when its snapshot failed: a backup must list files.
    with open(os.path.join(out, "storage", "medusa", host, name, "meta", "manifest.json")) as f:
        m = json.load(f)
    if not any(t["objects"] for t in m):
        sys.exit(f"medusa backup {name}: its manifest lists no file (see {out}/medusa.log)")
def dump(name):
    for t in ("orders", "customers"):
        rows = [r[0] for r in ex(f"SELECT JSON * FROM shop.{t}")]
        with open(os.path.join(out, "expected", f"{name}.shop.{t}.select-json.jsonl"), "w") as f:
            for r in sorted(rows):
                f.write(r + "\n")

for i in range(300):
    ex("INSERT INTO shop.orders (id, line, item, qty, tags) VALUES (%s, %s, %s, %s, %s)", (i % 60, i, f"item-{i}", i % 7, {f"t{i % 3}"}))
    if i % 3 == 0:
        ex("INSERT INTO shop.customers (id, name, since) VALUES (%s, %s, %s)", (i, f"c{i}", datetime.datetime(2026, 1, 1) + datetime.timedelta(days=i)))
    if i == 150:
        nodetool("flush", "shop")
nodetool("flush", "shop")
medusa("backup", "--backup-name", "full1", "--mode", "full")
check("full1")
dump("full1")

for i in range(300, 400):
    ex("INSERT INTO shop.orders (id, line, item, qty) VALUES (%s, %s, %s, %s)", (i % 80, i, f"item-{i}", i % 5))
for i in range(0, 60, 4):
    ex("DELETE FROM shop.orders WHERE id = %s", (i,))
    ex("UPDATE shop.customers SET name = %s WHERE id = %s", (f"renamed-{i}", i * 3))
ex("DELETE FROM shop.orders WHERE id = 1 AND line = 61")
nodetool("flush", "shop")
medusa("backup", "--backup-name", "diff1", "--mode", "differential")
check("diff1")
dump("diff1")
with open(os.path.join(out, "expected", "now"), "w") as f:
    f.write(datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
print("medusa run: ok", file=sys.stderr)
