"""Time the V* stage cold (empty cache) and warm (second run, all hits) side by side; print the ratio.

    python bench/vstar_cache.py [--prompts 64] [--n 8]
"""
import argparse, platform, random, tempfile, time
from pathlib import Path
import torch
from tinyzero.data import make_problem
from tinyzero.models import make_tiny_model, load_policy
from tinyzero.vstar import Sampling
from tinyzero.vstar_cache import RunVStar, VStarCache, model_fingerprint

ap = argparse.ArgumentParser()
ap.add_argument("--prompts", type=int, default=64)
ap.add_argument("--n", type=int, default=8)
ap.add_argument("--max_new_tokens", type=int, default=48)
args = ap.parse_args()

tmp = Path(tempfile.mkdtemp())
make_tiny_model(tmp / "tiny", hidden=128, layers=4)
pol = load_policy(str(tmp / "tiny"), device="cpu")
tok = pol.tok
rng = random.Random(0)
problems = [make_problem(t, "easy", rng) for t in ("multiplication", "countdown") for _ in range(args.prompts // 2)]
mid = model_fingerprint(str(tmp / "tiny"))

def run():
    vs = RunVStar(pol.reference, tok, Sampling(shots=0, max_new_tokens=args.max_new_tokens), n_samples=args.n,
                  batch_size=64, cache=VStarCache(tmp / "cache.sqlite"), model_id=mid)
    t = time.perf_counter(); values = vs.values(problems)[0]; dt = time.perf_counter() - t
    return dt, values, vs

cold, v1, vs1 = run()
warm, v2, vs2 = run()
assert v1 == v2, "warm run must return the cold run's values"
print(f"machine: {platform.processor() or platform.machine()}, {torch.get_num_threads()} threads, torch {torch.__version__}")
print(f"prompts={len(problems)} N={args.n} max_new_tokens={args.max_new_tokens} "
      f"(reference samples drawn cold: {len(problems) * args.n}, tokens {vs1.generated})")
print(f"cold {cold:.3f} s  (hit rate {vs1.cache.hit_rate:.2f})")
print(f"warm {warm:.4f} s  (hit rate {vs2.cache.hit_rate:.2f}, tokens generated {vs2.generated})")
print(f"speedup warm vs cold: {cold / warm:.0f}x")
