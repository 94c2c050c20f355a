"""A*-PO against GRPO (K = 4) and the seed's weighted loss on the same tiny base model, tasks, seeds and
wall-clock budget (A*-PO's V* stage counts in its time; evaluations do not). Each run is its own process, so its
peak memory is its own. The functions are `tinyzero.compare` (nbs/10_apo_vs_grpo.ipynb).

    python bench/apo_vs_grpo.py                       # configs/tiny.yaml at the easy level, 90 s per run, seeds 0 1 2

Prints the table and the ratios (time for A*-PO to reach GRPO's final accuracy / GRPO's time), writes
results.json and apo_vs_grpo.png into --out, and copies results.json to bench/results/apo_vs_grpo.json.
"""
import argparse, shutil
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
from tinyzero.compare import compare, summary, summary_markdown, plot_comparison

ROOT = Path(__file__).resolve().parent.parent
ap = argparse.ArgumentParser()
ap.add_argument("--config", default=str(ROOT / "configs" / "tiny.yaml"))
ap.add_argument("--budget_s", type=float, default=90)
ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
ap.add_argument("--algos", nargs="+", default=["apo", "grpo", "weighted"])
ap.add_argument("--eval_every", type=int, default=4)
ap.add_argument("--level", default="easy",
                help="the one difficulty every run trains and evaluates on (a step-based curriculum would differ "
                     "between methods that take steps at different rates)")
ap.add_argument("--out", default=str(ROOT / "outputs" / "apo_vs_grpo"))
ap.add_argument("--no_copy", action="store_true", help="do not update bench/results/apo_vs_grpo.json")
args = ap.parse_args()

results = compare(args.config, args.algos, args.seeds, args.budget_s, args.out, args.eval_every,
                  overrides={"data.curriculum": {args.level: 1.0}})
print("\n" + summary_markdown(summary(results)))
out = Path(args.out)
plot_comparison(results).savefig(out / "apo_vs_grpo.png", dpi=90)
if not args.no_copy:
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    shutil.copy(out / "results.json", ROOT / "bench" / "results" / "apo_vs_grpo.json")
print(f"wrote {out / 'results.json'} and {out / 'apo_vs_grpo.png'}")
