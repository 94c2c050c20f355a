"""`python -m tinyzero.train` as a user runs it: outputs, errors, kill and resume."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest, torch, yaml
from transformers import AutoModelForCausalLM, AutoTokenizer
from tinyzero.config import load_config
from tinyzero.runlog import read_jsonl
from tinyzero.step import Stepper, TrainingError
from tinyzero.trainer import Trainer

ROOT = Path(__file__).resolve().parent.parent


def run(*args, **kw):
    return subprocess.run([sys.executable, "-m", "tinyzero.train", *args], capture_output=True, text=True,
                          cwd=ROOT, env=os.environ.copy(), timeout=600, **kw)


def test_help():
    r = run("--help")
    assert r.returncode == 0 and "--config" in r.stdout and "--resume" in r.stdout


def test_debug_config_end_to_end(tmp_path):
    r = run("--config", "configs/debug.yaml", "--output_dir", str(tmp_path))
    assert r.returncode == 0, r.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert r.stdout.startswith("done: 8 steps of apo")
    assert summary["steps"] == 8
    for f in ["config.yaml", "training.log", "metrics.jsonl", "samples.jsonl", "vstar_cache.sqlite",
              "plots/reward.png", "plots/accuracy.png", "plots/accuracy_by_level.png", "plots/loss.png", "plots/kl.png",
              "plots/log_ratio.png", "plots/length.png",
              "checkpoints/step_8/trainer_state.pt", "best/config.json"]:
        assert (tmp_path / f).exists(), f
    assert load_config(tmp_path / "config.yaml").training.steps == 8          # the resolved config reads back
    for d in ["checkpoints/step_8", "best"]:
        m = AutoModelForCausalLM.from_pretrained(tmp_path / d); AutoTokenizer.from_pretrained(tmp_path / d)
        assert m.config.model_type == "qwen2"
    rows = read_jsonl(tmp_path / "metrics.jsonl")
    assert [r["step"] for r in rows if "eval_accuracy" in r] == [0, 4, 8]
    train = [r for r in rows if "loss" in r]
    assert len(train) == 8 and all(k in train[0] for k in ["reward", "reward_std", "loss", "kl", "log_ratio", "v_star", "advantage",
                                                           "completions/mean_length", "vstar_cache_hit_rate"])


@pytest.mark.parametrize("body,key", [("training:\n  no_such_key: 1\n", "training.no_such_key"),
                                      ("training:\n  steps: ten\n", "training.steps"),
                                      ("training:\n  algo: ppo\n", "training.algo"),
                                      ("model: [1, 2]\n", "model"),
                                      ("training: {lr: -1}\n", "training.lr"),
                                      ("training: [unclosed\n", "not valid YAML")])
def test_bad_config_names_the_key(tmp_path, body, key):
    f = tmp_path / "bad.yaml"; f.write_text(body)
    r = run("--config", str(f), "--output_dir", str(tmp_path / "out"))
    assert r.returncode == 2 and key in r.stderr, r.stderr
    assert not (tmp_path / "out" / "metrics.jsonl").exists()


def test_missing_and_corrupt_checkpoints(tmp_path):
    r = run("--config", "configs/debug.yaml", "--resume", str(tmp_path / "missing"))
    assert r.returncode == 2 and "checkpoint not found" in r.stderr
    ck = tmp_path / "ck"; ck.mkdir(); (ck / "config.json").write_text("{}"); (ck / "trainer_state.pt").write_bytes(b"\0" * 10)
    r = run("--config", "configs/debug.yaml", "--resume", str(ck))
    assert r.returncode == 2 and "corrupt" in r.stderr


def test_nonfinite_losses_stop_the_run(tmp_path, monkeypatch):
    cfg = load_config(ROOT / "configs/debug.yaml", {"output.dir": str(tmp_path), "training.max_nonfinite": 2})
    tr = Trainer(cfg)
    real = Stepper.micro_loss
    monkeypatch.setattr(Stepper, "micro_loss", lambda self, *a: (real(self, *a)[0] * float("nan"), real(self, *a)[1]))
    before = [p.detach().clone() for p in tr.policy.trainable()]
    with pytest.raises(TrainingError, match="2 non-finite losses in a row"): tr.run()
    assert all(torch.equal(a, b) for a, b in zip(before, tr.policy.trainable()))     # no step was taken
    rows = read_jsonl(tmp_path / "metrics.jsonl")
    assert [r["step"] for r in rows if r.get("nonfinite")] == [0, 1]
    assert "non-finite loss" in (tmp_path / "training.log").read_text()


def test_killed_run_resumes_from_latest_checkpoint(tmp_path):
    cfg = yaml.safe_load((ROOT / "configs/debug.yaml").read_text())
    cfg["training"].update(algo="weighted", steps=10, lr=1e-3)
    cfg["output"].update(save_every=2)
    f = tmp_path / "c.yaml"; f.write_text(yaml.safe_dump(cfg))
    full = run("--config", str(f), "--output_dir", str(tmp_path / "full"))
    assert full.returncode == 0, full.stderr
    out = tmp_path / "killed"
    p = subprocess.Popen([sys.executable, "-m", "tinyzero.train", "--config", str(f), "--output_dir", str(out)],
                         cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while not (out / "checkpoints" / "step_4").exists() and time.time() < deadline: time.sleep(0.05)
    p.send_signal(signal.SIGKILL); p.wait()
    r = run("--config", str(f), "--output_dir", str(out), "--resume", "auto")
    assert r.returncode == 0, r.stderr
    drop = ("step_time", "train_seconds", "vstar_cache_hit_rate")   # wall-clock, and the cache a killed run warmed
    clean = lambda rows: [{k: v for k, v in x.items() if k not in drop} for x in rows]
    assert clean(read_jsonl(out / "metrics.jsonl")) == clean(read_jsonl(tmp_path / "full" / "metrics.jsonl"))


def _cache_rows(path):
    import sqlite3
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try: return dict(db.execute("SELECT key, rewards FROM samples").fetchall())
    finally: db.close()


def test_vstar_stage_killed_midway_draws_only_what_is_missing(tmp_path):
    cfg = yaml.safe_load((ROOT / "configs/debug.yaml").read_text())
    cfg["vstar"].update(mode="eager", n_samples=4, batch_size=2)
    cfg["training"].update(steps=1)
    cfg["eval"] = {"every": 100}
    f = tmp_path / "c.yaml"; f.write_text(yaml.safe_dump(cfg))
    full = run("--config", str(f), "--output_dir", str(tmp_path / "full"))
    assert full.returncode == 0, full.stderr
    cache = tmp_path / "killed" / "vstar_cache.sqlite"
    p = subprocess.Popen([sys.executable, "-m", "tinyzero.train", "--config", str(f), "--output_dir", str(tmp_path / "killed")],
                         cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            if len(_cache_rows(cache)) >= 8: break
        except Exception: pass
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL); p.wait()
    stored, total = _cache_rows(cache), _cache_rows(tmp_path / "full" / "vstar_cache.sqlite")
    assert 0 < len(stored) < len(total), (len(stored), len(total))          # killed inside the stage
    again = run("--config", str(f), "--output_dir", str(tmp_path / "killed"))
    assert again.returncode == 0, again.stderr
    drawn = lambda d: next(r["vstar_drawn"] for r in read_jsonl(tmp_path / d / "metrics.jsonl") if "vstar_drawn" in r)
    assert drawn("killed") < drawn("full")                                  # only what was missing
    assert _cache_rows(cache) == total                                     # and the same samples in the end


def test_the_same_config_twice_gives_the_same_metrics(tmp_path):
    for d in ("a", "b"):
        r = run("--config", "configs/tiny.yaml", "--debug", "--output_dir", str(tmp_path / d))   # the shipped base model
        assert r.returncode == 0, r.stderr
    strip = lambda rows: [{k: v for k, v in r.items() if k not in ("step_time", "train_seconds", "vstar_stage_seconds")}
                          for r in rows]
    a, b = (strip(read_jsonl(tmp_path / d / "metrics.jsonl")) for d in ("a", "b"))
    assert a == b and len(a) > 4
    assert any(r.get("reward", 0) > 0 for r in a)                          # a model that earns rewards: a real check


def _interrupt(tmp_path, sig, extra=()):
    "Start the debug config, send `sig` once step 2 is logged, return the process and its output folder."
    out = tmp_path / f"run-{sig.name}"
    cmd = [sys.executable, "-m", "tinyzero.train", "--config", "configs/debug.yaml", "--output_dir", str(out),
           "training.algo=weighted", "training.lr=1e-3", "output.save_every=100", *extra]
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while time.time() < deadline and not any(r.get("step") == 2 and "loss" in r
                                             for r in read_jsonl(out / "metrics.jsonl")):
        time.sleep(0.05)
    p.send_signal(sig)
    stdout, stderr = p.communicate(timeout=300)
    return p.returncode, stdout, stderr, out, cmd


@pytest.mark.parametrize("sig,status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_at_the_end_of_a_step_and_loses_nothing(tmp_path, sig, status):
    code, stdout, stderr, out, cmd = _interrupt(tmp_path, sig)
    assert code == status, stderr[-2000:]
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    lines = [l for l in stderr.splitlines() if "to continue:" in l]
    assert len(lines) == 1 and f"{sig.name}: stopped at step" in lines[0] and lines[0].endswith("--resume auto")
    stopped_at = int(lines[0].split("stopped at step ")[1].split(",")[0])
    assert stopped_at >= 3 and (out / "checkpoints" / f"step_{stopped_at}" / "trainer_state.pt").exists()
    again = run(*cmd[3:], "--resume", "auto")                   # the command the message gives
    assert again.returncode == 0, again.stderr
    assert f"resumed at step {stopped_at}" in again.stderr       # said where the user looks, not only in the log
    full = run(*cmd[3:-3], "--output_dir", str(tmp_path / "full"), *cmd[-3:])
    drop = ("step_time", "train_seconds", "vstar_cache_hit_rate")
    clean = lambda rows: [{k: v for k, v in x.items() if k not in drop} for x in rows]
    assert clean(read_jsonl(out / "metrics.jsonl")) == clean(read_jsonl(tmp_path / "full" / "metrics.jsonl"))


def test_resume_auto_with_nothing_to_resume_says_so(tmp_path):
    r = run("--config", "configs/debug.yaml", "--output_dir", str(tmp_path / "new"), "--resume", "auto",
            "training.steps=2")
    assert r.returncode == 0, r.stderr
    assert "--resume auto: no checkpoint in" in r.stderr and "starting afresh" in r.stderr


def test_dotted_overrides_are_typed_and_checked(tmp_path):
    r = run("--config", "configs/debug.yaml", "--output_dir", str(tmp_path / "o"), "training.steps=2",
            "vstar.n_samples=3", "--seed", "5", "training.lr=2e-4")
    assert r.returncode == 0, r.stderr
    saved = load_config(tmp_path / "o" / "config.yaml")
    assert (saved.training.steps, saved.vstar.n_samples, saved.training.seed, saved.training.lr) == (2, 3, 5, 2e-4)
    for bad, key in [("training.stepz=2", "unknown key training.stepz"), ("vstar.n_samples=three", "vstar.n_samples"),
                     ("lr=1", "section.key=value"), ("training.batch_size=4", "training.prompts_per_step")]:
        r = run("--config", "configs/debug.yaml", "--output_dir", str(tmp_path / "bad"), bad)
        assert r.returncode == 2 and key in r.stderr, (bad, r.stderr)
    assert not (tmp_path / "bad").exists()                       # a failed start leaves no folder behind


def test_a_bad_resume_path_leaves_no_output_folder(tmp_path):
    r = run("--config", "configs/debug.yaml", "--output_dir", str(tmp_path / "never"), "--resume", str(tmp_path / "x"))
    assert r.returncode == 2 and "checkpoint not found" in r.stderr
    assert not (tmp_path / "never").exists()


def test_a_seed_sweep_draws_the_vstar_stage_once(tmp_path):
    cache = tmp_path / "vstar.sqlite"
    for seed in (0, 1):
        r = run("--config", "configs/tiny.yaml", "--debug", "--output_dir", str(tmp_path / f"s{seed}"),
                "--seed", str(seed), f"vstar.cache_path={cache}", "vstar.mode=eager")
        assert r.returncode == 0, r.stderr
    rows = lambda d: read_jsonl(tmp_path / d / "metrics.jsonl")
    drawn = [next(r["vstar_drawn"] for r in rows(d) if "vstar_drawn" in r) for d in ("s0", "s1")]
    assert drawn[0] > 0 and drawn[1] == 0                       # another training seed: no new V* samples
    assert all(r["vstar_cache_hit_rate"] == 1.0 for r in rows("s1") if "vstar_cache_hit_rate" in r)
    samples = lambda d: [s["response"] for s in read_jsonl(tmp_path / d / "samples.jsonl")]
    assert samples("s0") != samples("s1")                       # while the policy's samples do change
