"""Run a command; fail if it fails, or if it added, removed or changed any file under a folder.

    python scripts/unchanged.py nnlib -- pytest --nbval notebooks/

`make test` uses it to check that running the notebooks leaves nnlib/ as it was: nnlib/ must be
exactly what the notebooks write. Files are compared by SHA-256; __pycache__ and hidden folders
(e.g. .ipynb_checkpoints) are left out. Works with or without git.
"""

import hashlib
import subprocess
import sys
from pathlib import Path


def snapshot(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
        and not any(part == "__pycache__" or part.startswith(".") for part in p.relative_to(folder).parts[:-1])
    }


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    folder = Path(argv[0])
    before = snapshot(folder)
    code = subprocess.call(argv[2:])
    after = snapshot(folder)
    changed = sorted(
        f"{folder.as_posix()}/{name}: " + ("added" if name not in before else "removed" if name not in after else "changed")
        for name in before.keys() | after.keys()
        if before.get(name) != after.get(name)
    )
    if changed:
        print(f"\n{folder}/ changed while running: {' '.join(argv[2:])}", file=sys.stderr)
        print("\n".join("  " + c for c in changed), file=sys.stderr)
        print(f"{folder}/ must already be what the notebooks write: run them in order and commit both.", file=sys.stderr)
    return code or (1 if changed else 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
