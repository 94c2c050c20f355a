"""The gain of a config over several random seeds: is it robust, or was one run lucky?

    python bench/seeds.py --config configs/tiny.yaml --seeds 0 1 2
    python bench/seeds.py --config configs/tiny_long.yaml --seeds 0 1 2

Runs `python -m tinyzero.train --config C --seed S` once per seed (each in a fresh process, cold: its own output
folder, so its own V* stage), then prints a table of held-out accuracy per seed at the first and last evaluation,
per task and level, and the gain's mean and minimum. The seed is `training.seed` (the samples drawn and every other
random choice of the run); the problems, the held-out set and the base model stay the same. BENCHMARKS.md has the
figures.
"""
import argparse, json, statistics, subprocess, sys, tempfile, time
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tinyzero.runlog import read_jsonl
from tinyzero.tiny import machine_name

ROWS = [("overall", "eval_accuracy"), ("multiplication, easy", "eval_accuracy/multiplication/easy"),
        ("countdown, very easy", "eval_accuracy/countdown/very_easy"), ("countdown, easy", "eval_accuracy/countdown/easy")]

def run_seed(config: str, seed: int, out: Path) -> dict:
    "Train `config` with `seed` into `out`; its evaluations and wall-clock seconds."
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "tinyzero.train", "--config", config, "--seed", str(seed),
                        "--output_dir", str(out)], cwd=ROOT, capture_output=True, text=True)
    if r.returncode: sys.exit(f"seed {seed} failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
    evals = [e for e in read_jsonl(out / "metrics.jsonl") if "eval_accuracy" in e]
    return dict(seed=seed, seconds=time.perf_counter() - t0, evals=evals)

def pct(x) -> str: return "-" if x is None else f"{100 * x:.1f}%"

def table(runs: list) -> str:
    "Markdown: per seed, each row's first -> last evaluation; then the gain's mean and minimum."
    head = "| seed | wall clock | " + " | ".join(name for name, _ in ROWS) + " | gain |\n" + "|---" * (len(ROWS) + 3) + "|\n"
    lines, gains = [], []
    for r in runs:
        first, last = r["evals"][0], r["evals"][-1]
        gains.append(last["eval_accuracy"] - first["eval_accuracy"])
        cells = [f"{pct(first.get(k))} -> {pct(last.get(k))}" for _, k in ROWS]
        lines.append(f"| {r['seed']} | {r['seconds']:.0f} s | " + " | ".join(cells) + f" | {100 * gains[-1]:+.1f} |")
    lines.append(f"\ngain of held-out accuracy (last evaluation - first), points: mean {100 * statistics.mean(gains):+.1f}, "
                 f"min {100 * min(gains):+.1f}, max {100 * max(gains):+.1f}; wall clock: max "
                 f"{max(r['seconds'] for r in runs):.0f} s")
    return head + "\n".join(lines)

def curve(runs: list) -> str:
    "Held-out accuracy at every evaluation, one line per seed."
    return "\n".join(f"seed {r['seed']}: " + ", ".join(f"{e['step']}: {pct(e['eval_accuracy'])}" for e in r["evals"])
                     for r in runs)

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(ROOT / "configs" / "tiny.yaml"))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--out", help="keep the runs here (default: a temporary folder)")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()
    base = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="seeds-"))
    runs = [run_seed(args.config, s, base / f"seed{s}") for s in args.seeds]
    print(f"{args.config}, {machine_name()}, {len(args.seeds)} seeds")
    print(table(runs)); print(curve(runs))
    if args.json: Path(args.json).write_text(json.dumps(runs, indent=1))
