"""modal_app.py offline: it imports without credentials, describes the intended machines, and its function bodies
run locally on CPU (the debug config) into folders standing in for the Volumes."""
import importlib, sys
from pathlib import Path
import pytest
from tinyzero.runlog import read_jsonl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CONFIG = str(ROOT / "configs" / "debug.yaml")


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYZERO_MODAL_OUTPUTS", str(tmp_path / "outputs"))
    monkeypatch.setenv("TINYZERO_MODAL_VSTAR", str(tmp_path / "vstar"))
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
    assert app.TIMEOUT_S >= 12 * 3600 and isinstance(app.RETRIES, modal.Retries)
    assert type(app.main).__name__ == "LocalEntrypoint"
    assert isinstance(app.train, modal.Function) and isinstance(app.vstar_shard, modal.Function)
    src = (ROOT / "modal_app.py").read_text()
    assert "Stub" not in src and "Mount" not in src and "add_local_python_source(\"tinyzero\")" in src


def test_train_resumes_after_a_restart(app, tmp_path, monkeypatch):
    from tinyzero.trainer import Trainer
    real_step = Trainer.train_step
    def preempted(self, step):
        if step == 4: raise RuntimeError("container preempted")
        return real_step(self, step)
    monkeypatch.setattr(Trainer, "train_step", preempted)
    with pytest.raises(RuntimeError, match="preempted"): app.train.local(CONFIG, "run1", 0, True)
    monkeypatch.setattr(Trainer, "train_step", real_step)
    res = app.train.local(CONFIG, "run1", 0, True)       # Modal starts the function again with the same input
    assert res["resumed_from"].endswith("step_3") and res["steps"] == 6
    assert (tmp_path / "outputs" / "run1" / "checkpoints" / "step_6" / "config.json").exists()


def test_sharded_vstar_equals_single_process(app, tmp_path):
    from tinyzero.vstar import VStarCache
    infos = [app.vstar_shard.local(CONFIG, "sharded", i, 2, True) for i in range(2)]
    single = app.vstar_shard.local(CONFIG, "single", 0, 1, True)
    assert sum(i["prompts"] for i in infos) == single["prompts"]
    merged = VStarCache(tmp_path / "merged.sqlite")
    for i in range(2): merged.merge(tmp_path / "vstar" / f"sharded.shard{i}-of-2.sqlite")
    one = VStarCache(tmp_path / "vstar" / "single.shard0-of-1.sqlite")
    keys = [k for (k,) in one.db.execute("SELECT key FROM samples")]
    assert len(keys) == len(merged) > 0
    assert [merged.get(k) for k in keys] == [one.get(k) for k in keys]
    # training then starts with every prompt of the pool cached
    res = app.train.local(CONFIG, "sharded", 2, True, 2)
    assert res["steps"] == 2
    rows = [r for r in read_jsonl(tmp_path / "outputs" / "sharded" / "metrics.jsonl") if "vstar_cache_hit_rate" in r]
    assert rows[0]["vstar_cache_hit_rate"] == 1.0
