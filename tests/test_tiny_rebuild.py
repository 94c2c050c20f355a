"""Rebuilding the shipped tiny base model from its recipe lands in the documented band of base accuracy.

Slow (the full pretraining, about 8 minutes on 2 cores): it runs where TINYZERO_REBUILD_TEST=1 is set (CI sets it)
and is skipped, with that reason, by the everyday test command. The band comes from the builds in BENCHMARKS.md
(held-out accuracy 32.6% for the shipped seed-1 build and 30.6% for seed 0 on a 2-core AMD EPYC, 35.2% for seed 0 on
an Intel Xeon): pretraining's floating point differs from one CPU to the next, so the test asks for the band, not for
the shipped weights."""
import os, subprocess, sys
from pathlib import Path
import pytest
from tinyzero.data import TASKS, eval_set
from tinyzero.evaluate import evaluate, summarize
from tinyzero.models import load_policy
from tinyzero.tiny import TinyRecipe

ROOT = Path(__file__).resolve().parent.parent
BAND = (0.25, 0.45)          # greedy held-out accuracy of a build of TinyRecipe(), 304 problems


@pytest.mark.skipif(not os.environ.get("TINYZERO_REBUILD_TEST"),
                    reason="rebuilds the tiny base model (about 8 minutes); set TINYZERO_REBUILD_TEST=1 (CI does)")
def test_rebuilt_tiny_base_lands_in_the_band(tmp_path):
    subprocess.run([sys.executable, "-m", "tinyzero.tiny", "--out", str(tmp_path / "m")], check=True, cwd=ROOT,
                   timeout=3600, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert (tmp_path / "m" / "PROVENANCE.md").exists()
    policy = load_policy(str(tmp_path / "m"), device="cpu")
    problems = eval_set(TASKS, TinyRecipe().difficulties, 100)
    s = summarize(evaluate(policy.model, policy.tok, problems, shots=0, max_new_tokens=200))
    assert s["eval_format_rate"] > 0.6, s                 # it mostly knows the format (the shipped one: 82%)
    assert BAND[0] <= s["eval_accuracy"] <= BAND[1], s
