"""Where the seconds of one laptop training step go, and what scoring by length saves, side by side in one run.

    python bench/step_time.py [--config configs/tiny.yaml]

One step of the config's prompts (step 0's problems, the shipped tiny base model): generation, the reference's
log-prob pass, and the policy's forward and backward pass scored in one padded batch against length-sorted buckets
of 16 and 8 (`logprobs_by_length`), with the largest difference between the two ways. BENCHMARKS.md has the figures.
"""
import argparse, sys, tempfile, time
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import torch
from tinyzero.config import load_config
from tinyzero.generate import logprobs_by_length
from tinyzero.tiny import machine_name
from tinyzero.trainer import Trainer

ap = argparse.ArgumentParser()
ap.add_argument("--config", default=str(ROOT / "configs" / "tiny.yaml"))
args = ap.parse_args()
tr = Trainer(load_config(args.config, {"output.dir": tempfile.mkdtemp(), "vstar.mode": "lazy"}))
problems = tr.draw_problems(0)

def timed(f):
    t = time.perf_counter(); out = f(); return out, time.perf_counter() - t

rows = tr.rows(problems, [0.0] * len(problems))
(_, gen), t_gen = timed(lambda: tr.rollouts(rows, 0))
with torch.no_grad(): _, t_ref = timed(lambda: logprobs_by_length(tr.policy.ref, gen, len(problems)))

def policy_pass(bucket: int) -> torch.Tensor:
    "Forward and backward of the policy's log-probs, `bucket` responses at a time."
    tl = logprobs_by_length(tr.policy.model, gen, bucket)
    tl.sum().backward()
    tr.policy.model.zero_grad(set_to_none=True)
    return tl.detach()

rows = {}
for bucket in (len(problems), 16, 8): rows[bucket] = timed(lambda: policy_pass(bucket))[::-1]
print(f"machine: {machine_name()}, {torch.get_num_threads()} threads, torch {torch.__version__}")
print(f"{len(problems)} prompts: generation {t_gen:.2f} s ({int(gen.response_mask.sum())} tokens, responses "
      f"{min(gen.lengths)}-{max(gen.lengths)} tokens); reference log-probs, one batch: {t_ref:.2f} s")
whole = rows[len(problems)][1]
for bucket, (t, tl) in rows.items():
    print(f"policy forward + backward, buckets of {bucket:3}: {t:.2f} s  (max difference {float((tl - whole).abs().max()):.1e})")
