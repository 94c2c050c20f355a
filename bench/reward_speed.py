"""Time `score` on hostile responses of about a megabyte (the slowest of 5 runs each, both schemes, every test problem).

    python bench/reward_speed.py

The promise is 50 ms for any input; BENCHMARKS.md has the figures.
"""
import platform, sys, time
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / "tests"))
from tinyzero.data import Problem
from tinyzero.rewards import score
from test_fuzz_rewards import PROBLEMS, megabyte_responses

problems = PROBLEMS + [Problem("countdown", "easy", (15, 2), 30)]
print(f"machine: {platform.machine()}, Python {platform.python_version()}")
print("| response (about 1 MB) | slowest score, ms |\n|---|---|")
for name, text in megabyte_responses().items():
    worst = 0.0
    for _ in range(5):
        for p in problems:
            for scheme in ("process", "binary"):
                t = time.perf_counter(); score(text, p, scheme); worst = max(worst, time.perf_counter() - t)
    print(f"| {name} | {worst * 1000:.1f} |")
