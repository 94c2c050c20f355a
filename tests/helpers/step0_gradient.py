"""Step 0 of a config on this process group: its loss and its whole gradient, saved by rank 0 (tests/test_distributed.py).

    python tests/helpers/step0_gradient.py OUT.pt [key=value ...]          # one process
    torchrun --nproc_per_node 2 tests/helpers/step0_gradient.py OUT.pt ...  # the same step on two
"""
import sys, tempfile
import torch
from tinyzero.config import load_config, parse_overrides
from tinyzero.distributed import start_processes, stop_processes
from tinyzero.processes import rank
from tinyzero.run_step import RunStepper

start_processes()
over = {"output.dir": tempfile.mkdtemp(), **parse_overrides(sys.argv[2:])}
st = RunStepper(load_config("configs/tiny.yaml", over))
seen = {}
def capture():
    "Instead of AdamW's step: keep every gradient, whole (a shard's DTensor gathered)."
    for name, p in st.policy.model.named_parameters():
        g = p.grad.full_tensor() if hasattr(p.grad, "full_tensor") else p.grad
        seen[name] = g.detach().clone()
st.opt.step = capture
row = st.train_step(0)
if rank() == 0: torch.save(dict(loss=row["loss"], grads=seen), sys.argv[1])
stop_processes()
