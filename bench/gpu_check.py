"""GPU check: one A*-PO step and one GRPO (K = 4) step on a Qwen2.5-3B-shaped model built from its config
(random weights, no download), policy and reference in bf16; prints step time and peak memory of each.

    python bench/gpu_check.py                 # on a CUDA machine: the real 3B shape
    python bench/gpu_check.py --small         # a shrunk shape, to check the script itself on a CPU
"""
import argparse, time
import torch
from transformers import Qwen2Config, Qwen2ForCausalLM
from tinyzero.apo import apo_loss, grpo_loss, group_advantages
from tinyzero.models import build_char_tokenizer, generate, sequence_logprobs

QWEN25_3B = dict(vocab_size=151936, hidden_size=2048, intermediate_size=11008, num_hidden_layers=36,
                 num_attention_heads=16, num_key_value_heads=2, max_position_embeddings=32768, rope_theta=1e6,
                 tie_word_embeddings=True)
SMALL = dict(QWEN25_3B, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
             num_key_value_heads=2)

ap = argparse.ArgumentParser()
ap.add_argument("--small", action="store_true")
ap.add_argument("--prompts", type=int, default=16)
ap.add_argument("--new_tokens", type=int, default=256)
args = ap.parse_args()
dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
dtype = torch.bfloat16 if dev.type == "cuda" else torch.float32
tok = build_char_tokenizer()                       # any tokenizer will do: the weights are random
cfg = Qwen2Config(**(SMALL if args.small else QWEN25_3B), pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)
policy = Qwen2ForCausalLM(cfg).to(dev, dtype)
ref = Qwen2ForCausalLM(cfg).to(dev, dtype).eval().requires_grad_(False)
ref.load_state_dict(policy.state_dict())
opt = torch.optim.AdamW(policy.parameters(), lr=1e-6)
print(f"device {dev} ({torch.cuda.get_device_name() if dev.type == 'cuda' else 'cpu'}), dtype {dtype}, "
      f"{sum(p.numel() for p in policy.parameters()) / 1e9:.2f} B parameters")

def step(algo: str, k: int):
    if dev.type == "cuda": torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    prompts = [f"Make {20 + i} from [5, 7, 4, 9].\n" for i in range(args.prompts) for _ in range(k)]
    g = generate(policy, tok, prompts, max_new_tokens=args.new_tokens, min_new_tokens=args.new_tokens, stop=())
    t_gen = time.perf_counter() - t0
    tl, lp = sequence_logprobs(policy, g.prompt_ids, g.prompt_mask, g.response_ids, g.response_mask)
    with torch.no_grad(): rtl, rlp = sequence_logprobs(ref, g.prompt_ids, g.prompt_mask, g.response_ids, g.response_mask)
    r = torch.rand(len(prompts), device=dev)
    if algo == "apo": loss = apo_loss(lp, rlp, r, torch.full_like(r, 0.3), 1e-3)
    else: loss = grpo_loss(tl, rtl, g.response_mask.to(tl.dtype), group_advantages(r, k), 0.04)
    loss.backward(); torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0); opt.step(); opt.zero_grad(set_to_none=True)
    if dev.type == "cuda": torch.cuda.synchronize()
    peak = torch.cuda.max_memory_allocated() / 2**30 if dev.type == "cuda" else float("nan")
    print(f"{algo:5} K={k}: {len(prompts)} sequences x {args.new_tokens} tokens, generate {t_gen:.1f} s, "
          f"step total {time.perf_counter() - t0:.1f} s, peak memory {peak:.1f} GiB")

step("apo", 1)
step("grpo", 4)
