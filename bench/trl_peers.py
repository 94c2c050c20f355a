"""The project's A*-PO and GRPO trainers beside Hugging Face TRL's (the experimental A2POTrainer and GRPOTrainer), on the
same tiny base model, the same training prompts (configs/tiny.yaml at one level), the same reward (the project's, through
TRL's reward-function API: `tinyzero.rewards.trl_reward`), the same hyperparameters where TRL has them, and the project's
own held-out evaluation before and after. Needs the optional packages: pip install -e ".[peers]".

    python bench/trl_peers.py                      # 20 steps of 64 prompts per method, seed 0, about 10 minutes on 2 cores
    python bench/trl_peers.py --methods apo trl_a2po --steps 10

Each method runs in its own child process (its peak memory is its own, from os.wait4). Per method: the V* stage's
seconds, seconds per step, the whole run (V* stage + steps, evaluations excluded), peak memory, held-out accuracy
before and after, and for the two A*-PO trainers where a step's time goes (generation, the reference's and the
policy's log-prob passes, the rest: backward and the optimizer). Writes bench/results/trl_peers.json.
"""
import argparse, json, os, subprocess, sys, tempfile, time, warnings
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("apo", "trl_a2po", "grpo", "trl_grpo")


class Clock:
    "Seconds spent inside wrapped functions, by name (or by `name(*args)` when it is a function)."
    def __init__(self): self.seconds = defaultdict(float)
    def wrap(self, fn, name):
        def timed(*args, **kwargs):
            key = name(*args, **kwargs) if callable(name) else name
            t0 = time.perf_counter(); out = fn(*args, **kwargs)
            self.seconds[key] += time.perf_counter() - t0
            return out
        return timed


def held_out(model, tok, cfg) -> float:
    "The project's greedy held-out accuracy of `model` on the config's evaluation set."
    from tinyzero.data import eval_set_for
    from tinyzero.evaluate import evaluate, summarize
    recs = evaluate(model, tok, eval_set_for(cfg.data), cfg.data.shots, cfg.data.scheme, cfg.data.use_all_numbers,
                    cfg.eval.max_new_tokens, cfg.eval.batch_size)
    return summarize(recs)["eval_accuracy"]


def run_project(cfg, method: str) -> dict:
    "The project's Trainer; step parts timed by wrapping generation and the log-prob passes."
    import torch
    import tinyzero.trainer as tr
    from tinyzero.runlog import read_jsonl
    clock = Clock()
    tr.generate = clock.wrap(tr.generate, "generation")
    tr.logprobs_by_length = clock.wrap(tr.logprobs_by_length,
                                       lambda *a, **k: "policy log-probs" if torch.is_grad_enabled() else "reference log-probs")
    trainer = tr.Trainer(cfg)
    trainer.run()
    rows = read_jsonl(Path(cfg.output.dir) / "metrics.jsonl")
    evals, steps = [r for r in rows if "eval_accuracy" in r], [r for r in rows if "step_time" in r]
    return dict(vstar_s=sum(r.get("vstar_stage_seconds", 0) for r in rows), steps=len(steps),
                step_s=sum(r["step_time"] for r in steps) / len(steps), run_s=evals[-1]["train_seconds"],
                before=evals[0]["eval_accuracy"], after=evals[-1]["eval_accuracy"],
                parts={k: v / len(steps) for k, v in clock.seconds.items()})


def run_trl(cfg, method: str) -> dict:
    "TRL's A2POTrainer or GRPOTrainer on the same model, prompts, reward and hyperparameters."
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from tinyzero.data import problems_dataset
    from tinyzero.models import resolve_model
    from tinyzero.rewards import trl_reward
    d, t = cfg.data, cfg.training
    path = resolve_model(cfg.model.name_or_path)
    tok = AutoTokenizer.from_pretrained(path, padding_side="left")
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    before = held_out(model, tok, cfg)
    dataset = problems_dataset(d.tasks, list(d.curriculum), d.train_pool, "train", d.seed, d.shots, d.use_all_numbers)
    common = dict(output_dir=cfg.output.dir, max_steps=t.steps, learning_rate=t.lr, lr_scheduler_type="constant",
                  weight_decay=t.weight_decay, max_grad_norm=t.max_grad_norm, max_completion_length=t.max_new_tokens,
                  temperature=t.temperature, seed=t.seed, logging_steps=1, save_strategy="no", report_to="none",
                  use_cpu=True, bf16=False, gradient_checkpointing=False,   # the project does not checkpoint on the tiny model
                  disable_tqdm=True, dataloader_num_workers=0)
    if method == "trl_a2po":
        from trl.experimental.a2po import A2POConfig, A2POTrainer
        args = A2POConfig(**common, per_device_train_batch_size=t.prompts_per_step, num_value_samples=cfg.vstar.n_samples,
                          beta1=cfg.vstar.beta1, beta2=t.beta2, filter_all_incorrect=cfg.vstar.filter_all_wrong)
        trainer = A2POTrainer(model=model, reward_funcs=trl_reward(d.scheme, d.use_all_numbers), args=args,
                              train_dataset=dataset, processing_class=tok)
    else:
        from trl import GRPOConfig, GRPOTrainer
        # 64 prompts x K responses per step, through the loss 64 responses at a time (like the project's GRPO)
        args = GRPOConfig(**common, per_device_train_batch_size=t.micro_batch_size,
                          gradient_accumulation_steps=t.prompts_per_step * t.grpo_k // t.micro_batch_size,
                          num_generations=t.grpo_k, beta=t.grpo_beta, loss_type="grpo", scale_rewards="group")
        trainer = GRPOTrainer(model=model, reward_funcs=trl_reward(d.scheme, d.use_all_numbers), args=args,
                              train_dataset=dataset, processing_class=tok)
    clock, stamps = Clock(), []
    if method == "trl_a2po":    # stage 1 samples from the reference (a copy of the model): its generate is not wrapped
        trainer._estimate_optimal_values = clock.wrap(trainer._estimate_optimal_values, "vstar")
        model.generate = clock.wrap(model.generate, "generation")
        trainer._get_sequence_logps = clock.wrap(trainer._get_sequence_logps, lambda m, *a, **k:
                                                 "policy log-probs" if torch.is_grad_enabled() else "reference log-probs")
    class Stamp(TrainerCallback):
        def on_step_end(self, *a, **k): stamps.append(time.perf_counter())
    trainer.add_callback(Stamp())
    t0 = time.perf_counter(); trainer.train(); run_s = time.perf_counter() - t0
    vstar_s, n = clock.seconds.pop("vstar", 0.0), len(stamps)
    return dict(vstar_s=vstar_s, steps=n, step_s=(run_s - vstar_s) / n, run_s=run_s, before=before,
                after=held_out(trainer.model, tok, cfg), parts={k: v / n for k, v in clock.seconds.items()})


def one(method: str, args) -> dict:
    "Run `method` in this process."
    warnings.filterwarnings("ignore"); os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    import torch
    from tinyzero.config import load_config
    out = Path(args.out) / method
    cfg = load_config(args.config, {"training.steps": args.steps, "training.seed": args.seed, "eval.every": 1_000_000,
                                    "output.dir": str(out), "output.save_every": 1_000_000,
                                    "data.curriculum": {args.level: 1.0},
                                    "training.algo": "grpo" if method.endswith("grpo") else "apo"})
    torch.manual_seed(args.seed)
    return dict(method=method, **(run_trl(cfg, method) if method.startswith("trl_") else run_project(cfg, method)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default=str(ROOT / "configs" / "tiny.yaml"))
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--level", default="easy")
    ap.add_argument("--out", default=tempfile.mkdtemp(prefix="trl_peers_"))
    ap.add_argument("--only", help=argparse.SUPPRESS)      # internal: run one method here, print its JSON
    ap.add_argument("--no_copy", action="store_true", help="do not write bench/results/trl_peers.json")
    args = ap.parse_args()
    if args.only:
        print("RESULT " + json.dumps(one(args.only, args))); return
    from tinyzero.tiny import machine_name
    import trl
    print(f"machine: {machine_name()}; trl {trl.__version__}; {args.steps} steps; config {args.config} at {args.level}")
    results = []; Path(args.out).mkdir(parents=True, exist_ok=True)
    for method in args.methods:
        cmd = [sys.executable, __file__, "--only", method] + sum(([f"--{k}", str(getattr(args, k))] for k in
                                                                    ("config", "steps", "seed", "level", "out")), [])
        log_path = Path(args.out) / f"{method}.log"
        with open(log_path, "w") as log:
            p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(p.pid, 0)             # the child's own peak memory, from the kernel
        out = log_path.read_text(errors="replace")
        line = [l for l in out.splitlines() if l.startswith("RESULT ")]
        if os.waitstatus_to_exitcode(status) != 0 or not line: raise SystemExit(f"{method} failed:\n{out[-3000:]}")
        results.append(dict(json.loads(line[-1][7:]), peak_rss_mb=usage.ru_maxrss / 1024))
        print(f"{method}: " + ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in results[-1].items()
                                        if k != "parts"), flush=True)
    print("\n" + table(results))
    if not args.no_copy:
        dest = ROOT / "bench" / "results" / "trl_peers.json"; dest.parent.mkdir(exist_ok=True)
        tmp = dest.with_suffix(".tmp"); tmp.write_text(json.dumps(dict(machine=machine_name(), trl=trl.__version__,
                                                                         steps=args.steps, results=results), indent=1))
        os.replace(tmp, dest); print(f"wrote {dest}")


def table(results: list[dict]) -> str:
    "The results as a Markdown table, then where an A*-PO step's time goes."
    lines = ["| method | V* stage (s) | s/step | whole run (s) | peak memory (GiB) | held-out before | after |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['method']} | {r['vstar_s']:.1f} | {r['step_s']:.2f} | {r['run_s']:.1f} | "
                     f"{r['peak_rss_mb'] / 1024:.2f} | {100 * r['before']:.1f}% | {100 * r['after']:.1f}% |")
    lines += ["", "| method | generation | reference log-probs | policy log-probs (forward) | the rest (backward, optimizer, reward) |",
              "|---|---|---|---|---|"]
    for r in results:
        if not r["parts"]: continue
        p = r["parts"]; rest = r["step_s"] - sum(p.values())
        lines.append(f"| {r['method']} | {p.get('generation', 0):.2f} | {p.get('reference log-probs', 0):.2f} | "
                     f"{p.get('policy log-probs', 0):.2f} | {rest:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__": main()
