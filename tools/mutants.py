"""`make mutants`: does the test suite notice the breaks a user would notice?

Each mutant in ``tools/mutants.json`` is a one-line break of the addon (a guard dropped, a
filter or a comparison turned, an early return): ``find``, an exact string that occurs once in
``file``, becomes ``replace``. For each mutant this script

1. copies the addon into a temporary folder (hard links; the mutated file is a real copy: the
   working tree is never touched) and applies the break;
2. gives it a database of its own: a copy (``createdb -T``) of a template database where the
   unmutated addon was installed once, with a copy of the template's filestore. A mutant of a
   data file (``.xml``, ``.csv``) cannot run on that template (its records are in the
   database): it gets a database of its own where the mutated addon is installed;
3. runs the addon's tests against it, without ``-i``/``-u`` (Odoo then runs the post_install
   tests of the installed modules, filtered by ``--test-tags``): first the mutant's hint classes
   (``tests``), then, if they all passed, the rest of the suite; the first FAIL or ERROR (or any
   WARNING/ERROR log line, which fails ``make test`` too) kills the mutant and stops the run.

It prints "killed by <test>" or "SURVIVED" per mutant and "N mutants, N killed, N survived";
the exit status is 1 when a mutant survived (or could not be run).

Environment: ``MUTANTS=id1,id2`` runs those only; ``MUTANT_JOBS`` (default 2) mutants at once;
``MUTANT_BASELINE=1`` runs the unmutated addon through the same machinery (the whole suite: it
must pass, and run as many tests as ``make test``); ``MUTANT_FRESH=1`` installs the template
again; ``MUTANT_KEEP=1`` keeps the temporary folder (copies, logs) and the databases. The
variables of ``.cache/env.sh`` (``tools/setup.sh``) say where Odoo and the venv are.
"""

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE = "hubspot_connector"
LIST = ROOT / "tools" / "mutants.json"
KEYS = ("id", "file", "find", "replace", "why", "tests")
PYTHON_SUFFIXES = {".py"}
DATA_SUFFIXES = {".xml", ".csv"}  # records in the database: the mutant needs an install of its own
COPY_EXCLUDES = (".git", ".cache", "__pycache__", "*.pyc", ".ruff_cache", ".pytest_cache", "doc")
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>\S+): (?P<msg>.*)"
)
TEST_LOGGER = f"odoo.addons.{MODULE}.tests"
RESULT_LINE = re.compile(r"^(?:FAIL|ERROR): (?P<test>.+)")
TOTALS = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
TEMPLATE_RECIPE = "install, then pregenerate the assets"  # changing how the template is made makes a new one
_print_lock = threading.Lock()
_createdb_lock = threading.Lock()
_running = {}  # mutant id -> Popen, to stop them all on Ctrl-C
_stopping = threading.Event()


def say(text):
    with _print_lock:
        sys.stdout.write(f"{text}\n")
        sys.stdout.flush()


class Refused(Exception):
    """The list of mutants cannot be run as it is."""


# ---------------------------------------------------------------- the list
def test_classes():
    """The test classes the addon defines (the hints must name some of them)."""
    names = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        names.update(re.findall(r"^class (Test\w+)\(", path.read_text(encoding="utf-8"), re.MULTILINE))
    return names


def load_mutants(path=LIST):
    """The mutants of ``path``, each checked: every key, a unique id usable in a database
    name, a file of the addon (not of its tests or tools), ``find`` exactly once in it,
    ``replace`` different, hints naming existing test classes. Raises :class:`Refused`
    listing every problem."""
    try:
        mutants = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise Refused(f"{path}: {error}") from None
    if not isinstance(mutants, list) or not mutants:
        raise Refused(f"{path}: a JSON array of mutants is expected")
    known = test_classes()
    problems, seen = [], set()
    for index, mutant in enumerate(mutants, start=1):
        label = f"mutant {index}"
        if not isinstance(mutant, dict):
            problems.append(f"{label}: not an object")
            continue
        missing = [key for key in KEYS if not mutant.get(key)]
        if missing:
            problems.append(f"{label} ({mutant.get('id')}): missing {', '.join(missing)}")
            continue
        ident, label = mutant["id"], f"{mutant['id']}"
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", ident):
            problems.append(f"{label}: the id must be lower-case letters, digits and dashes (40 at most)")
        if ident in seen:
            problems.append(f"{label}: the id is used twice")
        seen.add(ident)
        rel = Path(mutant["file"])
        target = (ROOT / rel).resolve()
        if rel.is_absolute() or ROOT not in target.parents or rel.parts[0] in ("tests", "tools", "sandbox"):
            problems.append(f"{label}: {rel} is not a file of the addon (tests, tools and the sandbox are not)")
            continue
        if target.suffix not in PYTHON_SUFFIXES | DATA_SUFFIXES:
            problems.append(f"{label}: {rel}: only Python, XML and CSV files can be mutated")
            continue
        if not target.is_file():
            problems.append(f"{label}: {rel} does not exist")
            continue
        count = target.read_text(encoding="utf-8").count(mutant["find"])
        if count != 1:
            problems.append(f"{label}: `find` occurs {count} times in {rel} (exactly once is needed)")
        if mutant["find"] == mutant["replace"]:
            problems.append(f"{label}: `replace` equals `find`: that is no mutant")
        tests = mutant["tests"]
        if not isinstance(tests, list) or not all(isinstance(t, str) for t in tests):
            problems.append(f"{label}: `tests` must be a list of test class names")
        else:
            unknown = [t for t in tests if t not in known]
            if unknown:
                problems.append(f"{label}: no test class {', '.join(unknown)} in tests/")
    if problems:
        raise Refused("\n".join(problems))
    return mutants


def selected(mutants, wanted):
    """The mutants ``MUTANTS`` names (all without it); an unknown name is refused."""
    if not wanted:
        return mutants
    names = [name.strip() for name in wanted.split(",") if name.strip()]
    unknown = [name for name in names if name not in {m["id"] for m in mutants}]
    if unknown:
        raise Refused(f"MUTANTS names unknown mutants: {', '.join(unknown)}")
    return [m for m in mutants if m["id"] in names]


def needs_install(mutant):
    return Path(mutant["file"]).suffix in DATA_SUFFIXES


# ---------------------------------------------------------------- Odoo runs
class Env:
    """Where Odoo, the venv and the PostgreSQL databases are (``.cache/env.sh``)."""

    def __init__(self):
        missing = [name for name in ("HUBSPOT_VENV", "ODOO_ADDONS", "HUBSPOT_CACHE") if not os.environ.get(name)]
        if missing:
            raise Refused(f"{', '.join(missing)} not set: run `make mutants` (it sources .cache/env.sh)")
        self.python = Path(os.environ["HUBSPOT_VENV"]) / "bin" / "python"
        self.odoo_addons = os.environ["ODOO_ADDONS"]
        self.cache = Path(os.environ["HUBSPOT_CACHE"]) / "mutants"
        self.cache.mkdir(parents=True, exist_ok=True)
        # Databases of this checkout only (several checkouts may share the PostgreSQL server).
        self.prefix = "hsmut_" + hashlib.sha1(str(ROOT).encode()).hexdigest()[:6]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def psql(sql):
    return subprocess.run(
        ["psql", "-X", "-q", "-d", "postgres", "-tAc", sql], capture_output=True, text=True, check=True
    ).stdout.strip()


def database_exists(name):
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def dropdb(name):
    subprocess.run(["dropdb", "--if-exists", "--force", name], capture_output=True, check=False)


def odoo_command(env, addons_parent, db, data_dir, *args):
    return [
        str(env.python),
        "-m",
        "odoo",
        f"--addons-path={env.odoo_addons},{addons_parent}",
        "-d",
        db,
        f"--data-dir={data_dir}",
        "--stop-after-init",
        "--http-interface=127.0.0.1",
        f"--http-port={free_port()}",
        "--gevent-port=0",
        f"--db-filter=^{db}$",
        "--without-demo=True",
        "--log-level=info",
        "--max-cron-threads=0",
        *args,
    ]


def odoo_env():
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")  # the copies share files by hard links
    env.pop("PYTHONPATH", None)
    return env


def _odoo_call(command, data_dir, log_path, what, script=None):
    """Run an Odoo command to its end, its output appended to ``log_path``; refuse any
    WARNING/ERROR line (the addon must install without one, as ``make test`` requires)."""
    if _stopping.is_set():
        raise RuntimeError("stopped")
    with open(log_path, "a", encoding="utf-8") as log:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE if script else subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            env=odoo_env(),
            cwd=data_dir,
            start_new_session=True,
        )
        key = f"call-{threading.get_ident()}"
        _running[key] = proc
        try:
            proc.communicate(script)
        finally:
            _running.pop(key, None)
    bad = [line for line in log_path.read_text(encoding="utf-8").splitlines() if _is_bad(LOG_LINE.match(line))]
    if proc.returncode != 0 or bad:
        raise RuntimeError(f"{what} failed (log: {log_path})" + "".join(f"\n  {b}" for b in bad[:5]))


def install(env, addons_parent, db, data_dir, log_path):
    """Install the addon (and what it depends on) into a new database ``db``; no test runs."""
    dropdb(db)
    command = odoo_command(env, addons_parent, db, data_dir, "-i", MODULE)
    _odoo_call(command, data_dir, log_path, f"installing {MODULE} into {db}")


def pregenerate_assets(env, addons_parent, db, data_dir, log_path):
    """Build the web assets bundles in ``db`` (what Odoo does before the first browser test of a
    run, two minutes on two cores): done once in the template, every mutant's copy has them
    (mutants change no asset)."""
    script = "env['ir.qweb']._pregenerate_assets_bundles()\nenv.cr.commit()\n"
    command = odoo_command(env, addons_parent, db, data_dir)
    command = [*command[:3], "shell", *[arg for arg in command[3:] if arg != "--stop-after-init"], "--no-http"]
    command = [arg for arg in command if not arg.startswith(("--http-", "--gevent-"))]
    _odoo_call(command, data_dir, log_path, f"building the assets of {db}", script=script)


def _is_bad(match):
    return bool(match) and match["level"] in ("WARNING", "ERROR", "CRITICAL")


class Outcome:
    def __init__(self):
        self.killer = None  # the failing test, or the test running when a WARNING/ERROR was logged
        self.how = None
        self.tests = 0  # tests run (Odoo's own count, when it finished)
        self.rc = None
        self.finished = False  # Odoo reported its test totals


def run_tests(env, key, addons_parent, db, data_dir, tags, log_path):
    """Run the tests ``tags`` select; stop at the first failure (the process group is killed)."""
    if _stopping.is_set():
        raise RuntimeError("stopped")
    outcome = Outcome()
    current = None
    command = odoo_command(env, addons_parent, db, data_dir, "--test-enable", f"--test-tags={tags}")
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(f"$ {' '.join(command)}\n")
        log.flush()
        proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            env=odoo_env(),
            cwd=data_dir,
            start_new_session=True,  # its own process group: Chromium goes with it
        )
        _running[key] = proc
        try:
            for line in proc.stdout:
                log.write(line)
                match = LOG_LINE.match(line.rstrip("\n"))
                if not match:
                    continue
                msg, logger = match["msg"], match["logger"]
                if logger.startswith(TEST_LOGGER) and msg.startswith("Starting "):
                    current = msg[len("Starting ") :].split(" ...")[0].strip()
                totals = TOTALS.search(msg)
                if totals and logger.startswith("odoo.tests"):
                    # Odoo's summary (a WARNING when no test ran): the failures, if any, came before.
                    outcome.tests, outcome.finished = int(totals[3]), True
                    continue
                if not _is_bad(match):
                    continue
                result = RESULT_LINE.match(msg)
                if result and match["level"] in ("ERROR", "CRITICAL"):
                    outcome.killer, outcome.how = result["test"].strip(), msg.split(":")[0]
                else:
                    outcome.killer = current or "(no test running)"
                    outcome.how = f"logged {match['level']}: {msg[:160]}"
                _kill(proc)
                break
        finally:
            if proc.poll() is None:
                _kill(proc)
            outcome.rc = proc.wait()
            _running.pop(key, None)
    return outcome


def _kill(proc):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


# ---------------------------------------------------------------- the runner
class Runner:
    def __init__(self, env, work, keep=False):
        self.env = env
        self.work = work
        self.keep = keep
        self.base = work / "base"
        self.template = None
        self.template_data = None

    def copy_addon(self):
        """The unmutated addon, copied once (the working tree is never run or changed)."""
        target = self.base / MODULE
        target.mkdir(parents=True)
        excludes = [f"--exclude={pattern}" for pattern in COPY_EXCLUDES]
        subprocess.run(["rsync", "-a", *excludes, f"{ROOT}/", f"{target}/"], check=True)
        return target

    def digest(self):
        """What the template depends on: the files an install reads (not the tests, the tools,
        the sandbox or the documents)."""
        sha = hashlib.sha256(TEMPLATE_RECIPE.encode())
        for path in sorted((self.base / MODULE).rglob("*")):
            rel = path.relative_to(self.base / MODULE)
            top_file = len(rel.parts) == 1 and rel.name not in ("__init__.py", "__manifest__.py")
            if path.is_file() and rel.parts[0] not in ("tests", "tools", "sandbox", ".ci") and not top_file:
                sha.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
        return sha.hexdigest()[:10]

    def prepare_template(self, fresh=False):
        """The template database (the unmutated addon installed), reused while the addon's
        files are the same; older templates of this checkout are dropped."""
        name = f"{self.env.prefix}_tpl_{self.digest()}"
        data = self.env.cache / name
        ready = data / ".installed"
        for other in psql(f"SELECT datname FROM pg_database WHERE datname LIKE '{self.env.prefix}_tpl_%'").split():
            if other != name:
                dropdb(other)
                shutil.rmtree(self.env.cache / other, ignore_errors=True)
        if fresh or not (ready.exists() and database_exists(name)):
            shutil.rmtree(data, ignore_errors=True)
            data.mkdir(parents=True)
            say(f"== installing {MODULE} into the template database {name} (once for every mutant)")
            started = time.monotonic()
            install(self.env, self.base, name, data, data / "install.log")
            pregenerate_assets(self.env, self.base, name, data, data / "install.log")
            ready.write_text(time.strftime("%Y-%m-%d %H:%M:%S\n"))
            say(f"   done in {time.monotonic() - started:.0f}s")
        else:
            say(f"== template database {name} is up to date")
        self.template, self.template_data = name, data

    def mutate(self, mutant, folder):
        """A copy of the addon with the mutant's break applied (hard links but the mutated file)."""
        target = folder / "addons" / MODULE
        target.parent.mkdir(parents=True)
        subprocess.run(["cp", "-al", str(self.base / MODULE), str(target)], check=True)
        path = target / mutant["file"]
        text = path.read_text(encoding="utf-8")
        assert text.count(mutant["find"]) == 1, mutant["id"]
        fresh = path.with_name(path.name + ".mutant")
        fresh.write_text(text.replace(mutant["find"], mutant["replace"]), encoding="utf-8")
        os.replace(fresh, path)  # a new file: the base copy's stays as it was
        return target.parent

    def database(self, mutant, addons, folder, log_path, suffix=""):
        """The mutant's database: a copy of the template, or for a data file an install of its own."""
        db = f"{self.env.prefix}_{mutant['id'].replace('-', '_')}{suffix}"
        data = folder / "data"
        dropdb(db)
        if mutant.get("file") and needs_install(mutant) and not suffix:
            data.mkdir()
            install(self.env, addons, db, data, log_path)
            return db, data
        with _createdb_lock:  # PostgreSQL copies a template for one CREATE DATABASE at a time
            subprocess.run(["createdb", "-T", self.template, db], check=True, capture_output=True)
        (data / "filestore").mkdir(parents=True)
        source = self.template_data / "filestore" / self.template
        if source.exists():
            subprocess.run(["cp", "-al", str(source), str(data / "filestore" / db)], check=True)
        return db, data

    def run(self, mutant, exclude_tours=False):
        """Kill ``mutant`` (a dict), or not: ``(result, detail, seconds)``. Its Odoo log is
        ``.cache/mutants/logs/<id>.log``."""
        started = time.monotonic()
        folder = self.work / mutant["id"]
        folder.mkdir()
        log_path = self.env.cache / "logs" / f"{mutant['id']}.log"
        log_path.parent.mkdir(exist_ok=True)
        log_path.write_text("")
        db = None

        def took():
            return time.monotonic() - started

        try:
            addons = self.mutate(mutant, folder) if mutant.get("file") else self._unmutated(folder)
            db, data = self.database(mutant, addons, folder, log_path)
            hints = mutant.get("tests") or []
            phases = []
            if hints:
                phases.append(("hints", ",".join(f"/{MODULE}:{cls}" for cls in hints)))
            rest = [f"/{MODULE}"] + [f"-/{MODULE}:{cls}" for cls in hints]
            if exclude_tours:
                rest += [f"-/{MODULE}:{cls}" for cls in TOURS]
            phases.append(("suite", ",".join(rest)))
            ran = 0
            for phase, tags in phases:
                if _stopping.is_set():
                    return "stopped", "", took()
                outcome = run_tests(self.env, mutant["id"], addons, db, data, tags, log_path)
                if outcome.killer:
                    detail = f"killed by {outcome.killer} ({phase}: {outcome.how})"
                    if phase == "suite" and not self.passes_unmutated(mutant, outcome.killer, folder, log_path):
                        return "broken", f"{outcome.killer} fails without the mutant too (flaky?); {detail}", took()
                    return "killed", detail, took()
                if outcome.rc != 0 or not outcome.finished:
                    return (
                        "broken",
                        f"Odoo stopped without a failing test (status {outcome.rc}; log: {log_path})",
                        took(),
                    )
                if phase == "hints" and not outcome.tests:
                    return "broken", f"the hint classes ran no test (log: {log_path})", took()
                ran += outcome.tests
            return "survived", f"{ran} tests passed", took()
        except Exception as error:  # one mutant's trouble is reported, the others run
            return "broken", f"{type(error).__name__}: {error}", took()
        finally:
            if db and not self.keep:
                dropdb(db)
            if not self.keep:
                shutil.rmtree(folder, ignore_errors=True)

    def passes_unmutated(self, mutant, test, folder, log_path):
        """Does the test that killed ``mutant`` in the whole-suite phase (not one of its hints)
        pass without it? A test that fails for another reason (e.g. slowed down by a busy
        machine) would kill any mutant: such a kill is not counted."""
        name = re.fullmatch(r"(Test\w+)\.(test\w*)", test) or re.search(r"setUpClass \(.*\.(Test\w+)\)", test)
        if not name:
            return True  # not a test of ours (e.g. a line logged between two tests): nothing to run again
        copy = folder / "unmutated"
        copy.mkdir()
        addons = self._unmutated(copy)
        db, data = self.database(mutant, addons, copy, log_path, suffix="_u")
        try:
            with open(log_path, "a", encoding="utf-8") as log:
                log.write(f"== {test} again, without the mutant\n")
            outcome = run_tests(
                self.env, f"{mutant['id']}_u", addons, db, data, f"/{MODULE}:{'.'.join(name.groups())}", log_path
            )
            return not outcome.killer and outcome.rc == 0 and outcome.tests > 0
        finally:
            if not self.keep:
                dropdb(db)

    def _unmutated(self, folder):
        target = folder / "addons" / MODULE
        target.parent.mkdir(parents=True)
        subprocess.run(["cp", "-al", str(self.base / MODULE), str(target)], check=True)
        return target.parent


# The browser tours (HttpCase + Chromium): the slowest tests. MUTANT_NO_TOURS=1 leaves them out
# of the whole-suite phase (a mutant's hint classes still run, tours included).
TOURS = (
    "TestAccountTour",
    "TestPendingCompanyTour",
    "TestAdminScreensTour",
    "TestPushTour",
    "TestDealFilterTour",
    "TestDashboardTour",
    "TestSyncNowTour",
    "TestRejectAndExcludeTour",
)


def _shown(mutant, result, detail):
    if result == "killed" or mutant["id"] == "baseline":
        return detail
    if result == "survived":
        return f"SURVIVED ({detail})\n      what a user would notice: {mutant.get('why')}"
    return f"{result.upper()}: {detail}"


def _stop_all():
    _stopping.set()
    for proc in list(_running.values()):
        _kill(proc)


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def main():
    started = time.monotonic()
    signal.signal(signal.SIGTERM, _interrupted)  # `kill` stops it as Ctrl-C does: the Odoo runs too
    signal.signal(signal.SIGINT, _interrupted)  # also when started in the background (SIGINT ignored)
    try:
        env = Env()
        mutants = load_mutants()
        baseline = os.environ.get("MUTANT_BASELINE")
        chosen = [{"id": "baseline"}] if baseline else selected(mutants, os.environ.get("MUTANTS"))
        jobs = max(1, int(os.environ.get("MUTANT_JOBS") or 2))
    except (Refused, ValueError) as error:
        sys.stderr.write(f"mutants: refused:\n{error}\n")
        return 2
    keep = bool(os.environ.get("MUTANT_KEEP"))
    exclude_tours = bool(os.environ.get("MUTANT_NO_TOURS"))
    work = Path(tempfile.mkdtemp(prefix="hubspot-mutants-"))
    runner = Runner(env, work, keep=keep)
    results = {}
    by_log = set()  # killed by a WARNING/ERROR line (which fails `make test`), no test failed
    try:
        runner.copy_addon()
        runner.prepare_template(fresh=bool(os.environ.get("MUTANT_FRESH")))
        # Mutants of data files install the addon first: start them first.
        order = sorted(chosen, key=lambda m: not (m.get("file") and needs_install(m)))
        say(f"== {len(order)} mutant(s), {jobs} at a time; work folder {work}")
        pool = ThreadPoolExecutor(max_workers=jobs)
        try:
            futures = {pool.submit(runner.run, m, exclude_tours): m for m in order}
            for done, future in enumerate(as_completed(futures), start=1):
                mutant = futures[future]
                result, detail, seconds = future.result()
                results[mutant["id"]] = result
                if result == "killed" and ": logged " in detail:
                    by_log.add(mutant["id"])
                say(f"[{done}/{len(order)}] {mutant['id']}: {_shown(mutant, result, detail)} ({seconds:.0f}s)")
        except KeyboardInterrupt:
            _stop_all()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown()
    except KeyboardInterrupt:
        _stop_all()
        say("interrupted")
        return 130
    except (RuntimeError, subprocess.CalledProcessError) as error:
        say(f"mutants: {error}")
        return 2
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    minutes = (time.monotonic() - started) / 60
    if baseline:
        ok = results.get("baseline") == "survived"
        say(f"baseline (unmutated): {'every test passed' if ok else 'FAILED'} in {minutes:.1f} min")
        return 0 if ok else 1
    counts = {name: sum(1 for r in results.values() if r == name) for name in ("killed", "survived", "broken")}
    summary = f"{len(results)} mutants, {counts['killed']} killed, {counts['survived']} survived"
    if by_log:
        summary += f" ({len(by_log)} killed by a WARNING/ERROR line only: {', '.join(sorted(by_log))})"
    if counts["broken"]:
        summary += f", {counts['broken']} could not be run"
    say(f"{summary} ({minutes:.1f} min, {jobs} at a time)")
    return 0 if counts["killed"] == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
