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
