"""The memory plan's items for one of N processes, measured on each process at Qwen2.5-3B's width (FSDP2, gloo).

    torchrun --standalone --nproc_per_node 2 bench/fsdp_memory.py        # notebook 28 runs it; within 15% each

Qwen2.5-3B's width at two layers (and a 512-token vocabulary: the embedding and head are one unit, planned apart),
sharded as notebook 28 shards a run: bf16 gathering, float32 reduction. On each process: the bytes of its shard of
the float32 weights, of the bf16 reference, of the gradients after a backward pass and of AdamW's moments after a
step, of the whole model while generation holds it gathered, and the activations saved per token and layer (the
difference of differences of one and two layers, two lengths). Rank 0 prints each next to the plan's item.
"""
import sys
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import torch
from transformers import Qwen2Config, Qwen2ForCausalLM
from tinyzero.distributed import shard, start_processes, stop_processes, unsharded
from tinyzero.memory import KNOWN_ARCHITECTURES, _sharded_weights, layer_activation_bytes, saved_bytes
from tinyzero.processes import all_gather, barrier, rank, world_size

start_processes()
n, a = world_size(), dict(KNOWN_ARCHITECTURES["Qwen/Qwen2.5-3B"], vocab_size=512)
local = lambda t: t.to_local() if hasattr(t, "to_local") else t
nbytes = lambda ts: sum(local(t).numel() * local(t).element_size() for t in ts)

def model(layers: int):
    torch.manual_seed(0)
    return Qwen2ForCausalLM(Qwen2Config(**dict(a, num_hidden_layers=layers))).train()

def per_token(layers: int, seq: int, batch: int=2) -> int:
    m = shard(model(layers), torch.bfloat16)
    ids = torch.randint(0, 500, (batch, seq))
    return saved_bytes(lambda: m(input_ids=ids, attention_mask=torch.ones_like(ids)))

policy = shard(model(2), torch.bfloat16)
reference = shard(model(2).to(torch.bfloat16).requires_grad_(False), torch.bfloat16)
ids = torch.randint(0, 500, (1, 8))
policy(input_ids=ids).logits.float().sum().backward()
opt = torch.optim.AdamW(policy.parameters())
opt.step()
with unsharded(policy) as whole: gathered = nbytes(whole.parameters())
measured = {"policy weights": nbytes(policy.parameters()), "AdamW moments": nbytes(
                t for s in opt.state.values() for k, t in s.items() if k in ("exp_avg", "exp_avg_sq")),
            "reference weights": nbytes(reference.parameters()),
            "gradients": nbytes(p.grad for p in policy.parameters()), "the generation copy": gathered}
act = ((per_token(2, 128) - per_token(1, 128)) - (per_token(2, 64) - per_token(1, 64))) / (2 * 64)
items = _sharded_weights(dict(a, num_hidden_layers=2), 2, n)
planned = lambda k: next(b for _, name, b in items if name.startswith(k))      # the plan's item of that name
rows = [(k, v, planned(k)) for k, v in measured.items()] + [
    ("activations per token and layer", act, layer_activation_bytes(a, 2, False, None, gathered=True))]
every = all_gather(rows)
if rank() == 0:
    print(f"Qwen2.5-3B width, 2 layers, {n} processes (gloo): measured on each process, against the plan")
    print(f"| item | {' | '.join(f'rank {r}' for r in range(n))} | planned | ratio |")
    print("|---" * (n + 3) + "|")
    worst = 0.0
    for i, (name, _, want) in enumerate(rows):
        got = [every[r][i][1] for r in range(n)]
        ratio = max(g / want for g in got)
        worst = max(worst, abs(ratio - 1))
        fmt = (lambda b: f"{b / 2**20:.1f} MiB") if want > 1e6 else (lambda b: f"{b / 1024:.1f} KiB")
        print(f"| {name} | {' | '.join(fmt(g) for g in got)} | {fmt(want)} | {ratio:.3f} |")
    print(f"largest difference: {100 * worst:.1f}%")
    assert worst <= 0.15, worst
barrier()          # neither process tears its group down while the other still works
stop_processes()
