"""The real run's precision and memory path, on the CPU: float32 master weights that move at lr 1e-6 under bf16
compute, checkpoints that keep them, and the GPU check's --small mode."""
import subprocess, sys
import pytest
from pathlib import Path
import torch
from transformers import AutoModelForCausalLM
from tinyzero.config import load_config
from tinyzero.trainer import Trainer

ROOT = Path(__file__).resolve().parent.parent


def test_bf16_compute_policy_moves_at_the_paper_lr(tmp_path):
    cfg = load_config(ROOT / "configs/debug.yaml", {"output.dir": str(tmp_path), "model.dtype": "bfloat16",
                                                     "training.algo": "weighted", "training.lr": 1e-6, "training.steps": 3,
                                                     "training.gradient_checkpointing": True, "eval.every": 100})
    tr = Trainer(cfg)
    assert {p.dtype for p in tr.policy.model.parameters()} == {torch.float32}
    assert {p.dtype for p in tr.policy.ref.parameters()} == {torch.bfloat16}
    before = {n: p.detach().clone() for n, p in tr.policy.model.named_parameters() if "embed" not in n}
    tr.run()
    changed = sum(int((p.detach() != before[n]).sum()) for n, p in tr.policy.model.named_parameters() if n in before)
    total = sum(t.numel() for t in before.values())
    assert changed / total > 0.5, f"only {changed / total:.1%} of the non-embedding weights moved"
    ck = AutoModelForCausalLM.from_pretrained(tmp_path / "checkpoints" / "step_3")
    assert ck.model.layers[0].mlp.up_proj.weight.dtype == torch.float32          # float32 master weights, exactly
    assert torch.equal(ck.model.layers[0].mlp.up_proj.weight, tr.policy.model.model.layers[0].mlp.up_proj.weight.detach())
    best = AutoModelForCausalLM.from_pretrained(tmp_path / "best", dtype="auto")
    assert best.model.layers[0].mlp.up_proj.weight.dtype == torch.bfloat16       # best/ in the compute dtype


@pytest.mark.parametrize("mode", [[], ["--lora"], ["torchrun", "--fsdp"]], ids=["full", "lora", "fsdp"])
def test_gpu_check_small_runs_the_trainer_path(mode):
    "The GPU script's three modes, shrunk, on the CPU: full, LoRA, and FSDP2 under torchrun with one process."
    launch = [sys.executable]
    if mode[:1] == ["torchrun"]: launch += ["-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "1"]
    flags = [m for m in mode if m.startswith("--")]
    r = subprocess.run([*launch, "bench/gpu_check.py", "--small", *flags], capture_output=True, text=True, cwd=ROOT,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = [l for l in r.stdout.splitlines() if l.startswith("| True") or l.startswith("| False")]
    assert len(rows) == 2 and all("loss" in l for l in rows), r.stdout
    assert ("LoRA" if "--lora" in mode else "FSDP2 over 1" if "--fsdp" in mode else "full, one") in r.stdout
