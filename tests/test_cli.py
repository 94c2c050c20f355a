"""`python -m tinyzero.train` as a user runs it: outputs, errors, kill and resume."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest, torch, yaml
from transformers import AutoModelForCausalLM, AutoTokenizer
from tinyzero.config import load_config
from tinyzero.runlog import read_jsonl
from tinyzero.trainer import Trainer, TrainingError

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
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["steps"] == 8
    for f in ["config.yaml", "training.log", "metrics.jsonl", "samples.jsonl", "vstar_cache.sqlite",
              "plots/reward.png", "plots/accuracy.png", "plots/accuracy_by_level.png", "plots/loss.png", "plots/kl.png", "plots/length.png",
              "checkpoints/step_8/trainer_state.pt", "best/config.json"]:
        assert (tmp_path / f).exists(), f
    assert load_config(tmp_path / "config.yaml").training.steps == 8          # the resolved config reads back
    for d in ["checkpoints/step_8", "best"]:
        m = AutoModelForCausalLM.from_pretrained(tmp_path / d); AutoTokenizer.from_pretrained(tmp_path / d)
        assert m.config.model_type == "qwen2"
    rows = read_jsonl(tmp_path / "metrics.jsonl")
    assert [r["step"] for r in rows if "eval_accuracy" in r] == [0, 4, 8]
    train = [r for r in rows if "loss" in r]
    assert len(train) == 8 and all(k in train[0] for k in ["reward", "reward_std", "loss", "kl", "v_star", "advantage",
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
    monkeypatch.setattr(Trainer, "micro_loss", lambda self, mb, r, v, a=None: (torch.tensor(float("nan")), torch.zeros(len(r))))
    before = [p.clone() for p in tr.policy.parameters()]
    with pytest.raises(TrainingError, match="2 non-finite losses in a row"): tr.run()
    assert all(torch.equal(a, b) for a, b in zip(before, tr.policy.parameters()))     # no step was taken
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
