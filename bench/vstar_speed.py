"""The V* stage's generation speed against the policy's rollouts, on the shipped tiny base (multiplication, easy).

    python bench/vstar_speed.py           # about 20 seconds on 2 cores (figures in BENCHMARKS.md)

Both go through `tinyzero.generate.generate` (KV cache, finished rows leave the batch at `</answer>`, no gradients).
The V* stage samples the frozen reference 256 sequences at a time (`vstar.batch_size` in configs/tiny_mult.yaml);
a step's rollouts sample the float32 policy, 32 prompts x K responses at once. Prints generated tokens per second.
"""
import time
import torch
from tinyzero.config import load_config
from tinyzero.data import make_prompt, pools_for
from tinyzero.generate import address_seed, generate
from tinyzero.models import load_policy, resolve_model
from tinyzero.tiny import machine_name

cfg = load_config("configs/tiny_mult.yaml", {"data.train_pool": 64})
pool = [p for ps in pools_for(cfg.data).values() for p in ps]
policy = load_policy(resolve_model(cfg.model.name_or_path), device="cpu")
t = cfg.training
print(f"machine: {machine_name()}, torch threads {torch.get_num_threads()}")

def rate(model, prompts, batch, repeats=3):
    "Generated tokens per second, best of `repeats` (the first warms up)."
    best = 0.0
    for r in range(repeats):
        seeds = [address_seed("speed", r, i) for i in range(len(prompts))]
        t0 = time.perf_counter()
        g = generate(model, policy.tok, prompts, max_new_tokens=t.max_new_tokens, min_new_tokens=t.min_new_tokens,
                     temperature=t.temperature, seeds=seeds, batch_size=batch)
        best = max(best, int(g.response_mask.sum()) / (time.perf_counter() - t0))
    return best

with policy.reference() as ref:
    vstar = [make_prompt(p, cfg.data.shots) for p in pool for _ in range(cfg.vstar.n_samples)]   # 512 samples
    print(f"V* stage (reference, batch {cfg.vstar.batch_size}): {rate(ref, vstar, cfg.vstar.batch_size):,.0f} tokens/s")
for k in (1, 4, 8):
    prompts = [make_prompt(p, cfg.data.shots) for p in pool[:32] for _ in range(k)]
    print(f"rollouts (policy, 32 prompts x {k}): {rate(policy.model, prompts, None):,.0f} tokens/s")
