__version__ = "0.1.0"

import multiprocessing as _mp, os as _os
if _os.environ.get("IN_TEST") and _mp.parent_process() is not None:
    # `nbdev_test` runs the notebooks in one process per core: one torch thread each, or their threads
    # fight for the cores (the notebooks' default cells on 2 cores: 13 min 17 s with 2 threads each,
    # 3 min 50 s with 1; BENCHMARKS.md)
    import torch as _torch
    _torch.set_num_threads(1)
