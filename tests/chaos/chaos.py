#!/usr/bin/env python3
"""Fault injection on the whole system: ./run.sh on a replay (the acceptance run's data set and fake webhook
receiver, from ../shared/acceptance), then processes killed with SIGKILL and servers frozen with SIGSTOP while the
replay runs; at the end the preset signals must equal the reference exactly, each delivered to the webhook once.

usage (from the project root): python3 tests/chaos/chaos.py
  CHAOS="Alerts:15,Ingest:35,Freeze:postgres:50:60,Freeze:redis:130:60,Gateway:200"  events: <Service>:<second>
        (kill -9 of Scalpaiboard.<Service>; postgres or redis: every process of that server, which the AppHost
        restarts) or Freeze:<postgres|redis>:<second>:<seconds> (SIGSTOP, then SIGCONT)
  SPEED=600        replay speed (12 symbols x 2 days: about 290 s at 600)
Exit 0 when every check holds. docs/testing.md ("Fault injection") has the runs and their results.
"""
import json, os, signal, subprocess, sys, time
ROOT = os.getcwd()
HERE = os.path.abspath(os.path.join(ROOT, "..", "shared", "acceptance"))
sys.path.insert(0, HERE)
import e2e  # noqa: E402  (the acceptance run's helpers and fake peers)
E = os.environ.get("CHAOS_DIR", "/tmp/scalp-chaos")
os.makedirs(E, exist_ok=True)
kdir = os.path.join(E, "klines-3-12-2-2026-03-02")
ddir = kdir + "-deriv"
if not os.path.isdir(kdir) or not os.path.isdir(ddir):
    subprocess.run([sys.executable, os.path.join(HERE, "klinegen.py"), kdir, "--seed", "3", "--symbols", "12", "--days", "2",
                    "--start", "2026-03-02", "--derivatives", ddir], check=True)
exp, amb = os.path.join(E, "expected.csv"), os.path.join(E, "ambiguous.csv")
subprocess.run([sys.executable, os.path.join(HERE, "presets_ref.py"), kdir, exp, "--ambiguous", amb], check=True, stdout=subprocess.DEVNULL)
hooks = e2e.Hooks(fail_first=0)
hsrv, hport = e2e.serve(e2e.webhook_server(hooks))
env = dict(os.environ)
env.update({"Ingest__Feed": "replay", "Ingest__Replay__Path": kdir, "Ingest__Replay__Speed": os.environ.get("SPEED", "600"),
            "Ingest__Replay__DerivativesPath": ddir, "Ingest__RetentionDays": "3650", "Alerts__RetentionHours": "87600",
            "Alerts__Webhooks__0__Url": "http://127.0.0.1:%d/hook" % hport, "Alerts__Webhooks__0__Kind": "generic",
            "Alerts__Webhooks__0__Secret": e2e.SECRET})
before = set(e2e.processes())
log = open(E + "/run.log", "w")
t0 = time.time()
proc = subprocess.Popen(["./run.sh"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
while time.time() - t0 < 300 and not e2e.all_healthy(e2e.health()):
    time.sleep(1)
print("healthy after %.0f s" % (time.time() - t0), flush=True)
def status():
    return e2e.req("GET", e2e.GW + "/api/feed/status")[2]
def server_pids(kind):
    marker = {"postgres": "/usr/lib/postgresql/", "redis": "redis-server"}[kind]
    return sorted(p for p, (_, cmd) in e2e.processes().items()
                  if (marker in cmd or (kind == "postgres" and cmd.startswith("postgres: "))) and "postgres-server.sh" not in cmd)
events = []
for s in os.environ.get("CHAOS", "Alerts:15,Ingest:35,Freeze:postgres:50:60,Freeze:redis:130:60,Gateway:200").split(","):
    parts = s.split(":")
    if parts[0] == "Freeze":   # Freeze:<postgres|redis>:<at>:<seconds>
        events.append((float(parts[2]), "freeze", parts[1]))
        events.append((float(parts[2]) + float(parts[3]), "thaw", parts[1]))
    elif s:
        events.append((float(parts[1]), "kill", parts[0]))
events.sort()
t1 = time.time()
frozen = {}
for at, what, name in events:
    while time.time() - t1 < at:
        time.sleep(0.2)
    st = status() if what != "thaw" else {}
    info = "(feed %s, %s candles)" % (st.get("state"), st.get("candlesIngested")) if isinstance(st, dict) and st else ""
    if what == "kill":
        pids = server_pids(name) if name in ("postgres", "redis") else e2e.service_pids(name)
        for p in pids:
            os.kill(p, signal.SIGKILL)
    elif what == "freeze":
        pids = frozen[name] = server_pids(name)
        for p in pids:
            os.kill(p, signal.SIGSTOP)
    else:
        pids = frozen.pop(name)
        for p in pids:
            os.kill(p, signal.SIGCONT)
    print("%5.1f s %s %s %s %s" % (time.time() - t1, what, name, pids, info), flush=True)
while time.time() - t1 < 900:
    st = status()
    if isinstance(st, dict) and st.get("state") in ("completed", "failed"):
        break
    time.sleep(2)
print("feed:", json.dumps(st)[:300], flush=True)
last, stable = -1, 0
while stable < 5:
    b = e2e.req("GET", e2e.GW + "/api/signals?limit=10000")[2]
    n = b.get("total") if isinstance(b, dict) else None
    stable = stable + 1 if n == last else 0
    last = n
    time.sleep(3)
sigs = [x for x in b.get("signals", []) if str(x.get("type", "")).startswith("futures_")]
with open(E + "/actual.csv", "w") as fh:
    fh.write("symbol,open_time,rule\n")
    for s in sigs:
        fh.write("%s,%s,%s\n" % (s["symbol"], s["openTime"], s["type"]))
sc = subprocess.run([sys.executable, os.path.join(HERE, "score_alerts.py"), exp, amb, E + "/actual.csv"], capture_output=True, text=True)
print("\n".join(sc.stdout.strip().splitlines()[-4:]), "rc", sc.returncode)
keys = [(s["symbol"], s["openTime"], s["type"]) for s in sigs]
print("signals %d, distinct %d" % (len(keys), len(set(keys))))
t2 = time.time()
ids = set(str(s["id"]) for s in sigs)
while time.time() - t2 < 120:
    with hooks.lock:
        got = [x[0] for x in hooks.acked]
    if ids <= set(got):
        break
    time.sleep(2)
with hooks.lock:
    got = [x[0] for x in hooks.acked]
print("webhooks: %d signals, %d delivered, %d missing, %d duplicates" % (len(ids), len(set(got) & ids), len(ids - set(got)), len(got) - len(set(got))))
h = e2e.health(); print("health", json.dumps(h)[:300])
os.killpg(proc.pid, signal.SIGINT)
proc.wait(timeout=60)
time.sleep(3)
left = e2e.system_pids(proc.pid, before)
time.sleep(5)
left = [p for p in left if e2e._alive(p)]
print("processes left 8 s after Ctrl+C:", len(left))
ok = (sc.returncode == 0 and len(keys) == len(set(keys)) and ids and ids <= set(got) and len(got) == len(set(got))
      and isinstance(st, dict) and st.get("state") == "completed" and not left)
print("chaos holds" if ok else "chaos falls short")
sys.exit(0 if ok else 1)
