"""Every exercise checked both ways: its reference solution passes, a stub is "not written yet" (never a pass), and
each named mistake fails with its own message; the notebooks hold every exercise, unfilled; the command line checks a
learner's own copy of a notebook."""
import inspect, json, subprocess, sys
from collections import Counter
from pathlib import Path
import pytest
from tinyzero.checking import NOT_WRITTEN, judge
from tinyzero.exercises import EXERCISES, check_notebook, exercise_cells

ROOT = Path(__file__).resolve().parent.parent
MISTAKES = [(name, message) for name, ex in EXERCISES.items() for message in ex.mistakes]


@pytest.mark.parametrize("name", EXERCISES)
def test_the_reference_solution_passes(name):
    ex = EXERCISES[name]
    assert judge(ex, ex.reference).passed, judge(ex, ex.reference)


@pytest.mark.parametrize("name", EXERCISES)
def test_a_stub_is_not_written_yet(name):
    def stub(*args): raise NotImplementedError("replace this line with your code")
    verdict = judge(EXERCISES[name], stub)
    assert not verdict.passed and verdict.message == NOT_WRITTEN


@pytest.mark.parametrize("name,message", MISTAKES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(MISTAKES)])
def test_each_named_mistake_fails_with_its_message(name, message):
    ex = EXERCISES[name]
    verdict = judge(ex, ex.mistakes[message])
    assert not verdict.passed and verdict.message == message


def test_two_to_four_exercises_in_every_idea_notebook():
    per_notebook = Counter(ex.notebook for ex in EXERCISES.values())
    idea = sorted(p.stem for p in (ROOT / "nbs").glob("*.ipynb") if p.stem[:2].isdigit() and int(p.stem[:2]) < 20)
    assert len(EXERCISES) >= 20 and all(ex.mistakes for ex in EXERCISES.values())
    assert set(per_notebook) == set(idea), set(idea) ^ set(per_notebook)
    assert all(2 <= n <= 4 for n in per_notebook.values()), per_notebook


def test_the_notebooks_hold_every_exercise_unfilled():
    "Each exercise is a `# Try it` cell of its notebook, defining the function with a stub, followed by its check."
    found = {}
    for path in sorted((ROOT / "nbs").glob("*.ipynb")):
        for name, verdict in check_notebook(path):
            found[name] = (path.stem, verdict)
        cells = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"]]
        for i, src in enumerate(cells):
            if src.startswith("# Try it: "):
                assert cells[i + 1].strip() == f"check({src.split()[3]})", f"{path.name}: no check under {src[:40]}"
    assert set(found) == set(EXERCISES), set(found) ^ set(EXERCISES)
    for name, (notebook, verdict) in found.items():
        assert notebook == EXERCISES[name].notebook, (name, notebook)
        assert verdict.message == NOT_WRITTEN, (name, verdict)


def test_a_learners_copy_from_the_command_line(tmp_path):
    "One stub replaced by the solution in a copy of a notebook: the command line says 1 passes, the rest not yet."
    nb = json.loads((ROOT / "nbs" / "07_evaluate.ipynb").read_text())
    names = [name for name, _ in exercise_cells(ROOT / "nbs" / "07_evaluate.ipynb")]
    for c in nb["cells"]:
        if "".join(c["source"]).startswith(f"# Try it: {names[0]}"):
            c["source"] = f"# Try it: {names[0]}\n" + inspect.getsource(EXERCISES[names[0]].reference)
    mine = tmp_path / "07_mine.ipynb"
    mine.write_text(json.dumps(nb))
    r = subprocess.run([sys.executable, "-m", "tinyzero.exercises", str(mine)], capture_output=True, text=True,
                       cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    assert f"1 of {len(names)} exercises pass" in r.stdout and "not written yet" in r.stdout, r.stdout
    r = subprocess.run([sys.executable, "-m", "tinyzero.exercises", "--solutions"], capture_output=True, text=True,
                       cwd=ROOT, timeout=600)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == len(EXERCISES), r.stdout + r.stderr
