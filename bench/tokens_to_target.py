"""Where A*-PO pays off: tokens and seconds to a target accuracy as training revisits its prompts.

A fixed number of prompt visits (512: 16 steps of 32 prompts) over a pool of 512 / E prompts, visited E times each
(E = 1, 2, 4, 8), for A*-PO (V* from N = 8 reference samples, paid once, its tokens counted), GRPO with K = 4 and
GRPO with K = 8, seeds 0 1 2, the same learning rate, prompts per step, evaluations and targets for all. One process
per run (tinyzero.compare.run_method); the functions are in nbs/10_apo_vs_grpo.ipynb.

    python bench/tokens_to_target.py        # configs/tiny_mult.yaml, 36 runs, about 40 minutes on 2 cores

Prints the ratio table (A*-PO's tokens and seconds to target over each GRPO's, per E, mean and range over seeds)
beside the prediction (N + E) / (K E) for each target (the base model's accuracy + 15 points, the headline, + 10 and
+ 20); writes runs.json and tokens_to_target.json into --out (notebook 10 draws the figure) and copies the records
to bench/results/tokens_to_target.json and the runs to bench/results/tokens_to_target_runs.json. An interrupted
sweep resumes from --out/runs.json.
"""
import argparse, json, os, shutil
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
from tinyzero.compare import run_method, to_target_records, ratio_table, ratio_markdown
from tinyzero.tiny import machine_name


def sweep(config, passes, methods, seeds, visits, prompts, eval_every, out) -> list[dict]:
    "Every seed, pass count and method: `visits` prompt visits over a pool of `visits / passes` prompts."
    if visits % prompts or any(visits % e for e in passes):
        raise SystemExit(f"--visits {visits} must be a multiple of --prompts and of every --passes")
    saved = Path(out) / "runs.json"
    runs = json.loads(saved.read_text()) if saved.exists() else []    # an interrupted sweep resumes
    for seed in seeds:
        for e in passes:
            for m in methods:
                if any((r["method"], r["seed"], r["passes"]) == (m, seed, e) for r in runs): continue
                keys = {"data.draw": "passes", "data.train_pool": visits // e, "vstar.mode": "eager",
                        "training.prompts_per_step": prompts, "training.steps": visits // prompts,
                        "eval.every": eval_every, "vstar.filter_all_wrong": False}
                r = run_method(config, m, seed, None, Path(out) / f"passes{e}", None, keys)
                runs.append({**r, "passes": e, "pool": visits // e})
                print(f"{m} seed {seed}, {e} passes over {visits // e}: accuracy "
                      f"{r['curve'][0][2]:.3f} -> {r['curve'][-1][2]:.3f}, {r['wall_s']:.0f} s", flush=True)
                tmp = saved.with_suffix(".tmp")
                tmp.write_text(json.dumps(runs, indent=1))
                os.replace(tmp, saved)
    return runs


ROOT = Path(__file__).resolve().parent.parent
ap = argparse.ArgumentParser()
ap.add_argument("--config", default=str(ROOT / "configs" / "tiny_mult.yaml"))
ap.add_argument("--passes", type=int, nargs="+", default=[1, 2, 4, 8])
ap.add_argument("--methods", nargs="+", default=["apo", "grpo", "grpo_k8"])
ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
ap.add_argument("--visits", type=int, default=512, help="prompt visits per run: steps x prompts per step")
ap.add_argument("--prompts", type=int, default=32, help="prompts per step, every method")
ap.add_argument("--eval_every", type=int, default=2, help="evaluate every this many steps")
ap.add_argument("--gains", type=float, nargs="+", default=[0.15, 0.10, 0.20],
                help="targets: the base model's held-out accuracy + each gain (the first is the headline)")
ap.add_argument("--out", default=str(ROOT / "outputs" / "tokens_to_target"))
ap.add_argument("--no_copy", action="store_true", help="do not update bench/results/")
args = ap.parse_args()

print(f"machine: {machine_name()}")
Path(args.out).mkdir(parents=True, exist_ok=True)
runs = sweep(args.config, args.passes, args.methods, args.seeds, args.visits, args.prompts, args.eval_every,
             args.out)
records = to_target_records(runs, args.gains, args.eval_every)
out = Path(args.out)
(out / "tokens_to_target.json").write_text(json.dumps(records, indent=1))
for target in dict.fromkeys(r["target"] for r in records):
    print(f"\ntarget {100 * target:.1f}% held-out accuracy\n" + ratio_markdown(ratio_table(records, target)))
if not args.no_copy:
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    shutil.copy(out / "tokens_to_target.json", ROOT / "bench" / "results" / "tokens_to_target.json")
    shutil.copy(out / "runs.json", ROOT / "bench" / "results" / "tokens_to_target_runs.json")
print(f"wrote {out / 'tokens_to_target.json'}")
