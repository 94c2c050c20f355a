"""Peak process memory of the response log-probs, naive `log_softmax().gather()` against the chunked logsumexp,
at Qwen2.5-3B's output layer (hidden 2048, vocabulary 151,936), forward and backward, bf16 autocast on the CPU.

    python bench/logprob_memory.py [--tokens 8192]

Each way runs in a fresh process; the figure is the growth of its peak resident memory (ru_maxrss) over the
baseline after the inputs are built. BENCHMARKS.md has the result.
"""
import argparse, platform, subprocess, sys
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import resource, sys, torch
sys.path.insert(0, {root!r})
from tinyzero.generate import chunked_logprobs
torch.manual_seed(0)
head = torch.nn.Linear(2048, 151936, bias=False)
hidden = torch.randn({n}, 2048, requires_grad=True); y = torch.randint(0, 151936, ({n},))
def naive():
    with torch.autocast("cpu", dtype=torch.bfloat16): logits = head(hidden)
    return torch.log_softmax(logits.float(), -1).gather(-1, y[:, None])[:, 0]
def chunked():
    with torch.autocast("cpu", dtype=torch.bfloat16): return chunked_logprobs(head, hidden, y)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
{way}().sum().backward()
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 2**20)
"""

ap = argparse.ArgumentParser()
ap.add_argument("--tokens", type=int, default=8192)     # 16 responses of 512 tokens: one loss micro-batch of the 3B config
args = ap.parse_args()
res = {}
for way in ("naive", "chunked"):
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), n=args.tokens, way=way)],
                         capture_output=True, text=True, check=True).stdout
    res[way] = float(out.strip().splitlines()[-1])
print(f"machine: {platform.machine()}, {args.tokens} response tokens, vocabulary 151,936, hidden 2048")
for way, gib in res.items(): print(f"{way:8} peak memory growth {gib:.2f} GiB")
print(f"chunked / naive: {res['chunked'] / res['naive']:.2f}")
