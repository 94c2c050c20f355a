"""`python -m tinyzero.train` with a fault (tests/test_distributed.py): under torchrun, rank FAULT_RANK dies (kill) or
goes silent (hang) at step FAULT_STEP of the first attempt; a restarted attempt runs clean.

    FAULT=kill FAULT_RANK=1 FAULT_STEP=3 torchrun --max-restarts 1 ... tests/helpers/faulty_train.py --config ...
"""
import os, signal, sys, time
from tinyzero.step import Stepper
from tinyzero.train import main

real_step = Stepper.train_step
def faulty(self, step):
    first_attempt = int(os.environ.get("TORCHELASTIC_RESTART_COUNT", 0)) == 0
    if first_attempt and step == int(os.environ["FAULT_STEP"]) and os.environ["RANK"] == os.environ["FAULT_RANK"]:
        if os.environ["FAULT"] == "kill": os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(3600)                                   # "hang": a peer that stops answering
    return real_step(self, step)
Stepper.train_step = faulty
sys.exit(main())
