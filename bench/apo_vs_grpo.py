"""A*-PO against GRPO (K = 4) and the seed's weighted loss on the same tiny base model, tasks, seeds and
wall-clock budget (the A*-PO V* stage counts in its time; evaluations do not). Each run is its own process, so its
peak memory (max RSS) is its own.

    python bench/apo_vs_grpo.py --budget_s 150 --seeds 0 1 2 --out outputs/apo_vs_grpo

Prints a table (final and best held-out accuracy, seconds, generated tokens, peak memory) and the ratio
"time for A*-PO to reach GRPO's final accuracy / GRPO's time", and writes results.json and a plot into --out.
"""
import argparse, json, subprocess, sys, time, yaml
import psutil
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

ROOT = Path(__file__).resolve().parent.parent
ap = argparse.ArgumentParser()
ap.add_argument("--config", default=str(ROOT / "configs" / "tiny.yaml"))
ap.add_argument("--budget_s", type=float, default=150)
ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
ap.add_argument("--algos", nargs="+", default=["apo", "grpo", "weighted"])
ap.add_argument("--eval_every", type=int, default=10)
ap.add_argument("--out", default=str(ROOT / "outputs" / "apo_vs_grpo"))
args = ap.parse_args()
out = Path(args.out); out.mkdir(parents=True, exist_ok=True)


def run(algo: str, seed: int) -> dict:
    cfg = yaml.safe_load(Path(args.config).read_text())
    cfg["training"].update(algo=algo, seed=seed, steps=100_000, time_budget_s=args.budget_s)
    cfg["eval"]["every"] = args.eval_every
    cfg["output"].update(dir=str(out / f"{algo}-seed{seed}"), save_every=100_000)
    if algo == "grpo": cfg["training"].update(grpo_k=4)
    f = out / f"{algo}-seed{seed}.yaml"; f.write_text(yaml.safe_dump(cfg))
    log = open(out / f"{algo}-seed{seed}.stdout", "w")
    p = subprocess.Popen([sys.executable, "-m", "tinyzero.train", "--config", str(f)], cwd=ROOT,
                         stdout=log, stderr=subprocess.DEVNULL, text=True)
    proc, peak = psutil.Process(p.pid), 0
    while p.poll() is None:                      # peak resident memory of this run's process
        try: peak = max(peak, proc.memory_info().rss)
        except psutil.Error: pass
        time.sleep(0.2)
    log.close()
    if p.returncode != 0: raise SystemExit(f"{algo} seed {seed} failed (exit {p.returncode})")
    stdout = (out / f"{algo}-seed{seed}.stdout").read_text()
    rows = [json.loads(l) for l in (out / f"{algo}-seed{seed}" / "metrics.jsonl").read_text().splitlines() if l.strip()]
    evals = [r for r in rows if "eval_accuracy" in r]
    return dict(algo=algo, seed=seed, curve=[(r["train_seconds"], r["tokens"], r["eval_accuracy"]) for r in evals],
                final=evals[-1]["eval_accuracy"], best=max(r["eval_accuracy"] for r in evals),
                first=evals[0]["eval_accuracy"], summary=json.loads(stdout.strip().splitlines()[-1]),
                peak_rss_mb=peak / 2**20)


# the base model is built once (and cached) before any timed run
subprocess.run([sys.executable, "-c", "from tinyzero.tiny import tiny_base_path; tiny_base_path()"], check=True, cwd=ROOT)
results = []
for seed in args.seeds:
    for algo in args.algos:
        r = run(algo, seed)
        results.append(r); print(algo, seed, {k: r[k] for k in ("first", "best", "final")}, flush=True)
(out / "results.json").write_text(json.dumps(results, indent=1))

def time_to_reach(curve, acc):
    return next((t for t, _, a in curve if a >= acc), None)

print(f"\n{'algo':9} {'seed':>4} {'first':>6} {'best':>6} {'final':>6} {'tokens':>9} {'peak MB':>8}")
for r in results:
    print(f"{r['algo']:9} {r['seed']:>4} {r['first']:6.3f} {r['best']:6.3f} {r['final']:6.3f} {r['curve'][-1][1]:>9} {r['peak_rss_mb']:8.0f}")
if "apo" in args.algos and "grpo" in args.algos:
    for seed in args.seeds:
        a = next(r for r in results if r["algo"] == "apo" and r["seed"] == seed)
        g = next(r for r in results if r["algo"] == "grpo" and r["seed"] == seed)
        t = time_to_reach(a["curve"], g["final"])
        print(f"seed {seed}: A*-PO reaches GRPO's final accuracy {g['final']:.3f} "
              + (f"after {t:.0f} s; ratio {t / g['curve'][-1][0]:.2f}" if t is not None else "never within the budget"))
fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
colors = {"apo": "tab:blue", "grpo": "tab:orange", "weighted": "tab:green"}
for r in results:
    s, tok, acc = zip(*r["curve"])
    axes[0].plot(s, acc, color=colors.get(r["algo"]), alpha=.7, label=r["algo"] if r["seed"] == args.seeds[0] else None)
    axes[1].plot(tok, acc, color=colors.get(r["algo"]), alpha=.7)
axes[0].set_xlabel("seconds (evaluations excluded)"); axes[1].set_xlabel("generated tokens")
for ax in axes: ax.set_ylabel("held-out accuracy"); ax.grid(alpha=.3)
axes[0].legend(); fig.tight_layout(); fig.savefig(out / "apo_vs_grpo.png", dpi=90)
print(f"wrote {out / 'results.json'} and {out / 'apo_vs_grpo.png'}")
