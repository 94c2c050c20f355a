"""A*-PO against GRPO (64 prompts x 4, and 16 prompts x 4: as many responses per step as A*-PO) and the seed's
weighted loss, on the same tiny base model, tasks at one level, seeds and training-time budget. A*-PO's V* stage
counts in its time; evaluations do not, and come every --every_seconds of training time. Each run is its own process,
so its peak memory is its own. The functions are `tinyzero.compare` (nbs/10_apo_vs_grpo.ipynb).

    python bench/apo_vs_grpo.py        # configs/tiny.yaml at the easy level, 135 s of training per run, seeds 0 1 2

Prints the table (time to reach the base model's accuracy + 15 points, accuracy at equal times, steps, tokens, peak
memory, with the spread over seeds) and A*-PO's time ratios per seed; writes results.json and apo_vs_grpo.png into
--out, and copies results.json to bench/results/apo_vs_grpo.json.
"""
import argparse, shutil
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
from tinyzero.compare import METHODS, compare, summary, summary_markdown, plot_comparison
from tinyzero.tiny import machine_name

ROOT = Path(__file__).resolve().parent.parent
ap = argparse.ArgumentParser()
ap.add_argument("--config", default=str(ROOT / "configs" / "tiny.yaml"))
ap.add_argument("--budget_s", type=float, default=135, help="training seconds per run (GRPO 64 x 4 needs >= 25 steps)")
ap.add_argument("--every_seconds", type=float, default=15)
ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
ap.add_argument("--methods", nargs="+", default=list(METHODS))
ap.add_argument("--gain", type=float, default=0.15, help="the target: the base model's accuracy + this")
ap.add_argument("--level", default="easy",
                help="the one difficulty every run trains and evaluates on (a step-based curriculum would differ "
                     "between methods that take steps at different rates)")
ap.add_argument("--out", default=str(ROOT / "outputs" / "apo_vs_grpo"))
ap.add_argument("--no_copy", action="store_true", help="do not update bench/results/apo_vs_grpo.json")
args = ap.parse_args()

print(f"machine: {machine_name()}")
results = compare(args.config, args.methods, args.seeds, args.budget_s, args.out, args.every_seconds,
                  overrides={"data.curriculum": {args.level: 1.0}})
print("\n" + summary_markdown(summary(results, args.gain)))
out = Path(args.out)
plot_comparison(results, args.gain).savefig(out / "apo_vs_grpo.png", dpi=90)
if not args.no_copy:
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    shutil.copy(out / "results.json", ROOT / "bench" / "results" / "apo_vs_grpo.json")
print(f"wrote {out / 'results.json'} and {out / 'apo_vs_grpo.png'}")
