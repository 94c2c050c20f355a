"""Execute notebooks in place and keep the outputs that teach, so a reader sees the figures without running anything.

    python tools/run_notebooks.py nbs/25_memory.ipynb ...     # or no argument: every notebook in nbs/

Cells flagged `#| slow`, `#| gpu` or `#| bench` are not run (their committed outputs are kept), `#| eval: false` cells
neither. A `bench` cell is a benchmark kept in a notebook (minutes to an hour, never in CI): its committed outputs
come from `python tools/run_notebooks.py --flags bench nbs/...` (`--flags` runs those flagged cells too).
Kept: figures (PNG), text and HTML results, printed output. Dropped: stderr (progress bars, warnings) and widget views
(their ids change on every run), so a rerun writes the same file. Run `nbdev_clean` afterwards, as after any edit.
"""
import os, sys
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

SKIP = {"slow", "gpu", "bench"}
KEEP = ("image/png", "text/plain", "text/html", "text/markdown")

def _skip(cell) -> bool:
    if cell.cell_type != "code": return True
    src = cell.source
    if "nbdev_export(" in src: return True
    directives = [l[3:].strip() for l in src.splitlines() if l.startswith("#| ")]
    return any(d in SKIP or d.replace(" ", "") == "eval:false" for d in directives)

def _keep(out) -> dict | None:
    "The part of an output worth committing, or None."
    if out.get("output_type") == "stream": return out if out.get("name") == "stdout" else None
    if out.get("output_type") in ("display_data", "execute_result"):
        data = {k: v for k, v in out.get("data", {}).items() if k in KEEP}
        if "application/vnd.jupyter.widget-view+json" in out.get("data", {}) or not data: return None
        return dict(out, data=data, metadata={})
    return None

def run(path: Path):
    nb = read_nb(path)
    for c in nb.cells:
        if not _skip(c): c.outputs, c.execution_count = [], None
    os.environ["IN_TEST"] = "1"
    cwd = os.getcwd(); os.chdir(path.parent)
    try: CaptureShell(path).run_all(nb, exc_stop=True, preproc=_skip)
    finally: os.chdir(cwd)
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = [o for o in (_keep(o) for o in c.get("outputs", [])) if o is not None]
            c.execution_count = None
    write_nb(nb, path)
    print(f"ran {path}")

if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    args = sys.argv[1:]
    if args[:1] == ["--flags"]: SKIP, args = SKIP - set(args[1].split()), args[2:]
    for p in [Path(a) for a in args] or sorted((root / "nbs").glob("*.ipynb")): run(p.resolve())
