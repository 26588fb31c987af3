"""A class of simulated students on the project's JupyterHub (hub/jupyterhub_config.py, docs/HUB.md).

    flock /tmp/cpu.lock .venv/bin/python benchmarks/hub_load.py                 # 20 students, notebooks 01 and 05
    .venv/bin/python benchmarks/hub_load.py --students 3 --notebooks 00_notation_numpy_data

Starts a hub of its own (free ports, a temporary NN_HUB_DIR) and, through the hub's REST API, N students
at once: the teacher's admin token creates each user and gives them a token (their login); each student
starts their server, saves a notebook of their own through the contents API, runs the given notebooks top
to bottom through the kernel API (a session per notebook, every code cell over the kernel's websocket),
and writes a marker module into their own nnlib with %%writefile. All students run at the same time.

It also logs in once through the login page, with the shared password and with a wrong one. It
reports how many finished without error, the time to the last one, peak memory per user (server and
kernels) and for the hub (JupyterHub and its proxy), and checks that:
- no user's files were changed by another: every user's copy is hashed after their server started and
  after the run; the only difference allowed is their own marker module;
- the teacher's tree (notebooks, nnlib, data, coursekit.py) is unchanged;
- a student's token does not open another student's server;
- a server stopped mid-run (one student, during a notebook) and started again keeps the student's
  files, including the notebook they saved, and runs notebook 01 again without error.

Everything it starts is stopped at the end (the hub, the proxy, every server and kernel, found on the
hub's process tree and killed if the hub leaves one behind) and its temporary folder is removed.
Exit status 0 only if every check passed. `--json FILE` also writes the numbers.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "hub" / "jupyterhub_config.py"
TEACHER_TREE = ["notebooks", "nnlib", "data", "coursekit.py"]
COPY = "nn-from-scratch"  # the folder each home gets (hub/jupyterhub_config.py)
SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints"}
CELL_TIMEOUT = 900  # seconds for one cell: twenty kernels share two cores


def chp_command() -> str | None:
    """configurable-http-proxy as the config finds it: the project's node_modules, else PATH."""
    local = REPO / "node_modules" / ".bin" / "configurable-http-proxy"
    return str(local) if local.exists() else shutil.which("configurable-http-proxy")


def missing() -> list[str]:
    """What this machine lacks to run a hub (empty if nothing)."""
    out = []
    for module, package in [("jupyterhub", "jupyterhub (make hub-setup: the hub extra)"),
                            ("websocket", "websocket-client (the hub extra)"), ("psutil", "psutil (the hub extra)"),
                            ("requests", "requests (the hub extra)")]:
        try:
            __import__(module)
        except ImportError:
            out.append(package)
    if chp_command() is None:
        out.append("configurable-http-proxy (npm; make hub-setup runs npm ci)")
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under root (caches excluded), by path relative to root."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for f in filenames:
            p = Path(dirpath) / f
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def teacher_hashes() -> dict[str, str]:
    out = {}
    for name in TEACHER_TREE:
        p = REPO / name
        if p.is_dir():
            out.update({f"{name}/{k}": v for k, v in tree_hashes(p).items()})
        else:
            out[name] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Paths added, removed or changed."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


class Hub:
    """A JupyterHub from hub/jupyterhub_config.py in a temporary folder, on free ports."""

    def __init__(self, workdir: Path):
        import requests

        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(32)
        self.password = secrets.token_hex(8)
        self.http = requests.Session()
        self.http.trust_env = False
        self.proc: subprocess.Popen | None = None
        self.known: dict[int, object] = {}  # pid -> psutil.Process, every process of the hub's tree seen
        self.log_path = workdir / "hub.log"

    def start(self, timeout: float = 90) -> None:
        env = dict(os.environ, NN_HUB_DIR=str(self.workdir / "data"), NN_HUB_PORT=str(self.port),
                   NN_HUB_HUB_PORT=str(free_port()), NN_HUB_PROXY_API_PORT=str(free_port()),
                   NN_HUB_PASSWORD=self.password, NN_HUB_API_TOKEN=self.token, NN_HUB_COPY="series")
        chp = chp_command()
        env["PATH"] = f"{Path(chp).parent}{os.pathsep}{env.get('PATH', '')}"
        with open(self.log_path, "wb") as log:
            # A session of its own, so that the whole group can be killed if the hub leaves one behind.
            self.proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)], cwd=self.workdir,
                                         env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if self.http.get(f"{self.url}/hub/api", timeout=5).status_code == 200:
                    self.remember()
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the hub did not answer within {timeout} s:\n{self.log_tail()}")

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def api(self, method: str, path: str, token: str | None = None, **kw):
        headers = {"Authorization": f"token {token or self.token}"}
        return self.http.request(method, f"{self.url}{path}", headers=headers, timeout=kw.pop("timeout", 120), **kw)

    def tree(self) -> list:
        """The hub's process and every descendant (servers, kernels, the proxy); remembered for the clean-up."""
        import psutil

        try:
            root = psutil.Process(self.proc.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []
        for p in procs:
            self.known.setdefault(p.pid, p)
        return procs

    def remember(self) -> None:
        self.tree()

    def stop(self) -> list[int]:
        """SIGTERM to the hub (it stops the servers and the proxy), then kill whatever of its tree is left.
        Returns the pids that had to be killed."""
        import psutil

        if self.proc is None:
            return []
        self.tree()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                pass
        left = [p for p in self.known.values() if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        for p in left:
            try:
                os.killpg(os.getpgid(p.pid), 9)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        return [p.pid for p in left]


class Monitor(threading.Thread):
    """Samples memory once a second: per user (their server and kernels, by JUPYTERHUB_USER in the
    process's environment) and for the hub (JupyterHub and configurable-http-proxy). PSS when the system
    has it (shared libraries split among the processes that map them, so the sums add up), else RSS."""

    def __init__(self, hub: Hub, interval: float = 1.0):
        super().__init__(daemon=True)
        self.hub, self.interval = hub, interval
        self.stop_event = threading.Event()
        self.peak_user: dict[str, int] = {}
        self.peak_hub = 0
        self.peak_total = 0
        self.user_of: dict[int, str | None] = {}

    def owner(self, p) -> str | None:
        if p.pid not in self.user_of:
            try:
                self.user_of[p.pid] = p.environ().get("JUPYTERHUB_USER")
            except Exception:
                return None
        return self.user_of[p.pid]

    def sample(self) -> None:
        users: dict[str, int] = {}
        hub = 0
        for p in self.hub.tree():
            try:
                info = p.memory_full_info()
                mem = getattr(info, "pss", info.rss)
            except Exception:
                continue
            user = self.owner(p)
            if user:
                users[user] = users.get(user, 0) + mem
            else:
                hub += mem
        for u, m in users.items():
            self.peak_user[u] = max(self.peak_user.get(u, 0), m)
        self.peak_hub = max(self.peak_hub, hub)
        self.peak_total = max(self.peak_total, hub + sum(users.values()))

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(self.interval)


class Student:
    def __init__(self, hub: Hub, name: str):
        self.hub, self.name = hub, name
        self.token = ""
        self.times: dict[str, float] = {}
        self.errors: list[str] = []

    # --- the hub's REST API ---
    def login(self) -> None:
        """The teacher's admin token creates the user and issues their token (what a login gives a browser)."""
        r = self.hub.api("POST", f"/hub/api/users/{self.name}")
        if r.status_code not in (201, 409):
            raise RuntimeError(f"create {self.name}: {r.status_code} {r.text}")
        scopes = [f"{s}!user={self.name}" for s in ("access:servers", "servers", "read:users")]
        r = self.hub.api("POST", f"/hub/api/users/{self.name}/tokens", json={"scopes": scopes, "note": "hub_load"})
        r.raise_for_status()
        self.token = r.json()["token"]

    def user_model(self) -> dict:
        r = self.hub.api("GET", f"/hub/api/users/{self.name}", token=self.token)
        r.raise_for_status()
        return r.json()

    def start_server(self, timeout: float = 300) -> float:
        t0 = time.monotonic()
        r = self.hub.api("POST", f"/hub/api/users/{self.name}/server", token=self.token)
        if r.status_code not in (201, 202, 400):  # 400: already running
            raise RuntimeError(f"start {self.name}: {r.status_code} {r.text}")
        while time.monotonic() - t0 < timeout:
            server = self.user_model()["servers"].get("")
            if server and server.get("ready"):
                return time.monotonic() - t0
            if not server:  # the spawn failed and was cleared
                raise RuntimeError(f"{self.name}'s server failed to start:\n{self.hub.log_tail()}")
            time.sleep(1)
        raise RuntimeError(f"{self.name}'s server not ready within {timeout} s")

    def stop_server(self, timeout: float = 120) -> None:
        r = self.hub.api("DELETE", f"/hub/api/users/{self.name}/server", token=self.token)
        if r.status_code not in (202, 204):
            raise RuntimeError(f"stop {self.name}: {r.status_code} {r.text}")
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if not self.user_model()["servers"]:
                return
            time.sleep(0.5)
        raise RuntimeError(f"{self.name}'s server did not stop within {timeout} s")

    # --- the user's own server ---
    def server(self, method: str, path: str, token: str | None = None, **kw):
        return self.hub.api(method, f"/user/{self.name}/api/{path}", token=token or self.token, **kw)

    def home(self) -> Path:
        return self.hub.workdir / "data" / "users" / self.name

    def save_notebook(self, path: str, text: str) -> dict:
        """Save a notebook of the student's own through the contents API (what JupyterLab's Save does)."""
        nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": f"# {self.name}'s notes"},
                        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                         "source": text}],
              "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        r = self.server("PUT", f"contents/{path}", json={"type": "notebook", "format": "json", "content": nb})
        r.raise_for_status()
        return nb

    def run_notebook(self, name: str, stop_after: int | None = None, on_stop=None) -> float:
        """Run every code cell of the student's copy of notebooks/<name>.ipynb in a new kernel; returns
        the seconds it took. Raises on the first cell that fails (with the error). stop_after=k calls
        on_stop() after k cells instead of finishing (the restart check)."""
        import websocket

        t0 = time.monotonic()
        path = f"{COPY}/notebooks/{name}.ipynb"
        r = self.server("GET", f"contents/{path}")
        r.raise_for_status()
        cells = [c["source"] for c in r.json()["content"]["cells"] if c["cell_type"] == "code"]
        r = self.server("POST", "sessions", json={"path": path, "type": "notebook", "name": f"{name}.ipynb",
                                                  "kernel": {"name": "python3"}})
        r.raise_for_status()
        session = r.json()
        try:
            ws = websocket.create_connection(
                f"ws://127.0.0.1:{self.hub.port}/user/{self.name}/api/kernels/{session['kernel']['id']}/channels"
                f"?session_id={uuid.uuid4().hex}", header=[f"Authorization: token {self.token}"],
                timeout=CELL_TIMEOUT)
            try:
                for i, code in enumerate(cells):
                    if stop_after is not None and i == stop_after:
                        on_stop()
                        return time.monotonic() - t0
                    execute(ws, code, f"{self.name}: {name} cell {i + 1}")
            finally:
                ws.close()
        finally:
            if stop_after is None:
                self.server("DELETE", f"sessions/{session['id']}")  # shuts the kernel down
        return time.monotonic() - t0


def execute(ws, code: str, where: str) -> None:
    """One execute_request over the kernel's websocket (Jupyter's JSON message protocol); waits for the
    reply and for the kernel to go idle. Raises with the error's name and value if the cell fails."""
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "hub_load",
                   "session": uuid.uuid4().hex, "version": "5.3",
                   "date": datetime.datetime.now(datetime.timezone.utc).isoformat()},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True}}))
    reply = idle = None
    while reply is None or idle is None:
        msg = json.loads(ws.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = msg["header"]["msg_type"]
        if msg["channel"] == "shell" and kind == "execute_reply":
            reply = msg["content"]
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            idle = True
    if reply["status"] != "ok":
        raise RuntimeError(f"{where}: {reply.get('ename')}: {reply.get('evalue')}")


def password_login(hub: Hub, name: str, password: str) -> int:
    """What a browser does on the login page: the form with its XSRF token. Returns the status of the
    POST: 302 (to the student's server) if the hub let them in, 403 if not."""
    import re

    import requests

    web = requests.Session()
    web.trust_env = False
    page = web.get(f"{hub.url}/hub/login", timeout=60)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
    data = {"username": name, "password": password, "_xsrf": xsrf.group(1) if xsrf else ""}
    return web.post(f"{hub.url}/hub/login", data=data, allow_redirects=False, timeout=60).status_code


def marker_cell(name: str) -> str:
    return f'%%writefile ../nnlib/hub_marker_{name}.py\n"""Written by {name} (benchmarks/hub_load.py)."""\nOWNER = "{name}"\n'


def mib(b: float) -> str:
    return f"{b / 2**20:.0f} MiB"


def run(students: int = 20, notebooks: tuple[str, ...] = ("01_single_neuron", "05_image_classification"),
        restart: bool = True, restart_notebook: str = "01_single_neuron", log=print) -> dict:
    """The whole load test; returns its results (see the module docstring). Cleans up after itself."""
    import psutil

    result: dict = {"students": students, "notebooks": list(notebooks), "problems": []}
    problems = result["problems"]
    teacher_before = teacher_hashes()
    workdir = Path(tempfile.mkdtemp(prefix="nn-hub-load-"))
    hub = Hub(workdir)
    monitor = Monitor(hub)
    try:
        t_hub = time.monotonic()
        hub.start()
        result["hub_start_s"] = time.monotonic() - t_hub
        log(f"hub up at {hub.url} in {result['hub_start_s']:.1f} s ({workdir})")
        monitor.start()
        # The shared password opens the login page; a wrong one does not.
        result["password_login"] = [password_login(hub, "visitor", hub.password),
                                    password_login(hub, "intruder", "not-" + hub.password)]
        if result["password_login"] != [302, 403]:
            problems.append(f"login form with the right and a wrong password: {result['password_login']}")
        class_ = [Student(hub, f"student{i:02d}") for i in range(students)]
        saved: dict[str, dict] = {}
        before: dict[str, dict[str, str]] = {}

        def lesson(s: Student) -> None:
            try:
                s.login()
                s.times["start"] = s.start_server()
                saved[s.name] = s.save_notebook(f"{COPY}/notebooks/my_work.ipynb", f"print('{s.name} was here')")
                before[s.name] = tree_hashes(s.home() / COPY)
                for nb in notebooks:
                    s.times[nb] = s.run_notebook(nb)
                execute_one(s, marker_cell(s.name))
            except Exception as err:  # reported per student; the others go on
                s.errors.append(f"{type(err).__name__}: {err}")
            s.times["done"] = time.monotonic() - t_class

        t_class = time.monotonic()
        with ThreadPoolExecutor(max_workers=students) as pool:
            list(pool.map(lesson, class_))
        result["time_to_last_s"] = max(s.times["done"] for s in class_)
        finished = [s for s in class_ if not s.errors]
        result["finished"] = len(finished)
        for s in class_:
            for e in s.errors:
                problems.append(f"{s.name}: {e}")
        result["server_start_s"] = [s.times["start"] for s in class_ if "start" in s.times]
        for nb in notebooks:
            result[f"run_{nb}_s"] = [s.times[nb] for s in class_ if nb in s.times]
        log(f"{len(finished)}/{students} finished; the last after {result['time_to_last_s']:.0f} s")

        # Nobody's files changed by another: each copy differs from its state after the start only by
        # the student's own marker; and a student's token does not open another's server.
        foreign = 0
        for s in finished:
            changed = diff(before[s.name], tree_hashes(s.home() / COPY))
            mine = f"nnlib/hub_marker_{s.name}.py"
            if changed != [mine]:
                foreign += 1
                problems.append(f"{s.name}'s copy: expected only {mine} to change, got {changed}")
            elif f'OWNER = "{s.name}"' not in (s.home() / COPY / mine).read_text():
                foreign += 1
                problems.append(f"{s.name}'s marker does not name {s.name}")
        result["copies_changed_by_another"] = foreign
        refused = 0
        for a, b in zip(finished, finished[1:] + finished[:1]):
            if a is b:
                continue
            code = a.server("GET", f"contents/{COPY}", token=a.token).status_code, \
                b.server("GET", f"contents/{COPY}", token=a.token).status_code
            if code[0] == 200 and code[1] in (403, 404):
                refused += 1
            else:
                problems.append(f"{a.name}'s token on their own and on {b.name}'s server: {code}")
        result["cross_access_refused"] = f"{refused}/{len(finished) if len(finished) > 1 else 0}"

        # A server stopped in the middle of a notebook and started again keeps the student's files.
        if restart and finished:
            s = finished[0]
            note = s.save_notebook(f"{COPY}/notebooks/before_restart.ipynb", "x = 42  # saved before the restart")
            t0 = time.monotonic()
            state: dict = {}

            def stop_now():
                state["before"] = tree_hashes(s.home() / COPY)
                mine = [p for p in hub.tree() if monitor.owner(p) == s.name]  # the server and its kernel
                s.stop_server()
                # The hub reports the server stopped once the server's process has exited; its kernel
                # shuts down alongside. Give it 15 s: a kernel still running after that is a leak.
                t_stop = time.monotonic()
                while True:
                    state["left"] = [p for p in mine if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
                    if not state["left"] or time.monotonic() - t_stop > 15:
                        break
                    time.sleep(0.2)
                state["gone_after_s"] = time.monotonic() - t_stop

            s.run_notebook(restart_notebook, stop_after=3, on_stop=stop_now)
            left = state["left"]
            s.times["restart"] = s.start_server()
            after = tree_hashes(s.home() / COPY)
            got = s.server("GET", f"contents/{COPY}/notebooks/before_restart.ipynb").json()["content"]
            intact = (diff(state["before"], after) == []
                      and [c["source"] for c in got["cells"]] == [c["source"] for c in note["cells"]])
            rerun = s.run_notebook(restart_notebook)
            result["restart"] = {"user": s.name, "processes_left_after_stop": len(left), "files_intact": intact,
                                 "processes_gone_after_s": state["gone_after_s"],
                                 "restart_s": s.times["restart"], "rerun_s": rerun,
                                 "total_s": time.monotonic() - t0}
            if left or not intact:
                problems.append(f"restart of {s.name}: processes left {len(left)}, files intact {intact}")
            log(f"restart of {s.name}: files intact {intact}, {restart_notebook} re-run in {rerun:.0f} s")
    finally:
        monitor.stop_event.set()
        if monitor.is_alive():
            monitor.join()
        killed = hub.stop()
        result["hub_log_tail"] = hub.log_tail() if problems else ""
        shutil.rmtree(workdir, ignore_errors=True)
    result["killed_after_hub_exit"] = len(killed)
    survivors = [pid for pid, p in hub.known.items() if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    result["processes_left"] = len(survivors)
    result["workdir_removed"] = not workdir.exists()
    result["teacher_tree_changed"] = diff(teacher_before, teacher_hashes())
    if survivors or result["teacher_tree_changed"] or not result["workdir_removed"]:
        problems.append(f"clean-up: processes left {survivors}, teacher's tree changed "
                        f"{result['teacher_tree_changed']}, temporary folder removed {result['workdir_removed']}")
    result["peak_user_bytes"] = dict(monitor.peak_user)
    result["peak_hub_bytes"] = monitor.peak_hub
    result["peak_total_bytes"] = monitor.peak_total
    return result


def execute_one(s: Student, code: str) -> None:
    """Run one cell in a fresh kernel started in the student's notebooks/ folder."""
    r = s.server("POST", "sessions", json={"path": f"{COPY}/notebooks/marker.ipynb", "type": "notebook",
                                           "name": "marker.ipynb", "kernel": {"name": "python3"}})
    r.raise_for_status()
    session = r.json()
    import websocket

    ws = websocket.create_connection(
        f"ws://127.0.0.1:{s.hub.port}/user/{s.name}/api/kernels/{session['kernel']['id']}/channels",
        header=[f"Authorization: token {s.token}"], timeout=CELL_TIMEOUT)
    try:
        execute(ws, code, f"{s.name}: marker")
    finally:
        ws.close()
        s.server("DELETE", f"sessions/{session['id']}")


def spread(xs: list[float]) -> str:
    if not xs:
        return "-"
    return f"{statistics.median(xs):.0f} s / {max(xs):.0f} s"


def table(r: dict) -> str:
    users = list(r["peak_user_bytes"].values())
    rows = [
        ("students (all at once)", str(r["students"])),
        ("notebooks each", ", ".join(r["notebooks"])),
        ("finished without error", f"{r['finished']}/{r['students']}"),
        ("time to the last one (all logins to the last marker)", f"{r['time_to_last_s']:.0f} s"),
        ("server start, login to ready (median / max)", spread(r["server_start_s"])),
        *[(f"notebook {nb[:2]} top to bottom (median / max)", spread(r[f"run_{nb}_s"])) for nb in r["notebooks"]],
        ("peak memory per user, server + kernel (median / max)",
         f"{mib(statistics.median(users))} / {mib(max(users))}" if users else "-"),
        ("peak memory of the hub (JupyterHub + proxy)", mib(r["peak_hub_bytes"])),
        ("peak memory, hub and all users together", mib(r["peak_total_bytes"])),
        ("login page: shared password / wrong password", " / ".join(map(str, r["password_login"]))),
        ("copies changed by another user", str(r["copies_changed_by_another"])),
        ("a student's token on another's server: refused", r["cross_access_refused"]),
    ]
    if "restart" in r:
        x = r["restart"]
        rows.append(("server stopped mid-notebook and restarted: files and saved notebook intact",
                     f"{'yes' if x['files_intact'] else 'NO'} (restart {x['restart_s']:.0f} s, re-run "
                     f"{x['rerun_s']:.0f} s; its server and kernel gone {x['processes_gone_after_s']:.1f} s after the "
                     f"stop, {x['processes_left_after_stop']} left)"))
    rows += [("teacher's tree changed", "no" if not r["teacher_tree_changed"] else ", ".join(r["teacher_tree_changed"])),
             ("processes left / temporary folder removed", f"{r['processes_left']} / {r['workdir_removed']}")]
    width = max(len(a) for a, _ in rows)
    lines = [f"| {'':{width}} | result |", f"|{'-' * (width + 2)}|--------|"]
    lines += [f"| {a:{width}} | {b} |" for a, b in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    ap.add_argument("--students", type=int, default=20)
    ap.add_argument("--notebooks", nargs="+", default=["01_single_neuron", "05_image_classification"])
    ap.add_argument("--no-restart", action="store_true", help="skip the stop-and-restart check")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    if missing():
        print("cannot run a hub here; missing: " + ", ".join(missing()), file=sys.stderr)
        return 2
    import psutil

    r = run(args.students, tuple(args.notebooks), restart=not args.no_restart,
            log=lambda m: print(m, file=sys.stderr, flush=True))
    mem = psutil.virtual_memory().total
    print(f"\n{datetime.date.today()}, {os.cpu_count()} cores, {mem / 2**30:.0f} GiB, Python "
          f"{platform.python_version()}, one BLAS thread per kernel\n")
    print(table(r))
    for p in r["problems"]:
        print("PROBLEM:", p)
    if r["problems"] and r["hub_log_tail"]:
        print("--- the hub's log, last lines ---\n" + r["hub_log_tail"])
    if args.json:
        args.json.write_text(json.dumps(r, indent=1))
    return 1 if r["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
