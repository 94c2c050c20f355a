"""The one script to run when a GPU is lent: the CUDA path of the real run, measured against the memory plan.

    python bench/gpu_check.py              # on a GPU: Qwen2.5-3B's shape, random weights built on the GPU (no download)
    python bench/gpu_check.py --small      # the same code on a CPU with a shrunk shape (a slow test runs it)
    python bench/gpu_check.py --lora       # configs/qwen2.5-3b-lora.yaml: adapters over a bf16 base, capped to 24 GiB
    torchrun --standalone --nproc_per_node 1 bench/gpu_check.py --fsdp   # FSDP2 at N = 1 (any N: the plan per GPU)

A Qwen2.5-3B-shaped model is built from its config (float32 policy, bf16 reference, as a run holds them) and handed
to `Trainer`; then one training step runs through the trainer's own methods at configs/qwen2.5-3b.yaml's shapes
(every response forced to max_new_tokens): `rollouts` (all the step's prompts generated together), scoring, `update`
(the loss over micro-batches, AdamW). Once with gradient checkpointing and once without, on a card capped to 80 GiB
(`torch.cuda.set_per_process_memory_fraction`) when it is larger, each case guarded against out-of-memory. Prints a
table: step seconds, generation tokens/s at batch 32 and at the step's batch, peak GiB next to the plan's prediction.
`--lora` builds the LoRA policy of the config's `lora` section instead (the reference is its base); `--fsdp` shards
policy and reference with FSDP2 over torchrun's processes, as `python -m tinyzero.train` does under torchrun (at
N = 1 too, where a plain run would not shard). Rank 0 prints.
"""
import argparse, copy, gc, os, sys, tempfile, time
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))                      # runs from a checkout without PYTHONPATH
if "--small" in sys.argv: os.environ["CUDA_VISIBLE_DEVICES"] = ""   # the CPU, and gloo, even on a GPU machine
import torch
from transformers import Qwen2Config, Qwen2ForCausalLM
import tinyzero.step
from tinyzero.config import load_config
from tinyzero.distributed import ShardedPolicy, start_processes, stop_processes
from tinyzero.lora import LoraPolicy, peft_config
from tinyzero.memory import GIB, KNOWN_ARCHITECTURES, plan
from tinyzero.generate import address_seed
from tinyzero.models import Policy, build_char_tokenizer, freeze, no_dropout, pick_dtype
from tinyzero.processes import rank, world_size
from tinyzero.trainer import Trainer

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--small", action="store_true", help="a shrunk shape on the CPU, to check the script itself")
ap.add_argument("--lora", action="store_true", help="LoRA adapters (default config qwen2.5-3b-lora.yaml, 24 GiB)")
ap.add_argument("--fsdp", action="store_true", help="FSDP2 over torchrun's processes, at N = 1 too")
ap.add_argument("--config", help="default: configs/qwen2.5-3b.yaml, or qwen2.5-3b-lora.yaml with --lora")
ap.add_argument("--cap_gib", type=float, help="cap the card to this much memory (default 80, or 24 with --lora)")
args = ap.parse_args()
args.config = args.config or str(ROOT / "configs" / f"qwen2.5-3b{'-lora' if args.lora else ''}.yaml")
args.cap_gib = args.cap_gib or (24.0 if args.lora else 80.0)
if args.lora and args.fsdp: sys.exit("--lora and --fsdp: adapters run on one process")
start_processes()                                   # under torchrun: join its group; plain python: none
if world_size() > 1 and not args.fsdp: sys.exit("under torchrun with N > 1, pass --fsdp (else N whole copies)")
say = print if rank() == 0 else (lambda *a, **k: None)

cuda = torch.cuda.is_available()
arch = dict(KNOWN_ARCHITECTURES["Qwen/Qwen2.5-3B"])
over = {"output.dir": tempfile.mkdtemp(), "vstar.mode": "lazy"}
if args.small:
    arch.update(hidden_size=64, intermediate_size=256, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2)
    over.update({"training.prompts_per_step": 8, "training.micro_batch_size": 4,
                 "training.generation_batch_size": 8, "training.max_new_tokens": 24, "model.device": "cpu"})
cfg = load_config(args.config, over)
over["training.min_new_tokens"] = cfg.training.max_new_tokens           # every response as long as the config allows
cfg = load_config(args.config, over)
tok = build_char_tokenizer()                                             # the weights are random: any tokenizer will do,
tok.add_tokens([f"<unused{i}>" for i in range(arch["vocab_size"] - len(tok))])   # with the real vocabulary's size
dev = torch.device(f"cuda:{torch.cuda.current_device()}" if cuda and not args.small else "cpu")
compute = pick_dtype(cfg.model.dtype, dev)
if dev.type == "cuda":
    total = torch.cuda.get_device_properties(0).total_memory / GIB
    if total > args.cap_gib: torch.cuda.set_per_process_memory_fraction(args.cap_gib / total)
    say(f"device: {torch.cuda.get_device_name()} ({total:.0f} GiB, capped to {min(total, args.cap_gib):.0f} GiB)")
else: say(f"device: cpu ({'--small' if args.small else 'no GPU: use --small'})")
mode = "LoRA" if args.lora else f"FSDP2 over {world_size()} process(es)" if args.fsdp else "full, one process"
say(f"{mode}; shape: hidden {arch['hidden_size']}, {arch['num_hidden_layers']} layers, vocabulary {arch['vocab_size']}; "
      f"compute {compute}; step: {cfg.training.prompts_per_step} prompts x {cfg.training.max_new_tokens} "
      f"new tokens, loss micro-batches of {cfg.training.micro_batch_size}")
tinyzero.step.require_fit = lambda cfg: None     # measure both cases, even the one the plan says will not fit

def models():
    "The run's policy on the device: float32 weights and a reference in the compute dtype, or adapters, or shards."
    torch.manual_seed(0)
    with torch.device(dev):
        model = Qwen2ForCausalLM(Qwen2Config(**arch, pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id))
    if args.lora:                                   # a frozen base in the compute dtype, float32 adapters
        import peft
        lora = peft.get_peft_model(no_dropout(model.to(compute)), peft_config(cfg.lora)).train()
        return LoraPolicy(lora, tok, compute)
    policy = Policy(no_dropout(model).train(), tok, compute, freeze(copy.deepcopy(model).to(compute)))
    return ShardedPolicy(policy) if args.fsdp else policy

def sync():
    if dev.type == "cuda": torch.cuda.synchronize()

def tokens_per_s(trainer, problems):
    rows = trainer.rows(problems, [0.3] * len(problems))      # this process's share, as in a step
    sync(); t = time.perf_counter(); _, gen = trainer.rollouts(rows, 0); sync()
    return gen, rows, int(gen.response_mask.sum()) / (time.perf_counter() - t), time.perf_counter() - t

rows = []
for ckpt in (True, False):
    c = load_config(args.config, {**over, "training.gradient_checkpointing": ckpt})
    trainer = None
    try:
        if dev.type == "cuda": torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()
        trainer = Trainer(c, policy=models())
        problems = trainer.draw_problems(0)
        _, _, tps32, _ = tokens_per_s(trainer, problems[:32])
        gen, share, tps, t_gen = tokens_per_s(trainer, problems)
        prompt_len = int(gen.prompt_mask.sum(-1).max())
        rewards = torch.rand(len(gen.texts), device=dev); vstar = torch.full_like(rewards, 0.3)
        sync(); t = time.perf_counter()
        loss = trainer.update(gen, (rewards, vstar, rewards - vstar), share)["loss"]; sync()
        t_update = time.perf_counter() - t
        peak = torch.cuda.max_memory_allocated() / GIB if dev.type == "cuda" else float("nan")
        p = plan(c, args.cap_gib, "cap", prompt_len=prompt_len, arch=arch, processes=world_size())
        rows.append((ckpt, f"{t_gen + t_update:.1f}", f"{t_gen:.1f}", f"{t_update:.1f}", f"{tps32:,.0f}", f"{tps:,.0f}",
                     f"{peak:.1f}", f"{p.peak / GIB:.1f}", f"loss {loss:.4f}"))
    except torch.OutOfMemoryError:
        if world_size() > 1: raise                  # the other processes wait in a collective: end them all
        p = plan(c, args.cap_gib, "cap", arch=arch, processes=world_size())
        rows.append((ckpt, "-", "-", "-", "-", "-", f"> {args.cap_gib:.0f}", f"{p.peak / GIB:.1f}", "out of memory"))
    finally:
        del trainer; gc.collect()
        if dev.type == "cuda": torch.cuda.empty_cache()

head = ("checkpointing", "step s", "generate s", "update s", "tok/s @32", "tok/s @step", "peak GiB", "plan GiB", "")
say("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
for r in rows: say("| " + " | ".join(str(x) for x in r) + " |")
stop_processes()
