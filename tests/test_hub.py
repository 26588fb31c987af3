"""The class on JupyterHub (docs/HUB.md), at CI size: the project's hub/jupyterhub_config.py with three
simulated students who log in through the REST API, each run notebook 00 in their own copy at the same
time and write a marker into their own nnlib; one server is stopped in the middle of a notebook and
started again. benchmarks/hub_load.py does the same with twenty students (the table in docs/HUB.md).

Skipped, naming what is missing, without the hub extra or configurable-http-proxy (make hub-setup).
"""

import pytest
from benchmarks import hub_load

pytestmark = pytest.mark.slow  # starts a hub, three servers and their kernels (about 30 s)


@pytest.fixture(scope="module")
def result():
    missing = hub_load.missing()
    if missing:
        pytest.skip("JupyterHub test needs " + ", ".join(missing))
    return hub_load.run(students=3, notebooks=("00_notation_numpy_data",), restart=True,
                        restart_notebook="00_notation_numpy_data", log=lambda m: None)


def test_every_student_finishes_notebook_00_in_their_own_server(result):
    assert result["finished"] == 3, result["problems"]
    assert len(result["run_00_notation_numpy_data_s"]) == 3
    assert len(result["peak_user_bytes"]) == 3, "memory was sampled for each student's server and kernel"


def test_the_login_page_takes_the_shared_password_and_refuses_a_wrong_one(result):
    assert result["password_login"] == [302, 403]


def test_no_student_changes_another_students_files_or_the_teachers(result):
    assert result["copies_changed_by_another"] == 0, result["problems"]
    assert result["cross_access_refused"] == "3/3", result["problems"]
    assert result["teacher_tree_changed"] == []


def test_a_server_stopped_mid_notebook_keeps_the_students_files(result):
    restart = result["restart"]
    assert restart["files_intact"], result["problems"]
    assert restart["processes_left_after_stop"] == 0


def test_the_run_cleans_up_every_process_and_file(result):
    assert result["processes_left"] == 0 and result["workdir_removed"], result["problems"]
    assert result["problems"] == []


def test_a_difference_in_a_copy_is_seen():
    """The isolation check can fail: a file changed, added or removed shows in the diff."""
    before = {"nnlib/a.py": "1", "nnlib/b.py": "2"}
    assert hub_load.diff(before, before) == []
    assert hub_load.diff(before, {"nnlib/a.py": "1", "nnlib/b.py": "3"}) == ["nnlib/b.py"]
    assert hub_load.diff(before, {"nnlib/a.py": "1"}) == ["nnlib/b.py"]
    assert hub_load.diff(before, {**before, "nnlib/hub_marker_x.py": "4"}) == ["nnlib/hub_marker_x.py"]


def load_config(monkeypatch, tmp_path, copy):
    """hub/jupyterhub_config.py read as JupyterHub reads it, with NN_HUB_DIR in tmp_path."""
    pytest.importorskip("jupyterhub", reason="the hub extra (make hub-setup) is not installed")
    from traitlets.config import Config

    monkeypatch.setenv("NN_HUB_DIR", str(tmp_path / "hubdata"))
    monkeypatch.setenv("NN_HUB_PASSWORD", "pw")
    monkeypatch.setenv("NN_HUB_COPY", copy)
    c = Config()
    namespace = {"get_config": lambda: c, "__file__": str(hub_load.CONFIG)}
    exec(compile(hub_load.CONFIG.read_text(), str(hub_load.CONFIG), "exec"), namespace)
    return c


class FakeSpawner:
    def __init__(self, home):
        import logging

        self.home_dir = str(home)
        self.log = logging.getLogger("test_hub")


def test_the_first_start_copies_the_series_and_a_restart_keeps_the_students_work(monkeypatch, tmp_path):
    c = load_config(monkeypatch, tmp_path, "series")
    hook = c.Spawner.pre_spawn_hook
    spawner = FakeSpawner(tmp_path / "hubdata" / "users" / "ada")
    hook(spawner)
    copy = tmp_path / "hubdata" / "users" / "ada" / "nn-from-scratch"
    repo = hub_load.tree_hashes(hub_load.REPO / "notebooks")
    assert hub_load.tree_hashes(copy / "notebooks") == repo
    assert (copy / "coursekit.py").read_bytes() == (hub_load.REPO / "coursekit.py").read_bytes()
    assert (copy / "data" / "digits.h5").exists() and (copy / "nnlib" / "__init__.py").exists()
    assert not list(copy.rglob("__pycache__"))
    (copy / "nnlib" / "activations.py").write_text("# the student's own work\n")
    hook(spawner)  # the next start
    assert (copy / "nnlib" / "activations.py").read_text() == "# the student's own work\n"
    assert sorted(p.name for p in copy.parent.iterdir()) == ["nn-from-scratch"], "no partial copies left"


def test_the_config_reads_its_settings_from_the_environment(monkeypatch, tmp_path):
    c = load_config(monkeypatch, tmp_path, "student,course")
    assert c.JupyterHub.ip == "127.0.0.1" and c.JupyterHub.port == 8000
    assert c.SimpleLocalProcessSpawner.home_dir_template == str(tmp_path / "hubdata" / "users" / "{username}")
    assert c.Spawner.environment["OMP_NUM_THREADS"] == "1"
    assert (c.Spawner.mem_limit, c.Spawner.cpu_limit) == ("1G", 1.0)
    spawner = FakeSpawner(tmp_path / "home")
    c.Spawner.pre_spawn_hook(spawner)
    # the handout and the assignments only if `make student` / `make course` have built them
    expected = sorted(name for name, built in [("student", "student"), ("assignments", "course/release")]
                      if (hub_load.REPO / built).is_dir())
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == expected
