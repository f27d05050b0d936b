"""`make soak`: a real two-way sync under faults, killed and restarted, then both sides compared.

Run by tools/soak.sh (which sets up the environment). What it does, in order:

1. a database with the addon (installed once into a template database, copied for each soak);
2. the sandbox in its own process on 127.0.0.1, seeded from a fixed seed with the soak's portal
   (sandbox/soak.py: bulk data, the bulk-edit trap, hostile records);
3. the account (tools/soak_setup.py in `odoo shell`), every object type both ways, the sync jobs
   every minute; then the sandbox's faults on for the rest of the run (5xx, 429 with and without
   Retry-After and search's secondly limit, timeouts, malformed JSON, 207 partial batches,
   latency, a Professional portal's rate limits);
4. the chaos: the real Odoo server (`python -m odoo`, cron workers) started through RPC
   (*Start integration*), SIGKILLed at random moments and restarted, a second server on the same
   database for the middle third of the time (with a copy of each sync job, so the same job runs
   in both at once), a scripted user editing and creating records on both sides, deleting and
   merging in HubSpot, and clicking *Sync now*;
5. convergence: one server, faults still on, *Sync now* until a whole cycle changes nothing on
   either side (the daily deletion check made due, as if a day had passed);
6. the comparison (tools/soak_check.py in `odoo shell`), the server logs searched for ERROR lines
   and tracebacks, HubSpot's call counts from the sandbox; the figures printed and saved as JSON.

Exit status 1 when a goal is missed; the seed is printed to reproduce it (SOAK_SEED=N make soak).
SOAK_SHORT=1: a smaller portal, fewer kills (at least 5), under 3 minutes once the template
database exists. SOAK_KEEP=1 keeps the database and the logs of the last run.
"""

import contextlib
import hashlib
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import psycopg2

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = os.path.join(os.environ["HUBSPOT_VENV"], "bin", "python")
ADDONS_PATH = os.environ["HUBSPOT_ADDONS_PATH"]
CACHE = os.environ["HUBSPOT_CACHE"]
SHORT = bool(os.environ.get("SOAK_SHORT"))
SEED = int(os.environ.get("SOAK_SEED") or 15)
# Databases of this checkout (several checkouts may soak at once on one PostgreSQL).
CHECKOUT = hashlib.sha256(HERE.encode()).hexdigest()[:6]
DB = os.environ.get("SOAK_DB") or f"hubspot_soak_{'short_' if SHORT else ''}{CHECKOUT}"
CLIENT_TIMEOUT = 4  # seconds: the servers' HubSpot client gives up on an injected timeout after this
SIZES = (
    {"companies": 200, "contacts_per_company": 2, "deals": 80, "tickets": 40, "hostile": 100}
    if SHORT
    else {"companies": 5000, "contacts_per_company": 2, "deals": 2000, "tickets": 1000, "hostile": 1000}
)
KILLS = int(os.environ.get("SOAK_KILLS") or (5 if SHORT else 20))
CHAOS_SECONDS = float(os.environ.get("SOAK_CHAOS_SECONDS") or (45 if SHORT else 420))
CONVERGE_CYCLES = 8 if SHORT else 12
# Both servers up at once, running the same jobs, for at least this long (B is not killed before).
TWO_SERVERS_SECONDS = float(os.environ.get("SOAK_TWO_SERVERS_SECONDS") or (20 if SHORT else 120))
CRON_WORKERS = 3  # per server: the six sync jobs (and their copies) share them
MIN_UPTIME = 2.0  # seconds a restarted server runs at least before its next kill
FAULTS = {
    "error_rate": 0.05,
    "rate_limit_rate": 0.03,
    "retry_after_rate": 0.5,
    "timeout_rate": 0.01,
    "timeout_seconds": CLIENT_TIMEOUT + 1,
    "malformed_rate": 0.01,
    "partial_rate": 0.05,
    "latency": 0.1,
    "latency_max": 0.2,
}
PROFESSIONAL = {"enabled": True, "per_ten_seconds": 190, "search_per_second": 5, "daily": 625000}
SYNC_CRONS = "HubSpot: sync %"
WRITE_OPERATIONS = re.compile(r"\.(batch_create|batch_update|batch_upsert|batch_archive|create|update|archive)$")
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (\w+) ")
# The scheduler's lines about a job: pid, cron id, what happened.
JOB_LINE = re.compile(
    r"^\S+ \S+ (\d+) \w+ \S+ odoo\.addons\.base\.models\.ir_cron: Job .* \((\d+)\) "
    r"(starting|fully done|partially done|failed|timed out)"
)


def say(text=""):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_json(url, body=None, method=None, timeout=60, opener=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method=method or ("POST" if data is not None else "GET"),
        headers={"Content-Type": "application/json"},
    )
    with (opener or urllib.request.build_opener()).open(request, timeout=timeout) as answer:
        raw = answer.read()
    return json.loads(raw) if raw else None


# ----------------------------------------------------------------- database
def module_digest():
    """What the template database depends on: the addon's code and data (not its tools or tests)."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(HERE):
        dirs[:] = sorted(
            d for d in dirs if d not in (".git", ".cache", "tools", "tests", "sandbox", "doc", "__pycache__")
        )
        for name in sorted(files):
            if name.endswith((".py", ".xml", ".csv", ".po", ".pot")):
                path = os.path.join(root, name)
                digest.update(os.path.relpath(path, HERE).encode())
                with open(path, "rb") as handle:
                    digest.update(handle.read())
    return digest.hexdigest()[:10]


def psql(sql, db="postgres"):
    connection = psycopg2.connect(dbname=db)
    connection.autocommit = True
    try:
        with connection.cursor() as cr:
            cr.execute(sql)
            return cr.fetchall() if cr.description else None
    finally:
        connection.close()


def prepare_database():
    template = f"hubspot_soak_tpl_{CHECKOUT}_{module_digest()}"
    existing = {row[0] for row in psql("SELECT datname FROM pg_database WHERE datname LIKE 'hubspot_soak_tpl_%'")}
    if template not in existing:
        for old in existing:
            if old.startswith(f"hubspot_soak_tpl_{CHECKOUT}_") or len(old) == len("hubspot_soak_tpl_") + 10:
                # this checkout's older template (or one named before checkouts were told apart)
                subprocess.run(["dropdb", "--if-exists", old], check=False)
        say(f"== installing the addon into the template database {template} (once per change of the addon)")
        started = time.monotonic()
        subprocess.run(
            [
                PY,
                "-m",
                "odoo",
                f"--addons-path={ADDONS_PATH}",
                "-d",
                template,
                "-i",
                "hubspot_connector",
                "--stop-after-init",
                "--without-demo=True",
                "--log-level=warn",
                "--http-interface=127.0.0.1",
                "--max-cron-threads=0",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        say(f"   installed in {time.monotonic() - started:.0f} s")
    subprocess.run(["dropdb", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-T", template, DB], check=True)
    # The sync jobs every minute (the soak also wakes them through Sync now and cron triggers); set
    # before a server runs them (a job a worker holds cannot be changed).
    psql(
        "UPDATE ir_cron SET interval_number = 1, interval_type = 'minutes' WHERE cron_name LIKE 'HubSpot: sync %%'",
        db=DB,
    )


# ------------------------------------------------------------------ sandbox
class Sandbox:
    def __init__(self, log_path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [PY, "-m", "sandbox", "--port", str(self.port), "--seed", "none", "--search-lag", "5"],
            cwd=HERE,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(300):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.1)
        raise RuntimeError("the sandbox did not start")

    def admin(self, path, body=None, method=None):
        return http_json(f"{self.url}/_sandbox/{path}", body, method, timeout=300)

    def stop(self):
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        self.log.close()


# ------------------------------------------------------------- Odoo servers
class Server:
    """One `python -m odoo` process with cron workers on the soak's database."""

    def __init__(self, name, log_path):
        self.name = name
        self.log_path = log_path
        self.process = None
        self.port = None
        self.started = 0
        self.ready = False  # answering HTTP (its cron workers run): a kill now hits real work
        self.booting = None  # the thread starting it in the background
        self.boot_error = None
        self.boot_seconds = []  # how long each start took until the server answered

    def start(self):
        self.port = free_port()
        env = dict(os.environ, HUBSPOT_CONNECTOR_TIMEOUT=str(CLIENT_TIMEOUT))
        with open(self.log_path, "a", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [
                    PY,
                    "-m",
                    "odoo",
                    f"--addons-path={ADDONS_PATH}",
                    "-d",
                    DB,
                    f"--db-filter=^{DB}$",
                    "--http-interface=127.0.0.1",
                    f"--http-port={self.port}",
                    "--gevent-port=0",
                    f"--max-cron-threads={CRON_WORKERS}",
                    "--log-level=info",
                    "--without-demo=True",
                ],
                cwd=HERE,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        self.started += 1
        self.ready = False

    def boot(self, delay=0.0):
        """Start the server in the background (after ``delay`` seconds); ``ready`` says when it answers."""

        def run():
            time.sleep(delay)
            began = time.monotonic()
            try:
                self.start()
                self.wait_ready()
            except RuntimeError as error:
                self.boot_error = error
                return
            self.boot_seconds.append(time.monotonic() - began)
            self.ready = True

        self.ready, self.boot_error = False, None
        self.booting = threading.Thread(target=run, name=f"boot-{self.name}", daemon=True)
        self.booting.start()

    def wait_ready(self, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server {self.name} exited with {self.process.returncode}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                # Any request loads the database's registry first (what takes the time); this one is cheap.
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/web/health", timeout=5).read()
                return True
            time.sleep(0.5)
        raise RuntimeError(f"server {self.name} did not answer within {timeout} s")

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        self.ready = False
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


class Rpc:
    """The web client's JSON-RPC, as the administrator: what a user's browser sends."""

    def __init__(self, server):
        self.server = server
        self.opener = None
        self.port = None

    def _login(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.port = self.server.port
        self._post("/web/session/authenticate", {"db": DB, "login": "admin", "password": "admin"})

    def _post(self, path, params):
        body = {"jsonrpc": "2.0", "method": "call", "params": params, "id": random.randrange(10**9)}
        answer = http_json(f"http://127.0.0.1:{self.port}{path}", body, timeout=60, opener=self.opener)
        if answer.get("error"):
            raise RuntimeError(json.dumps(answer["error"].get("data", {}).get("message") or answer["error"])[:300])
        return answer.get("result")

    def call(self, model, method, *args, **kwargs):
        if self.opener is None or self.port != self.server.port:
            self._login()
        params = {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        try:
            return self._post(f"/web/dataset/call_kw/{model}/{method}", params)
        except RuntimeError as error:
            if "Session expired" not in str(error):
                raise
            self._login()  # the session of a killed server may not have been saved: log in again
            return self._post(f"/web/dataset/call_kw/{model}/{method}", params)


# ---------------------------------------------------------------- the soak
class Soak:
    def __init__(self):
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.logs = os.path.join(CACHE, "logs", f"soak-{stamp}")
        os.makedirs(self.logs, exist_ok=True)
        self.rng = random.Random(SEED)  # the kills' moments
        self.pick = random.Random(SEED + 2)  # which server answers an RPC
        self.started = time.monotonic()
        self.sandbox = None
        self.servers = []
        self.account_id = None
        self.kills = []  # (server, seconds into the run, HubSpot operation under way)
        self.restarts_failed = 0
        self.stop_user = threading.Event()
        self.user_errors = 0
        self.lock = threading.Lock()
        self.facts = {"hostile": [], "deleted": [], "merged": [], "created_in_hubspot": [], "created_in_odoo": []}
        self.edits = {}  # (type, hubspot id, prop) -> (value, when) of the scripted user's last edit
        self.uncertain = set()  # records an edit of which may or may not have been done (its server died)
        self.actions = {}
        self.pools = {}
        self.two_servers_seconds = 0.0
        self.cron_copies = []
        self.copies_on = []  # copies still active
        self.copied_from = set()
        self.converged_after = None
        self.phases = {}  # seconds each phase took

    # -------------------------------------------------------------- set-up
    def setup(self):
        say(f"== soak{' (short)' if SHORT else ''}: seed {SEED}, database {DB}, logs {self.logs}")
        began = time.monotonic()
        prepare_database()
        self.started = time.monotonic()  # the bound counts from here: the template is installed once
        self.phases["database"] = round(self.started - began)
        self.sandbox = Sandbox(os.path.join(self.logs, "sandbox.log"))
        seeded = self.sandbox.admin("seed", {"kind": "soak", "seed": SEED, **SIZES})
        created = seeded["created"]
        self.facts["hostile"] = created["hostile"]
        say(
            f"== sandbox on {self.sandbox.url}: {created['counts']}, bulk-edit trap {created['bulk_edit_trap']} "
            f"contacts on one timestamp, {len(created['hostile'])} hostile records"
        )
        # Server A starts meanwhile (its jobs find no running account until the integration starts).
        self.servers = [Server(name, os.path.join(self.logs, f"odoo-{name}.log")) for name in "AB"]
        self.servers[0].boot()
        portal = self.sandbox.admin("state")
        self.pools = {
            t: [i for i, r in portal["objects"][t].items() if not r["archived"]]
            for t in ("companies", "contacts", "deals")
        }
        env = dict(os.environ, SOAK_SANDBOX_URL=self.sandbox.url)
        out = subprocess.run(
            [PY, "-m", "odoo", "shell", f"--addons-path={ADDONS_PATH}", "-d", DB, "--no-http", "--log-level=warn"],
            stdin=open(os.path.join(HERE, "tools", "soak_setup.py"), encoding="utf-8"),  # noqa: SIM115
            capture_output=True,
            text=True,
            env=env,
            check=True,
            cwd=HERE,
        ).stdout
        self.account_id = int(re.search(r"SOAK_ACCOUNT=(\d+)", out).group(1))
        self.sandbox.admin("faults", {**FAULTS, "seed": SEED})
        self.sandbox.admin("rate-limits", PROFESSIONAL)
        self.sandbox.admin("log", method="DELETE")
        say(f"== faults on: {FAULTS}; rate limits {PROFESSIONAL}")

    # ------------------------------------------------------------- helpers
    def elapsed(self):
        return time.monotonic() - self.started

    def sql(self, query, params=None):
        connection = psycopg2.connect(dbname=DB)
        connection.autocommit = True
        try:
            with connection.cursor() as cr:
                cr.execute(query, params)
                return cr.fetchall() if cr.description else None
        finally:
            connection.close()

    def wake_crons(self):
        """What a busy scheduler does: every sync job due now (a trigger, and the NOTIFY that wakes workers)."""
        self.sql(
            "INSERT INTO ir_cron_trigger (cron_id, call_at) SELECT id, now() AT TIME ZONE 'UTC' FROM ir_cron "
            "WHERE cron_name LIKE %s AND active; SELECT pg_notify('cron_trigger', %s)",
            (SYNC_CRONS, DB),
        )

    def live_server(self):
        servers = [s for s in self.servers if s.ready and s.alive()]
        return self.pick.choice(servers) if servers else None

    def rpc(self, model, method, *args, **kwargs):
        server = self.live_server()
        if server is None:
            raise RuntimeError("no server")
        # One web session per server and thread (the user's clicks and the driver's own calls).
        rpcs = server.__dict__.setdefault("rpcs", {})
        rpc = rpcs.setdefault(threading.get_ident(), Rpc(server))
        return rpc.call(model, method, *args, **kwargs)

    def count(self, action):
        with self.lock:
            self.actions[action] = self.actions.get(action, 0) + 1

    # -------------------------------------------------------- scripted user
    def user(self):
        """Edits both sides, creates, deletes and merges in HubSpot, clicks Sync now."""
        rng = random.Random(SEED + 1)
        last_sync_now = 0
        n = 0
        while not self.stop_user.wait(rng.uniform(0.5, 1.5)):
            n += 1
            token = f"soak{SEED}x{n:05d}"
            try:
                if time.monotonic() - last_sync_now > 10:
                    last_sync_now = time.monotonic()
                    self.rpc("hubspot.account", "action_sync_now", [self.account_id])
                    self.count("Sync now")
                roll = rng.random()
                if roll < 0.35:
                    self.edit_odoo(rng, token)
                elif roll < 0.65:
                    self.edit_hubspot(rng, token)
                elif roll < 0.75:
                    self.create_odoo(rng, token)
                elif roll < 0.85:
                    self.create_hubspot(rng, token)
                elif roll < 0.95:
                    self.delete_hubspot(rng)
                else:
                    self.merge_hubspot(rng)
            except (OSError, RuntimeError, urllib.error.URLError, ValueError) as error:
                self.user_errors += 1  # a server killed under the click: the user clicks again later
                if self.user_errors <= 3 or self.user_errors % 25 == 0:
                    say(f"   (user: {type(error).__name__}: {str(error)[:120]})")

    def _recent(self, key):
        edit = self.edits.get(key)
        return edit and time.time() - edit[1] < 3

    def edit_odoo(self, rng, token):
        rows = self.sql(
            "SELECT id, hubspot_id, hubspot_object_type FROM res_partner WHERE hubspot_linked AND hubspot_account_id = %s "
            "AND active ORDER BY random() LIMIT 1",
            (self.account_id,),
        )
        if not rows:
            return
        partner_id, hubspot_id, object_type = rows[0]
        field, prop = rng.choice(
            (("phone", "phone"), ("city", "city"))
            if object_type == "companies"
            else (("phone", "phone"), ("function", "jobtitle"))
        )
        value = f"+49 {rng.randrange(10**6, 10**7)}" if field == "phone" else f"{field} {token}"
        key = (object_type, hubspot_id, prop)
        if self._recent(key):
            return
        try:
            self.rpc("res.partner", "write", [partner_id], {field: value})
        except Exception:
            self.uncertain.add((object_type, hubspot_id))
            raise
        self.edits[key] = (value, time.time())
        self.count("edit in Odoo")

    def edit_hubspot(self, rng, token):
        object_type = rng.choice(("companies", "contacts"))
        if not self.pools[object_type]:
            return
        hubspot_id = rng.choice(self.pools[object_type])
        prop = rng.choice(("phone", "city") if object_type == "companies" else ("phone", "jobtitle"))
        value = f"+358 {rng.randrange(10**6, 10**7)}" if prop == "phone" else f"{prop} {token}"
        key = (object_type, hubspot_id, prop)
        if self._recent(key):
            return
        self.sandbox.admin("edit", {"type": object_type, "id": hubspot_id, "properties": {prop: value}})
        self.edits[key] = (value, time.time())
        self.count("edit in HubSpot")

    def create_odoo(self, rng, token):
        if rng.random() < 0.6:
            values = {"name": f"Soak Odoo Company {token}", "is_company": True, "city": "Turku"}
            if rng.random() < 0.5:
                values["website"] = f"https://{token}.soak-odoo.example"
            object_type = "companies"
        else:
            rows = self.sql(
                "SELECT id FROM res_partner WHERE is_company AND hubspot_linked AND hubspot_account_id = %s AND active "
                "ORDER BY random() LIMIT 1",
                (self.account_id,),
            )
            if not rows:
                return
            values = {"name": f"Soak Person {token}", "parent_id": rows[0][0], "email": f"{token}@soak-odoo.example"}
            object_type = "contacts"
        self.facts["created_in_odoo"].append([object_type, token])  # the checker finds it by its token
        self.rpc("res.partner", "create", [values])
        self.count("create in Odoo")

    def create_hubspot(self, rng, token):
        if rng.random() < 0.5:
            created = self.sandbox.admin(
                "create",
                {
                    "type": "companies",
                    "properties": {"name": f"Soak HubSpot Company {token}", "domain": f"{token}.soak-hs.example"},
                },
            )
            object_type = "companies"
        else:
            company = rng.choice(self.pools["companies"])
            created = self.sandbox.admin(
                "create",
                {
                    "type": "contacts",
                    "properties": {
                        "firstname": "Soak",
                        "lastname": f"Person {token}",
                        "email": f"{token}@soak-hs.example",
                    },
                    "associations": [["companies", company, 1], ["companies", company, 279]],
                },
            )
            object_type = "contacts"
        self.pools[object_type].append(created["id"])
        self.facts["created_in_hubspot"].append([object_type, created["id"], token])
        self.count("create in HubSpot")

    def delete_hubspot(self, rng):
        object_type = rng.choice(("companies", "contacts", "contacts", "deals"))
        pool = self.pools[object_type]
        if not pool:
            return
        hubspot_id = pool.pop(rng.randrange(len(pool)))
        with contextlib.suppress(urllib.error.HTTPError):  # merged away meanwhile
            self.sandbox.admin("gdpr-delete", {"type": object_type, "id": hubspot_id})
            self.facts["deleted"].append([object_type, hubspot_id])
            self.count("permanent deletion in HubSpot")

    def merge_hubspot(self, rng):
        object_type = rng.choice(("companies", "contacts"))
        pool = self.pools[object_type]
        if len(pool) < 2:
            return
        primary, merged = rng.sample(pool, 2)
        with contextlib.suppress(urllib.error.HTTPError):
            survivor = self.sandbox.admin("merge", {"type": object_type, "primary": primary, "merged": merged})
            pool.remove(primary)
            pool.remove(merged)
            pool.append(survivor["id"])
            self.facts["merged"].append([object_type, primary, merged, survivor["id"]])
            for key in [k for k in self.edits if k[0] == object_type and k[1] in (primary, merged)]:
                del self.edits[key]  # the survivor holds one of the two values: no edit to check
            self.count("merge in HubSpot")

    # ------------------------------------------------------------- chaos
    def chaos(self):
        """Server A under kills at random moments, restarted each time; server B beside it for a
        guaranteed stretch (never killed during it: the two together are what it tests)."""
        a, b = self.servers
        a.booting.join()
        if a.boot_error:
            raise a.boot_error
        self.rpc("hubspot.account", "action_start", [self.account_id])
        say(
            f"== {self.elapsed():.0f} s: server A up (port {a.port}, {CRON_WORKERS} cron workers); integration started through RPC"
        )
        user = threading.Thread(target=self.user, name="soak-user", daemon=True)
        user.start()
        begin = last = last_wake = time.monotonic()
        next_kill = begin + self.kill_gap(0)
        window = "before"  # B: before, booting, open (both run the jobs), done
        while True:
            now = time.monotonic()
            t = now - begin
            if a.ready and b.ready:
                self.two_servers_seconds += now - last
            last = now
            if window == "before" and t >= CHAOS_SECONDS / 6 and a.ready:
                # B boots while A goes on being killed (a boot takes long on a busy machine).
                try:
                    self.copy_crons()
                except (OSError, RuntimeError, urllib.error.URLError) as error:
                    say(f"   (copying the jobs: {type(error).__name__}; again in a moment)")
                else:
                    window = "booting"
                    b.boot()
                    say(
                        f"   {self.elapsed():.0f} s: each sync job copied (the same job can run twice at once); B starting"
                    )
            elif window == "booting" and b.ready:
                window = "open"
                say(
                    f"== {self.elapsed():.0f} s: server B up on the same database; no kill until both ran the "
                    f"jobs together for {TWO_SERVERS_SECONDS:.0f} s"
                )
            elif window == "booting" and b.boot_error:
                window = "done"
                self.restarts_failed += 1
                say(f"   server B did not start: {b.boot_error}")
            elif window == "open" and self.two_servers_seconds >= TWO_SERVERS_SECONDS:
                window = "done"
                self.end_second_server(b)
            if a.boot_error:
                self.restarts_failed += 1
                say(f"   restart of A failed: {a.boot_error}; starting it again")
                a.boot()
            kills_left = KILLS - sum(1 for k in self.kills if k[0] == "A")
            if next_kill is None and a.ready:
                next_kill = now + self.kill_gap(t, kills_left)
            # No kill while both servers are up for their window: A's next one waits for its end.
            if kills_left and next_kill is not None and now >= next_kill and a.ready and window != "open":
                self.kill_and_restart(a)
                next_kill = None
            if not kills_left and window == "done" and t >= CHAOS_SECONDS and a.ready:
                break
            if now - last_wake > 5:
                last_wake = now
                with contextlib.suppress(psycopg2.Error):
                    self.wake_crons()
                    if window == "done":
                        self.drop_crons()
            time.sleep(0.5)
        self.stop_user.set()
        user.join(30)

    def kill_gap(self, t, kills_left=None):
        """Seconds from a (re)started server to its next kill: the kills left spread over the time left
        (a restart takes its own time), at a random moment around that."""
        kills_left = KILLS if kills_left is None else kills_left
        if not kills_left:
            return 0.0
        boots = self.servers[0].boot_seconds if self.servers else []
        boot = sum(boots) / len(boots) if boots else 10.0
        window = max(TWO_SERVERS_SECONDS - self.two_servers_seconds, 0)  # no kill in it
        gap = max(CHAOS_SECONDS - t - window, 0) / kills_left - boot
        return self.rng.uniform(0.5, 1.5) * max(gap, MIN_UPTIME)

    def end_second_server(self, b):
        """The end of the two-server window: B SIGKILLed for good (whatever it was doing), the copies
        of the jobs removed."""
        under_way = self.under_way()
        b.kill()
        self.kills.append((b.name, round(self.elapsed()), f"end of the two-server window ({under_way})"))
        self.drop_crons()
        say(
            f"== {self.elapsed():.0f} s: server B SIGKILLed for good after {self.two_servers_seconds:.0f} s "
            f"with A (under way: {under_way}); the job copies switched off (each as soon as no worker runs it)"
        )

    def under_way(self):
        """What HubSpot was answering at this moment, else Odoo's own work."""
        with contextlib.suppress(Exception):
            in_flight = self.sandbox.admin("stats")["in_flight"]
            return ", ".join(in_flight) or "Odoo's own work (between calls: writing, committing)"
        return "?"

    def kill_and_restart(self, server):
        under_way = self.under_way()
        server.kill()
        self.kills.append((server.name, round(self.elapsed()), under_way))
        say(
            f"   {self.elapsed():.0f} s: SIGKILL server {server.name} (under way: {under_way}); kill #{len(self.kills)}"
        )
        server.boot(delay=self.rng.uniform(0, 1))

    def copy_crons(self):
        """A copy of each sync job (made once; a server killed under the RPC: the rest next time)."""
        ids = self.rpc("ir.cron", "search", [["cron_name", "=like", SYNC_CRONS], ["id", "not in", self.cron_copies]])
        for cron_id in ids:
            if cron_id in self.copied_from:
                continue
            copied = self.rpc("ir.cron", "copy", [cron_id])
            self.copied_from.add(cron_id)
            self.cron_copies += copied if isinstance(copied, list) else [copied]
        self.copies_on = list(self.cron_copies)

    def drop_crons(self):
        """Switch the copies of the jobs off, those no worker runs now (a running one is locked: the
        chaos loop asks again). The copies stay, inactive: one server runs each job again."""
        if not self.copies_on:
            return
        done = self.sql(
            "UPDATE ir_cron SET active = false WHERE id IN (SELECT id FROM ir_cron WHERE id = ANY(%s) "
            "FOR UPDATE SKIP LOCKED) RETURNING id",
            (self.copies_on,),
        )
        self.copies_on = [i for i in self.copies_on if i not in {row[0] for row in done}]

    # --------------------------------------------------------- converge
    def converge(self):
        say(
            f"== {self.elapsed():.0f} s: converging with faults still on (one server, Sync now until a cycle changes nothing)"
        )
        a = self.servers[0]
        for _ in range(120):  # one server, each job once
            self.drop_crons()
            if not self.copies_on:
                break
            time.sleep(1)
        if not a.alive():
            a.start()
            a.wait_ready()
            a.ready = True
        # The daily check of permanent deletions and the hourly one of archived records: due now,
        # as if the day had passed (the soak's deletions happened minutes ago).
        self.sql(
            "UPDATE hubspot_sync_checkpoint SET last_deletion_check_at = now() AT TIME ZONE 'UTC' - interval '2 days', "
            "last_archive_check_at = NULL WHERE account_id = %s",
            (self.account_id,),
        )
        quiet = 0
        for cycle in range(1, CONVERGE_CYCLES + 1):
            if not quiet:  # HubSpot's search index shows the last writes (5 s lag); none after a quiet cycle
                time.sleep(6)
            before_ops = self.write_calls()
            before_run = self.sql("SELECT coalesce(max(id), 0) FROM hubspot_sync_run")[0][0]
            self.rpc("hubspot.account", "action_sync_now", [self.account_id])
            deadline = time.monotonic() + (300 if SHORT else 600)
            while time.monotonic() < deadline:
                time.sleep(1)
                waiting = self.sql(
                    "SELECT count(*) FROM hubspot_sync_request WHERE account_id = %s", (self.account_id,)
                )[0][0]
                running = self.sql("SELECT count(*) FROM hubspot_sync_run WHERE state = 'running'")[0][0]
                if not waiting and not running:
                    break
                self.wake_crons()
            changed = self.sql(
                "SELECT object_type, direction, created_count + updated_count + linked_count + unlinked_count "
                "+ archived_count FROM hubspot_sync_run WHERE id > %s AND state != 'running' AND "
                "created_count + updated_count + linked_count + unlinked_count + archived_count > 0",
                (before_run,),
            )
            writes = self.write_calls() - before_ops
            say(
                f"   cycle {cycle}: {len(changed)} run(s) changed records {sorted({(c[0], c[1]) for c in changed})}, "
                f"{writes} write call(s) to HubSpot"
            )
            quiet = quiet + 1 if not changed and not writes else 0
            if quiet >= 2:
                self.converged_after = cycle
                break
        # Stopped when idle: the sync jobs off, the last run finished (a stop under a running job
        # would be one more kill, and its run would be left running until the next one).
        self.sql("UPDATE ir_cron SET active = false WHERE cron_name LIKE %s", (SYNC_CRONS,))
        for _ in range(300):
            if not self.sql("SELECT count(*) FROM hubspot_sync_run WHERE state = 'running'")[0][0]:
                break
            time.sleep(1)
        time.sleep(2)
        a.stop()

    def write_calls(self):
        stats = self.sandbox.admin("stats")
        return sum(
            n
            for op, n in stats["by_operation"].items()
            if WRITE_OPERATIONS.search(op) or "associations" in op and "create" in op
        )

    # ------------------------------------------------------------- check
    def check(self):
        facts = dict(self.facts)
        facts["last_edits"] = [
            [t, i, prop, value] for (t, i, prop), (value, _when) in self.edits.items() if (t, i) not in self.uncertain
        ]
        facts_path = os.path.join(self.logs, "facts.json")
        result_path = os.path.join(self.logs, "check.json")
        with open(facts_path, "w", encoding="utf-8") as handle:
            json.dump(facts, handle)
        portal_path = os.path.join(self.logs, "portal.json")
        with open(portal_path, "w", encoding="utf-8") as handle:
            json.dump(self.sandbox.admin("state"), handle)  # HubSpot's side, whole (the admin API has no faults)
        env = dict(
            os.environ,
            SOAK_PORTAL=portal_path,
            SOAK_FACTS=facts_path,
            SOAK_RESULT=result_path,
            SOAK_ACCOUNT=str(self.account_id),
        )
        with open(os.path.join(self.logs, "check.log"), "w", encoding="utf-8") as log:
            subprocess.run(
                [PY, "-m", "odoo", "shell", f"--addons-path={ADDONS_PATH}", "-d", DB, "--no-http", "--log-level=warn"],
                stdin=open(os.path.join(HERE, "tools", "soak_check.py"), encoding="utf-8"),  # noqa: SIM115
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                check=True,
                cwd=HERE,
            )
        with open(result_path, encoding="utf-8") as handle:
            return json.load(handle)

    def log_figures(self):
        """ERROR lines, tracebacks and warnings of the servers' logs. One kind of ERROR line is the
        kills' own doing: Odoo's scheduler fails a job once, "Job … timed out", when its last three
        executions never finished (each died with its server); those are counted apart when the
        logs show at least three killed executions of that job for each such line."""
        errors, tracebacks, warnings, samples = [], 0, 0, []
        killed = {}  # cron id: its executions that started in a server and never finished there
        timed_out = []  # (cron id, line)
        for name in ("odoo-A.log", "odoo-B.log"):
            path = os.path.join(self.logs, name)
            if not os.path.exists(path):
                continue
            running = {}  # (pid, cron id): executions started and not finished
            with open(path, encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    found = LOG_LINE.match(line)
                    level = found.group(1) if found else None
                    job = JOB_LINE.search(line) if level else None
                    if job and job.group(3) == "starting":
                        key = (job.group(1), job.group(2))
                        running[key] = running.get(key, 0) + 1
                    elif job and job.group(3) != "timed out":
                        key = (job.group(1), job.group(2))
                        running[key] = max(running.get(key, 0) - 1, 0)
                    if level in ("ERROR", "CRITICAL"):
                        if job and job.group(3) == "timed out":
                            timed_out.append((job.group(2), line.strip()))
                        else:
                            errors.append(line.strip())
                    elif level == "WARNING":
                        warnings += 1
                    elif line.startswith("Traceback"):
                        tracebacks += 1
            for (_pid, cron_id), count in running.items():
                killed[cron_id] = killed.get(cron_id, 0) + count
        explained = 0
        for cron_id, line in timed_out:
            if killed.get(cron_id, 0) >= 3:
                killed[cron_id] -= 3
                explained += 1
            else:
                errors.append(line)
        samples = [line[:240] for line in errors[:5]]
        return {
            "error_lines": len(errors),
            "error_lines_timed_out_by_kills": explained,
            "tracebacks": tracebacks,
            "warning_lines": warnings,
            "error_samples": samples,
        }

    # ------------------------------------------------------------- report
    def report(self, check, logs):
        stats = self.sandbox.admin("stats")
        limits = self.sandbox.admin("rate-limits")
        by_status = stats["by_status"]
        figures = {
            "seed": SEED,
            "short": SHORT,
            "seconds": round(self.elapsed()),
            "portal": SIZES,
            "kills": len(self.kills),
            "kills_survived": len(self.kills) - self.restarts_failed,
            "kill_moments": self.kills,
            "phase_seconds": self.phases,
            "server_boot_seconds": [round(x, 1) for server in self.servers for x in server.boot_seconds],
            "two_servers_seconds": round(self.two_servers_seconds),
            "user_actions": self.actions,
            "converged_after_cycles": self.converged_after,
            **{k: v for k, v in check.items() if k != "samples"},
            **{k: v for k, v in logs.items() if k != "error_samples"},
            "api_calls": stats["total"],
            "http_429": int(by_status.get("429", 0)),
            "http_207": int(by_status.get("207", 0)),
            "faults_injected": stats.get("by_fault", {}),
            "peak_calls_per_10s": limits.get("peak_ten_seconds"),
            "limit_per_10s": PROFESSIONAL["per_ten_seconds"],
            "daily_used": limits.get("daily_used"),
            "daily_limit": PROFESSIONAL["daily"],
        }
        goals = [
            ("kills survived", figures["kills_survived"], f">= {KILLS}", figures["kills_survived"] >= KILLS),
            (
                "two servers on one database, running the same jobs together (s)",
                figures["two_servers_seconds"],
                f">= {TWO_SERVERS_SECONDS:.0f}",
                self.two_servers_seconds >= TWO_SERVERS_SECONDS,
            ),
            (
                "sync converged (a whole cycle changing nothing)",
                figures["converged_after_cycles"],
                "yes",
                bool(self.converged_after),
            ),
            ("duplicates in Odoo", check["duplicates_odoo"], "0", check["duplicates_odoo"] == 0),
            ("duplicates in HubSpot", check["duplicates_hubspot"], "0", check["duplicates_hubspot"] == 0),
            ("HubSpot records lost (not in Odoo)", check["lost_in_odoo"], "0", check["lost_in_odoo"] == 0),
            (
                "Odoo records lost (not in HubSpot, or linked to nothing)",
                check["lost_in_hubspot"],
                "0",
                check["lost_in_hubspot"] == 0,
            ),
            (
                "stale records (a mapped field differs, no rule explains it)",
                check["stale_records"],
                "0",
                check["stale_records"] == 0,
            ),
            ("scripted user's last edits lost", check["edits_lost"], "0", check["edits_lost"] == 0),
            (
                "hostile records neither synced nor logged with a reason",
                check["hostile_unaccounted"],
                "0",
                check["hostile_unaccounted"] == 0,
            ),
            ("ERROR lines (none is tied to a logged record)", logs["error_lines"], "0", logs["error_lines"] == 0),
            ("unhandled exceptions (tracebacks)", logs["tracebacks"], "0", logs["tracebacks"] == 0),
            ("runs left running", check["runs_left_running"], "0", check["runs_left_running"] == 0),
            (
                "daily budget used",
                f"{figures['daily_used']} / {figures['daily_limit']}",
                "< limit",
                figures["daily_used"] < figures["daily_limit"],
            ),
        ]
        say("")
        say(f"== soak figures (seed {SEED}{', short' if SHORT else ''}, {figures['seconds']} s)")
        say(
            f"   portal: {SIZES}, hostile {check['hostile_total']}; kills {len(self.kills)} at {[k[2] for k in self.kills]}"
        )
        say(f"   two servers on one database: {figures['two_servers_seconds']} s; user actions: {self.actions}")
        say(f"   phases (s): {self.phases}; server starts (s): {figures['server_boot_seconds']}")
        say(
            f"   hostile: {check['hostile_synced']} synced, {check['hostile_logged']} logged with a reason, "
            f"{check['hostile_skipped_by_rule']} skipped by a rule, {check['hostile_deleted']} deleted or merged away"
        )
        say(
            "   merged in HubSpot, both partners kept in Odoo (absorbed one unlinked): "
            f"{check.get('merged_in_hubspot_kept_in_odoo', 0)}"
        )
        say(
            f"   compared: {check['records_compared']} linked records, {check['fields_compared']} fields; "
            f"differences explained by a field rule: {check['explained_fields']}"
        )
        say(
            f"   API calls {figures['api_calls']}, 429s {figures['http_429']}, 207s {figures['http_207']}, faults {figures['faults_injected']}"
        )
        say(
            f"   budget: peak {figures['peak_calls_per_10s']} calls in 10 s (limit {figures['limit_per_10s']}), "
            f"{figures['daily_used']} today ({100 * figures['daily_used'] / figures['daily_limit']:.2f} % of {figures['daily_limit']})"
        )
        say(
            f"   log lines: {logs['error_lines']} ERROR, {logs['warning_lines']} WARNING, {logs['tracebacks']} tracebacks; "
            f'{logs["error_lines_timed_out_by_kills"]} ERROR "Job … timed out" of a job killed 3 times in a row'
        )
        for kind, lines in check.get("samples", {}).items():
            for line in lines:
                say(f"   {kind}: {line}")
        for line in logs["error_samples"]:
            say(f"   ERROR: {line}")
        say("")
        missed = 0
        for name, value, goal, met in goals:
            missed += not met
            say(f"   {'ok  ' if met else 'MISS'} {name}: {value} (goal {goal})")
        figures["goals_missed"] = missed
        with open(os.path.join(self.logs, "figures.json"), "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=1)
        say("")
        if missed:
            say(
                f"SOAK FAILED: {missed} goal(s) missed. Reproduce: SOAK_SEED={SEED}{' SOAK_SHORT=1' if SHORT else ''} make soak "
                f"(logs: {self.logs})"
            )
        else:
            say(
                f"soak passed: every goal met (seed {SEED}, {figures['seconds']} s; figures in {self.logs}/figures.json)"
            )
        return missed

    def cleanup(self):
        for server in self.servers:
            with contextlib.suppress(Exception):
                server.stop()
        if self.sandbox:
            self.sandbox.stop()
        if not os.environ.get("SOAK_KEEP"):
            subprocess.run(["dropdb", "--if-exists", DB], check=False)


def main():
    soak = Soak()
    try:
        for phase in ("setup", "chaos", "converge", "check"):
            began = time.monotonic()
            check = getattr(soak, phase)()
            soak.phases[phase] = round(time.monotonic() - began) - soak.phases.get("database", 0) * (phase == "setup")
        missed = soak.report(check, soak.log_figures())
    except BaseException as error:
        say(
            f"SOAK FAILED: {type(error).__name__}: {error}. Reproduce: SOAK_SEED={SEED}{' SOAK_SHORT=1' if SHORT else ''} "
            f"make soak (logs: {soak.logs})"
        )
        soak.cleanup()
        raise
    soak.cleanup()
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
