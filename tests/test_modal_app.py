"""modal_app.py offline: it imports without credentials, describes the intended machines, and its function bodies
run locally on CPU (the debug config) into folders standing in for the Volumes and the container's local disk."""
import configparser, importlib, shlex, shutil, sys
from pathlib import Path
import pytest
from tinyzero.runlog import read_jsonl
from tinyzero.store import open_files_under
from tinyzero.vstar_cache import VStarCache

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CONFIG = str(ROOT / "configs" / "debug.yaml")


@pytest.fixture
def app(tmp_path, monkeypatch):
    for name in ("OUTPUTS", "VSTAR", "LOCAL"): monkeypatch.setenv(f"TINYZERO_MODAL_{name}", str(tmp_path / name.lower()))
    monkeypatch.delenv("MODAL_TOKEN_ID", raising=False); monkeypatch.delenv("MODAL_TOKEN_SECRET", raising=False)
    import modal_app
    return importlib.reload(modal_app)


def test_machines_are_described(app):
    import modal
    assert app.app.name == "tinyzero-apo"
    for fn in (app.train, app.vstar_shard):
        spec = fn._spec_
        assert spec.gpus == "H100"
        assert set(spec.volumes) == {"/outputs", "/cache/huggingface", "/cache/vstar"}
    assert not app.orchestrate._spec_.gpus                      # the job's driver needs no GPU
    assert app.TIMEOUT_S >= 12 * 3600 and isinstance(app.RETRIES, modal.Retries)
    assert type(app.main).__name__ == "LocalEntrypoint"
    src = (ROOT / "modal_app.py").read_text()
    assert "Stub" not in src and "Mount" not in src and "add_local_python_source(\"tinyzero\")" in src


def test_image_uses_the_projects_pins(app):
    ini = configparser.ConfigParser(delimiters=["="]); ini.read(ROOT / "settings.ini")
    assert app.REQUIREMENTS == shlex.split(ini["DEFAULT"]["requirements"])


def test_train_resumes_after_a_restart(app, tmp_path, monkeypatch):
    from tinyzero.trainer import Trainer
    real_step = Trainer.train_step
    def preempted(self, step):
        if step == 4: raise RuntimeError("container preempted")
        return real_step(self, step)
    monkeypatch.setattr(Trainer, "train_step", preempted)
    with pytest.raises(RuntimeError, match="preempted"): app.train.local(CONFIG, "run1", None, True)   # Modal retries
    monkeypatch.setattr(Trainer, "train_step", real_step)
    shutil.rmtree(tmp_path / "local")                         # the new container has an empty local disk
    res = app.train.local(CONFIG, "run1", None, True)           # Modal starts the function again with the same input
    assert res["status"] == "done" and res["resumed_from"].endswith("step_3") and res["steps"] == 6
    assert (tmp_path / "outputs" / "run1" / "checkpoints" / "step_6" / "config.json").exists()


def test_failures_a_retry_cannot_fix_end_the_run(app, tmp_path, monkeypatch):
    bad = tmp_path / "bad.yaml"; bad.write_text("training:\n  lr: -1\n")
    res = app.train.local(str(bad), "bad", None, True)          # returned, not raised: Modal does not retry it
    assert res["status"] == "failed" and res["kind"] == "config" and "training.lr" in res["error"]
    import torch
    from tinyzero.trainer import Trainer
    def oom(self, step): raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")
    monkeypatch.setattr(Trainer, "train_step", oom)
    res = app.train.local(CONFIG, "oom", None, True)
    assert res["status"] == "failed" and res["kind"] == "out of memory"


def test_a_run_name_holding_another_config_is_refused(app, tmp_path):
    assert app.train.local(CONFIG, "named", 2, True)["status"] == "done"
    res = app.train.local(CONFIG, "named", 3, True)         # another config (3 steps) under the same name
    assert res["status"] == "failed" and "--resume" in res["error"] and "another run name" in res["error"]
    assert app.train.local(CONFIG, "named", 3, True, 0, True)["status"] == "done"     # --resume continues it
    assert app.fresh_run_name("configs/qwen2.5-3b.yaml").startswith("qwen2.5-3b-")


def test_nothing_is_open_on_a_volume_at_any_commit(app, tmp_path, monkeypatch):
    seen, real = [], app._commit
    def spy(*volumes):
        seen.append([f for d in ("outputs", "vstar") for f in open_files_under(tmp_path / d)])
        real(*volumes)
    monkeypatch.setattr(app, "_commit", spy)
    res = app.orchestrate.local(CONFIG, "job", None, True, 2)   # model, two V* shards, training: the whole job
    assert res["status"] == "done" and res["steps"] == 6
    assert len(seen) > 4 and all(s == [] for s in seen), seen


def test_sharded_vstar_equals_single_process(app, tmp_path):
    infos = [app.vstar_shard.local(CONFIG, "sharded", i, 2, True) for i in range(2)]
    single = app.vstar_shard.local(CONFIG, "single", 0, 1, True)
    assert sum(i["prompts"] for i in infos) == single["prompts"]
    merged = VStarCache(tmp_path / "merged.sqlite")
    for i in range(2): merged.merge(tmp_path / "vstar" / "sharded" / f"shard{i}-of-2" / "vstar_cache.sqlite")
    one = VStarCache(tmp_path / "vstar" / "single" / "shard0-of-1" / "vstar_cache.sqlite")
    keys = [k for (k,) in one.db.execute("SELECT key FROM samples")]
    assert len(keys) == len(merged) > 0
    assert [merged.get(k) for k in keys] == [one.get(k) for k in keys]
    one.close(); merged.close()                             # (this test's own connections, not the app's)
    # training then starts with every prompt of the pool cached
    res = app.train.local(CONFIG, "sharded", 2, True, 2)
    assert res["steps"] == 2
    rows = [r for r in read_jsonl(tmp_path / "outputs" / "sharded" / "metrics.jsonl") if "vstar_cache_hit_rate" in r]
    assert rows[0]["vstar_cache_hit_rate"] == 1.0


def test_max_steps_and_overrides_mean_what_they_mean_on_the_command_line(app, tmp_path):
    res = app.train.local(CONFIG, "zero", 0, True)            # 0 steps is an error here too, not "the config's"
    assert res["status"] == "failed" and res["kind"] == "config" and "training.steps" in res["error"]
    res = app.train.local(CONFIG, "set", None, True, 0, False, "training.lr=2e-3 vstar.n_samples=3")
    assert res["status"] == "done" and res["steps"] == 6      # None: the (debug) config's steps
    from tinyzero.config import load_config
    saved = load_config(tmp_path / "outputs" / "set" / "config.yaml")
    assert (saved.training.lr, saved.vstar.n_samples) == (2e-3, 3)
    res = app.train.local(CONFIG, "typo", None, True, 0, False, "training.lrr=1")
    assert res["status"] == "failed" and "unknown key training.lrr" in res["error"]


def test_the_gpu_is_a_flag_checked_before_anything_starts(app):
    from tinyzero.config import load_config
    assert app.check_gpu("L4") == "L4" and app.GPU == "H100"
    with pytest.raises(SystemExit, match="choose from T4, L4"): app.check_gpu("K80")
    lora = load_config(ROOT / "configs" / "qwen2.5-3b-lora.yaml")
    assert app.check_gpu("L4", lora) == "L4"                    # the LoRA config fits a 24 GB card
    with pytest.raises(SystemExit, match="does not fit"):      # the full run does not
        app.check_gpu("L4", load_config(ROOT / "configs" / "qwen2.5-3b.yaml"))
    seven = load_config(ROOT / "configs" / "qwen2.5-7b.yaml")
    assert app.check_gpu("H100", seven, 8) == "H100:8"         # Modal's name for one container with 8 cards
    with pytest.raises(SystemExit, match="does not fit"): app.check_gpu("H100", seven, 1)
    with pytest.raises(SystemExit, match="1 to 8 GPUs"): app.check_gpu("H100", seven, 16)


def test_gpus_runs_torchrun_inside_the_container(app, tmp_path):
    "--gpus 2 here: torchrun's 2 CPU processes (gloo), mirrored to the store; the figures of 1 process."
    one = app.train.local(CONFIG, "one", None, True)
    two = app.train.local(CONFIG, "two", None, True, 0, False, "", 2)
    assert two["status"] == "done" and two["steps"] == one["steps"] == 6
    assert two["best_eval_accuracy"] == one["best_eval_accuracy"]
    rows = lambda name: [r for r in read_jsonl(tmp_path / "outputs" / name / "metrics.jsonl") if "reward" in r]
    assert [r["reward"] for r in rows("two")] == pytest.approx([r["reward"] for r in rows("one")], abs=1e-6)
    assert (tmp_path / "outputs" / "two" / "final" / "config.json").exists()
    assert not [p for p in (tmp_path / "outputs" / "two").rglob("*") if ".tmp" in p.name]
