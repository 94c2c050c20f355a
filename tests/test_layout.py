"""The package's shape: one way flow (no import cycle, not even inside a function), no module over ~250 lines."""
import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "tinyzero"
MODULES = {p.stem: p for p in PKG.glob("*.py") if not p.stem.startswith("_")}


def imports(path: Path) -> set:
    "Every tinyzero module `path` imports, at any depth of the file."
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            mod = node.module.removeprefix("tinyzero.").lstrip(".") if node.level or node.module.startswith("tinyzero") else None
            if mod in MODULES: out.add(mod)
        elif isinstance(node, ast.Import):
            out |= {a.name.removeprefix("tinyzero.") for a in node.names if a.name.removeprefix("tinyzero.") in MODULES}
    return out


def test_no_import_cycle():
    graph = {m: imports(p) for m, p in MODULES.items()}
    state = {}
    def visit(m, path):
        if state.get(m) == "done": return
        assert state.get(m) != "open", f"import cycle: {' -> '.join(path + [m])}"
        state[m] = "open"
        for n in sorted(graph[m]): visit(n, path + [m])
        state[m] = "done"
    for m in sorted(graph): visit(m, [])
    assert "trainer" not in graph["tiny"] and "tiny" not in graph["trainer"]   # the cycle this layout removed


def test_modules_are_small():
    sizes = {m: len(p.read_text().splitlines()) for m, p in MODULES.items()}
    assert max(sizes.values()) <= 250, sizes


def test_methods_are_not_assigned_by_hand():
    for m, p in MODULES.items():
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    names = t.elts if isinstance(t, ast.Tuple) else [t]
                    for n in names:
                        assert not (isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id[:1].isupper()), \
                            f"{m}.py assigns {ast.unparse(n)}: use @patch"


def test_lines_are_at_most_100_characters():
    "nanoGPT's width: a line a reader takes in at once (nbdev's generated `__all__` aside)."
    generated = ("__all__ = ", "           '")
    long = [f"{m}.py:{i} ({len(line)})" for m, p in MODULES.items()
            for i, line in enumerate(p.read_text().splitlines(), 1)
            if len(line) > 100 and not line.startswith(generated)]
    assert not long, long


def test_one_statement_per_line():
    "No statements joined by semicolons in the package."
    joined = []
    for m, p in MODULES.items():
        tree = ast.parse(p.read_text())
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if not isinstance(body, list): continue
            lines = [s.lineno for s in body if isinstance(s, ast.stmt)]
            joined += [f"{m}.py:{n}" for n in set(lines) if lines.count(n) > 1]
    assert not joined, joined


# The idea track (nbs/00-10) and the engineering track (nbs/20-32): the idea modules read as one process's algorithm.
IDEA = {"arithmetic", "rewards", "data", "models", "generate", "vstar", "apo", "evaluate", "tiny", "step", "compare"}
ENGINEERING = set(MODULES) - IDEA
# compare (notebook 10) measures whole runs: it starts the engineering track's command line and reads its config and
# metrics files, and nothing else of it
MEASURES_RUNS = {"compare": {"config", "runlog"}}
PROCESS_CALLS = {"rank", "world_size", "all_gather", "broadcast", "barrier", "gather_in_order", "get_rank",
                 "get_world_size", "all_gather_object", "broadcast_object_list", "all_reduce"}


def test_every_module_is_in_a_track():
    notebooks = {p.name for p in (PKG.parent / "nbs").glob("*.ipynb")}
    exported = {}
    for nb in notebooks:
        text = (PKG.parent / "nbs" / nb).read_text()
        for m in MODULES:
            if f'#| default_exp {m}\\n' in text or f'#| default_exp {m}"' in text: exported[m] = nb
    for m, nb in exported.items():
        idea_notebook = int(nb[:2]) < 20
        assert (m in IDEA) == idea_notebook, f"{m} is exported by {nb}, in the {'idea' if idea_notebook else 'engineering'} track"
    assert set(exported) == set(MODULES), set(MODULES) - set(exported)


def test_idea_modules_import_no_engineering_module():
    for m in IDEA:
        wrong = imports(MODULES[m]) & ENGINEERING - MEASURES_RUNS.get(m, set())
        assert not wrong, f"{m}.py (idea track) imports {sorted(wrong)} (engineering track)"


def test_idea_modules_have_no_process_logic():
    "No rank, world size, gather or broadcast in the idea track's code, and no torch.distributed."
    for m in IDEA:
        tree = ast.parse(MODULES[m].read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                assert name not in PROCESS_CALLS, f"{m}.py:{node.lineno} calls {name}"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [getattr(node, "module", None) or ""] + [a.name for a in node.names]
                assert not any("distributed" in n for n in names), f"{m}.py:{node.lineno} imports {names}"
