"""Several processes, tested by running them: torchrun on this CPU with gloo, compared with one process."""
import os, shutil, socket, subprocess, sys
from pathlib import Path
import pytest, torch
from tinyzero.runlog import checkpoints, read_jsonl

ROOT = Path(__file__).resolve().parent.parent
TIMINGS = ("step_time", "train_seconds", "vstar_stage_seconds")
DEBUG = ["--config", "configs/tiny.yaml", "--debug", "output.log_samples=1000", "output.save_every=2",
         "output.keep_last=10"]


def torchrun(*args, nproc=2, extra=(), env=None, timeout=600):
    "`torchrun --standalone --nproc_per_node N ARGS` from the project root; the finished process."
    cmd = [sys.executable, "-m", "torch.distributed.run", *extra]
    if not any(a.startswith("--nnodes") for a in extra): cmd += ["--standalone"]
    cmd += ["--nproc_per_node", str(nproc), *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def train(*args, timeout=600):
    "`python -m tinyzero.train ARGS`, one process."
    return subprocess.run([sys.executable, "-m", "tinyzero.train", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def close(a, b, rel=1e-4):
    "Two metrics rows alike: the same keys, ints and strings equal, floats within `rel` (summed in another order)."
    if a.keys() != b.keys(): return False
    for k in a:
        if k in TIMINGS: continue
        x, y = a[k], b[k]
        if isinstance(x, float) and isinstance(y, float):
            if abs(x - y) > rel * max(abs(x), abs(y), 1e-6): return False
        elif x != y: return False
    return True


@pytest.fixture(scope="module")
def one_and_two(tmp_path_factory):
    "The same debug run of configs/tiny.yaml on one process and on two."
    base = tmp_path_factory.mktemp("runs")
    r1 = train(*DEBUG, "--output_dir", str(base / "one"))
    assert r1.returncode == 0, r1.stderr[-3000:]
    r2 = torchrun("-m", "tinyzero.train", *DEBUG, "--output_dir", str(base / "two"))
    assert r2.returncode == 0, r2.stderr[-3000:]
    return base


def test_two_processes_draw_the_responses_of_one(one_and_two):
    one, two = (read_jsonl(one_and_two / d / "samples.jsonl") for d in ("one", "two"))
    early = lambda rows: [(s["step"], s["index"], s["prompt"], s["response"]) for s in rows if s["step"] <= 2]
    assert {s[0] for s in early(one)} == {0, 1, 2} and early(one) == early(two)   # every response of steps 0-2


def test_two_processes_end_with_the_figures_of_one(one_and_two):
    one, two = (read_jsonl(one_and_two / d / "metrics.jsonl") for d in ("one", "two"))
    assert len(one) == len(two) and all(close(a, b) for a, b in zip(one, two)), (one, two)
    logs = [(one_and_two / d / "training.log").read_text() for d in ("one", "two")]
    assert [log.count("step 0: step=0") for log in logs] == [1, 1]    # one writer: each line once
    names = lambda d: sorted(str(p.relative_to(one_and_two / d)) for p in (one_and_two / d).rglob("*")
                             if p.parent.name != "optimizer")    # there, each process writes its part
    assert names("one") == names("two")


def test_step_zero_loss_and_gradient_agree(tmp_path):
    over = ["training.prompts_per_step=8", "training.micro_batch_size=3", "vstar.n_samples=2",
            "data.train_pool=8", "data.eval_per_difficulty=1", "training.max_new_tokens=48"]
    r = subprocess.run([sys.executable, "tests/helpers/step0_gradient.py", str(tmp_path / "one.pt"), *over],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    r = torchrun("tests/helpers/step0_gradient.py", str(tmp_path / "two.pt"), *over)
    assert r.returncode == 0, r.stderr[-3000:]
    one, two = torch.load(tmp_path / "one.pt"), torch.load(tmp_path / "two.pt")
    assert abs(one["loss"] - two["loss"]) <= 1e-5 * abs(one["loss"]) and one["loss"] > 0
    g1 = torch.cat([one["grads"][k].flatten() for k in sorted(one["grads"])])
    g2 = torch.cat([two["grads"][k].flatten() for k in sorted(one["grads"])])
    assert g1.norm() > 0 and (g1 - g2).norm() <= 1e-5 * g1.norm(), float((g1 - g2).norm() / g1.norm())


@pytest.mark.parametrize("written_by,resumed_by", [(2, 1), (1, 2)])
def test_resume_from_a_checkpoint_of_another_number_of_processes(one_and_two, tmp_path, written_by, resumed_by):
    src = one_and_two / ("one" if written_by == 1 else "two")
    out = tmp_path / "resumed"
    shutil.copytree(src, out)
    args = [*DEBUG, "--output_dir", str(out), "--resume", str(out / "checkpoints" / "step_2")]
    r = train(*args) if resumed_by == 1 else torchrun("-m", "tinyzero.train", *args)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "resumed at step 2" in r.stderr
    resumed, whole = read_jsonl(out / "metrics.jsonl"), read_jsonl(one_and_two / "one" / "metrics.jsonl")
    assert len(resumed) == len(whole) and all(close(a, b) for a, b in zip(resumed, whole))


def test_a_killed_process_restarts_the_group_which_finishes_the_run(one_and_two, tmp_path):
    out = tmp_path / "killed"
    env = dict(FAULT="kill", FAULT_RANK="1", FAULT_STEP="3")
    r = torchrun("tests/helpers/faulty_train.py", *DEBUG, "--output_dir", str(out), extra=["--max-restarts", "1"],
                 env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "torchrun restart 1: going on from the newest checkpoint" in r.stderr
    assert "resumed at step 2" in r.stderr
    killed, whole = read_jsonl(out / "metrics.jsonl"), read_jsonl(one_and_two / "two" / "metrics.jsonl")
    assert len(killed) == len(whole) and all(close(a, b) for a, b in zip(killed, whole))


def test_a_silent_peer_ends_the_run_with_a_message_not_a_hang(tmp_path):
    env = dict(FAULT="hang", FAULT_RANK="1", FAULT_STEP="1", TINYZERO_COLLECTIVE_TIMEOUT_S="20")
    r = torchrun("tests/helpers/faulty_train.py", *DEBUG, "--output_dir", str(tmp_path / "hung"), env=env,
                 timeout=300)
    assert r.returncode != 0
    assert "a process of the group stopped answering" in r.stderr, r.stderr[-3000:]


def test_a_config_error_ends_every_process_with_one_message(tmp_path):
    r = torchrun("-m", "tinyzero.train", "--config", "configs/tiny.yaml", "training.lrr=1",
                 "--output_dir", str(tmp_path / "bad"), timeout=300)
    assert r.returncode != 0
    assert r.stderr.count("config error: unknown key training.lrr") == 1, r.stderr[-3000:]
    assert not (tmp_path / "bad").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_nodes_run_the_job_of_one_node_with_two_processes(one_and_two, tmp_path):
    port, out = _free_port(), tmp_path / "nodes"
    launch = lambda node: subprocess.Popen(
        [sys.executable, "-m", "torch.distributed.run", "--nnodes", "2", "--node_rank", str(node),
         "--nproc_per_node", "1", "--master_addr", "127.0.0.1", "--master_port", str(port),
         "-m", "tinyzero.train", *DEBUG, "--output_dir", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    nodes = [launch(0), launch(1)]
    outs = [p.communicate(timeout=600) for p in nodes]
    assert all(p.returncode == 0 for p in nodes), [o[1][-2000:] for o in outs]
    nodes_rows, two = read_jsonl(out / "metrics.jsonl"), read_jsonl(one_and_two / "two" / "metrics.jsonl")
    assert len(nodes_rows) == len(two) and all(close(a, b) for a, b in zip(nodes_rows, two))
    assert [s for s, _ in checkpoints(out)] == [2, 4, 6]
