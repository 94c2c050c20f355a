"""Time each notebook's default cells (what `nbdev_test` runs), one notebook after another in this process.

    python tools/time_notebooks.py                       # every notebook in nbs/
    python tools/time_notebooks.py nbs/06_apo.ipynb ...  # some of them

Prints each notebook's seconds and its slowest cells. Cells flagged with settings.ini's `tst_flags` (slow, gpu,
peers) are not run, as in `nbdev_test` without flags. Imports made by one notebook are not paid again by the next,
and the interpreter's own start (a few seconds per notebook under `nbdev_test`) is left out.
"""
import os, sys, time
from pathlib import Path
from execnb.nbio import read_nb
from execnb.shell import CaptureShell
from nbdev.config import get_config

SKIP = set(get_config().tst_flags.split())     # the flags nbdev_test leaves out unless told (settings.ini)

def skipped(src: str) -> bool:
    directives = [l[3:].strip() for l in src.splitlines() if l.startswith("#| ")]
    return any(d in SKIP or d.replace(" ", "") == "eval:false" for d in directives) or "nbdev_export(" in src

def time_notebook(path: Path) -> tuple[float, list]:
    "Seconds of the notebook's default cells, and `(seconds, cell index, first line)` of each."
    nb, rows = read_nb(path), []
    os.environ["IN_TEST"] = "1"
    cwd = os.getcwd(); os.chdir(path.parent)
    shell, start = CaptureShell(path), time.perf_counter()
    try:
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or skipped(cell.source): continue
            t = time.perf_counter(); shell.run(cell.source)
            if shell.exc: raise RuntimeError(f"{path.name} cell {i}: {shell.exc}")
            rows.append((time.perf_counter() - t, i, cell.source.splitlines()[0][:60]))
    finally: os.chdir(cwd)
    return time.perf_counter() - start, rows

if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    paths = [Path(a).resolve() for a in sys.argv[1:]] or sorted((root / "nbs").glob("*.ipynb"))
    for p in paths:
        seconds, rows = time_notebook(p)
        print(f"{p.name:24} {seconds:6.1f} s")
        for dt, i, first in sorted(rows, reverse=True)[:3]:
            if dt > 5: print(f"{'':26}{dt:6.1f} s  cell {i}: {first}")
