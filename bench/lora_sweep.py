"""LoRA against full fine-tuning on the laptop run: a sweep of ranks and learning rates, then the best over seeds.

    python bench/lora_sweep.py                     # about 25 minutes on 2 CPU cores

Every run is configs/tiny.yaml (30 steps, the shipped tiny base model) in its own process, cold (its own V* stage):
1. full fine-tuning at tiny.yaml's learning rate (2e-4), seeds 0 1 2;
2. LoRA on every linear layer (alpha 32) at ranks 4, 16, 64 and learning rates 5e-4, 1e-3, 2e-3, 4e-3, seed 0;
3. the rank and learning rate with the best seed-0 gain, seeds 0 1 2.
Prints the tables BENCHMARKS.md shows and writes bench/results/lora_tiny.json (the evaluation curves of every run,
which notebook 27 plots). The gain is the held-out accuracy of the last evaluation minus the first (the base model).
"""
import argparse, json, statistics, subprocess, sys, tempfile, time
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tinyzero.runlog import read_jsonl
from tinyzero.tiny import machine_name

def run(name: str, seed: int, overrides: list, base: Path) -> dict:
    "configs/tiny.yaml with `overrides` and `seed`, in a fresh process; its evaluations and seconds."
    out = base / f"{name}-seed{seed}"
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "tinyzero.train", "--config", "configs/tiny.yaml", "--seed", str(seed),
                        "--output_dir", str(out), *overrides], cwd=ROOT, capture_output=True, text=True)
    if r.returncode: sys.exit(f"{name} seed {seed} failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
    evals = [(e["step"], e["eval_accuracy"]) for e in read_jsonl(out / "metrics.jsonl") if "eval_accuracy" in e]
    steps = [e["step_time"] for e in read_jsonl(out / "metrics.jsonl") if "step_time" in e]
    row = dict(name=name, seed=seed, overrides=overrides, evals=evals, gain=evals[-1][1] - evals[0][1],
               seconds=time.perf_counter() - t0, step_s=statistics.mean(steps))
    print(f"{name:24} seed {seed}: {100 * evals[0][1]:.1f}% -> {100 * evals[-1][1]:.1f}% "
          f"({100 * row['gain']:+.1f}), {row['step_s']:.2f} s/step", flush=True)
    return row

def lora(rank: int, lr: float) -> list: return [f"lora={{rank: {rank}, alpha: 32}}", f"training.lr={lr}"]

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ranks", type=int, nargs="+", default=[4, 16, 64])
    ap.add_argument("--lrs", type=float, nargs="+", default=[5e-4, 1e-3, 2e-3, 4e-3])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "lora_tiny.json"))
    args = ap.parse_args()
    base, runs = Path(tempfile.mkdtemp(prefix="lora-sweep-")), []
    print(f"configs/tiny.yaml, {machine_name()}")
    runs += [run("full lr=0.0002", s, [], base) for s in args.seeds]
    sweep = [run(f"lora r={r} lr={lr:g}", args.seeds[0], lora(r, lr), base) for r in args.ranks for lr in args.lrs]
    runs += sweep
    best = max(sweep, key=lambda r: r["gain"])
    runs += [run(best["name"], s, best["overrides"], base) for s in args.seeds[1:]]
    Path(args.json).write_text(json.dumps(dict(machine=machine_name(), runs=runs), indent=1))
    print("\n| rank, lr | " + " | ".join(f"{lr:g}" for lr in args.lrs) + " |")
    print("|---" * (len(args.lrs) + 1) + "|")
    for r in args.ranks:
        gains = [next(x["gain"] for x in sweep if x["name"] == f"lora r={r} lr={lr:g}") for lr in args.lrs]
        print(f"| {r} | " + " | ".join(f"{100 * g:+.1f}" for g in gains) + " |")
    for name in ("full lr=0.0002", best["name"]):
        gains = [100 * x["gain"] for x in runs if x["name"] == name]
        print(f"{name}: gain over seeds {args.seeds}: mean {statistics.mean(gains):+.1f}, min {min(gains):+.1f} "
              f"({', '.join(f'{g:+.1f}' for g in gains)})")
