"""The committed notebooks as a learner opens them, read without running anything: figures kept, show_doc outputs that
match the code, every idea-track notebook opening with what it teaches and closing with a recap and questions, every
engineering notebook saying who needs it, and no project history in the teaching."""
import json, re
from pathlib import Path
import pytest

NBS = Path(__file__).resolve().parent.parent / "nbs"
NOTEBOOKS = sorted(p for p in NBS.glob("*.ipynb") if p.name != "index.ipynb")
IDEA = [p for p in NOTEBOOKS if int(p.name[:2]) < 20]
ENGINEERING = [p for p in NOTEBOOKS if int(p.name[:2]) >= 20]
DRAWS = re.compile(r"\bplt\.(show|subplots|figure|plot|bar|hist)\b|\.plot\(|\.bar\(|\.barh\(|\.hist\(|\.imshow\(")
HISTORY = re.compile(r"earlier version|before the fix|the old (limits|code|version)|used to (be|give|say)|"
                     r"was changed|we changed|previous protocol", re.I)


def cells(path):
    return json.loads(path.read_text())["cells"]


def source(cell):
    return "".join(cell["source"])


def images(cell):
    return sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


def markdown(path):
    return [source(c) for c in cells(path) if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_cell_that_draws_keeps_its_figure(path):
    "A learner sees every figure before running anything (slow cells included: their outputs are committed)."
    for i, c in enumerate(cells(path)):
        src = source(c)
        if c["cell_type"] != "code" or "#| export" in src or not DRAWS.search(src): continue
        if src.lstrip().startswith(("def ", "@")) or "plt.close" in src and "plt.show" not in src: continue
        assert images(c), f"{path.name} cell {i} draws but keeps no figure: run tools/run_notebooks.py on it"


def test_figures_are_shown():
    "Every idea-track notebook shows a figure when opened, and at least half of all notebooks do."
    with_figure = {p.name for p in NOTEBOOKS if any(images(c) for c in cells(p))}
    assert {p.name for p in IDEA} - with_figure == set(), sorted({p.name for p in IDEA} - with_figure)
    assert len(with_figure) >= len(NOTEBOOKS) / 2, f"{len(with_figure)} of {len(NOTEBOOKS)} show a figure"


def _signature(markdown_text: str) -> str:
    "The code block and the docstring line of a show_doc output (its source link carries line numbers)."
    blocks = re.findall(r"```python\n(.*?)```", markdown_text, re.S)
    doc = re.findall(r"^\*(.*)\*$", markdown_text, re.M)
    return "\n".join(blocks + doc).strip()


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if "show_doc(" in p.read_text()], ids=lambda p: p.name)
def test_show_doc_outputs_match_the_code(path):
    "A committed show_doc output shows the signature and docstring the package has now."
    from nbdev.showdoc import show_doc
    import tinyzero  # noqa: F401  (the objects below are looked up in the package)
    for i, c in enumerate(cells(path)):
        m = re.fullmatch(r"show_doc\(([\w.]+)\)", source(c).strip())
        if not m: continue
        outputs = [o["data"]["text/markdown"] for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]
        assert outputs, f"{path.name} cell {i}: show_doc without its output"
        stored = _signature("".join(outputs[0]))
        obj = _lookup(path, m.group(1))
        now = _signature(show_doc(obj)._repr_markdown_())
        assert stored == now, f"{path.name} cell {i}: the committed show_doc output is stale:\n{stored}\n!=\n{now}"


def _lookup(path, dotted: str):
    "The object `dotted` names in the module notebook `path` exports (or any tinyzero module)."
    import importlib, pkgutil, tinyzero
    head, *rest = dotted.split(".")
    exp = re.search(r"#\| default_exp (\w+)", path.read_text())
    names = ([exp.group(1)] if exp else []) + [m.name for m in pkgutil.iter_modules(tinyzero.__path__)]
    for name in names:
        mod = importlib.import_module(f"tinyzero.{name}")
        if hasattr(mod, head):
            obj = getattr(mod, head)
            for part in rest: obj = getattr(obj, part)
            return obj
    raise AssertionError(f"{path.name}: show_doc({dotted}) names nothing in tinyzero")


@pytest.mark.parametrize("path", IDEA, ids=lambda p: p.name)
def test_idea_notebooks_open_and_close(path):
    "A tutorial says what it teaches and what it assumes, and ends with a recap and questions."
    md = markdown(path)
    opening = " ".join(md[:3])
    assert re.search(r"what you will learn", opening, re.I), f"{path.name} does not open with what it teaches"
    assert re.search(r"who this is for|what you need first", opening, re.I), f"{path.name}: what it assumes"
    headings = re.findall(r"^#+ (.*)$", "\n".join(md), re.M)
    assert any(h.strip().lower().startswith("recap") for h in headings), f"{path.name} has no recap"
    assert any(h.strip().lower().startswith("questions") for h in headings), f"{path.name} has no questions"


@pytest.mark.parametrize("path", ENGINEERING, ids=lambda p: p.name)
def test_engineering_notebooks_say_who_needs_them(path):
    opening = " ".join(markdown(path)[:3])
    assert re.search(r"who needs (this|it)", opening, re.I), f"{path.name} does not say who needs it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_history_in_the_teaching(path):
    "What an earlier version did belongs in git log and BENCHMARKS.md, not in a notebook."
    found = [m.group(0) for s in markdown(path) for m in HISTORY.finditer(s)]
    assert not found, f"{path.name}: {found}"
