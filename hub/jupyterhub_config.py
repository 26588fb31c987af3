# JupyterHub for a class on one machine: `make hub` (docs/HUB.md explains every setting).
#
# Every student logs in, gets a JupyterLab of their own, and on first login a copy of the series in
# their home folder (<NN_HUB_DIR>/users/<name>/): the notebooks, nnlib, data, models and coursekit.py, and the
# student handout if `make student` has built one. A student's `%%writefile ../nnlib/x.py` writes into
# their own copy, never into the teacher's tree or another student's.
#
# Settings come from environment variables, so that the same file serves `make hub`, the load test
# (benchmarks/hub_load.py) and tests/test_hub.py:
#   NN_HUB_DIR        where the hub keeps its database, cookie secret and the users' homes (hub/data)
#   NN_HUB_IP         the address the hub listens on (127.0.0.1: this machine only; see docs/HUB.md)
#   NN_HUB_PORT       the port students open in their browser (8000)
#   NN_HUB_PASSWORD   the shared password of the DummyAuthenticator (required: the hub refuses to start
#                     without one); a real class uses a real authenticator, see docs/HUB.md
#   NN_HUB_ADMINS     comma-separated admin user names (teacher)
#   NN_HUB_COPY       what each home gets, comma-separated: "series" (~/nn-from-scratch), "student" (the
#                     handout of `make student`, ~/student) and "course" (nbgrader's release/ of
#                     `make course`, ~/assignments); each only if built. Default "series,student";
#                     for a graded class "student" or "course" (docs/HUB.md).
#   NN_HUB_API_TOKEN  if set, a service "nn-hub-admin" with this token and the admin role (scripts
#                     such as the load test create users and start servers with it)
#   NN_HUB_MEM_LIMIT, NN_HUB_CPU_LIMIT   per-user limits (1G, 1): see "Limits" below
import os
import secrets
import shutil
import sys
from pathlib import Path

from jupyterhub.auth import DummyAuthenticator
from jupyterhub.spawner import SimpleLocalProcessSpawner

c = get_config()  # noqa: F821 (defined by JupyterHub when it reads this file)

REPO = Path(__file__).resolve().parent.parent  # the teacher's tree: what every student gets a copy of
DATA = Path(os.environ.get("NN_HUB_DIR", REPO / "hub" / "data")).resolve()
DATA.mkdir(parents=True, exist_ok=True)

# --- Network: the hub on this machine only. Behind nginx/Caddy with HTTPS for a real class. ---
c.JupyterHub.ip = os.environ.get("NN_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("NN_HUB_PORT", "8000"))
# The hub's own API and the proxy's API, both internal (change them only to run two hubs at once).
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("NN_HUB_HUB_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('NN_HUB_PROXY_API_PORT', '8001')}"
c.JupyterHub.db_url = f"sqlite:///{DATA / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(DATA / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(DATA / "jupyterhub-proxy.pid")

# configurable-http-proxy (npm): the project's node_modules (make hub-setup runs npm ci), else PATH.
_chp = REPO / "node_modules" / ".bin" / "configurable-http-proxy"
_chp = str(_chp) if _chp.exists() else shutil.which("configurable-http-proxy")
if _chp:
    c.ConfigurableHTTPProxy.command = [_chp]

# --- Who may log in ---
# DummyAuthenticator: any user name with the shared password. Fine on 127.0.0.1 or behind a VPN for a
# workshop; for a class use PAM (system accounts), NativeAuthenticator (sign-up approved by the teacher)
# or OAuthenticator (the school's Google/GitHub/GitLab/Azure AD login), see docs/HUB.md.
_password = os.environ.get("NN_HUB_PASSWORD")
if not _password:
    sys.exit("NN_HUB_PASSWORD is not set: the hub's shared password (make hub NN_HUB_PASSWORD=...)")
c.JupyterHub.authenticator_class = DummyAuthenticator
c.DummyAuthenticator.password = _password
c.Authenticator.allow_all = True  # with the shared password; a real authenticator lists allowed_users
c.Authenticator.admin_users = {u for u in os.environ.get("NN_HUB_ADMINS", "").split(",") if u}

_token = os.environ.get("NN_HUB_API_TOKEN")
if _token:
    c.JupyterHub.services = [{"name": "nn-hub-admin", "api_token": _token}]
    c.JupyterHub.load_roles = [{"name": "admin", "services": ["nn-hub-admin"]}]

# --- The users' servers ---
# SimpleLocalProcessSpawner runs every server as the OS user running the hub (no root needed), each
# with its own home under NN_HUB_DIR/users/. Students are separated by folder, not by the operating
# system: a student who types `open('../../other/...')` can read another's files. For students who
# should not trust each other use real accounts (LocalProcessSpawner + PAM, or The Littlest
# JupyterHub's systemdspawner) or containers (DockerSpawner, KubeSpawner): docs/HUB.md.
c.JupyterHub.spawner_class = SimpleLocalProcessSpawner
c.SimpleLocalProcessSpawner.home_dir_template = str(DATA / "users" / "{username}")
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
# This Python's single-user server, and so this Python's kernel (the project's environment).
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
if os.getuid() == 0:  # a container run as root (as `make lab` does): Jupyter refuses root without this
    c.Spawner.args = ["--allow-root"]
# One BLAS thread per kernel, as in `make lab` and the tests: 20 kernels on 2 cores do not
# oversubscribe the machine, and the numbers students see match the notebooks' saved outputs.
c.Spawner.environment = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# A class logs in at once: on a small machine twenty servers starting together take a while.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.JupyterHub.concurrent_spawn_limit = 50

# --- Limits ---
# What each student may use. SimpleLocalProcessSpawner (and LocalProcessSpawner) do NOT enforce these:
# they only pass MEM_LIMIT/CPU_LIMIT to the server (JupyterLab's resource-usage indicator shows them).
# systemdspawner (The Littlest JupyterHub) and KubeSpawner (Zero to JupyterHub) enforce them with
# cgroups. The defaults fit the load test's numbers (docs/HUB.md): a student running a notebook uses
# about 0.3 GB, so 1 GB leaves room for their own experiments; one core each at most.
c.Spawner.mem_limit = os.environ.get("NN_HUB_MEM_LIMIT", "1G")
c.Spawner.cpu_limit = float(os.environ.get("NN_HUB_CPU_LIMIT", "1"))

# --- Each student's own copy of the course ---
COPY = [w.strip() for w in os.environ.get("NN_HUB_COPY", "series,student").split(",") if w.strip()]
SERIES = ["notebooks", "nnlib", "data", "models", "coursekit.py"]
_ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")


def copy_course(spawner):
    """pre_spawn_hook: on a user's first start, copy the series (the handout, the assignments) into their home.

    Later starts find the copy and leave it alone: a student's work survives a restart. Each copy is
    made in a temporary folder and renamed into place, so a spawn that fails half-way leaves none."""
    home = Path(spawner.home_dir)
    home.mkdir(parents=True, exist_ok=True)
    targets = []
    if "series" in COPY:
        targets.append(("nn-from-scratch", [REPO / name for name in SERIES]))
    if "student" in COPY and (REPO / "student").is_dir():
        targets.append(("student", sorted((REPO / "student").iterdir())))
    if "course" in COPY and (REPO / "course" / "release").is_dir():
        targets.append(("assignments", sorted((REPO / "course" / "release").iterdir())))
    for name, sources in targets:
        dest = home / name
        if dest.exists():
            continue
        partial = home / f".{name}.partial-{secrets.token_hex(4)}"
        partial.mkdir()
        for src in sources:
            if src.is_dir():
                shutil.copytree(src, partial / src.name, ignore=_ignore)
            elif src.exists():
                shutil.copy2(src, partial / src.name)
        partial.rename(dest)
        spawner.log.info("Copied %s into %s", name, dest)


c.Spawner.pre_spawn_hook = copy_course
