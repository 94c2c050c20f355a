"The project beside its peers: TRL's trainers train with the project's reward and dataset; a run's live dashboards."
import json, math, os, sqlite3, subprocess, sys, warnings
from pathlib import Path
import pytest
import torch
import yaml

trl = pytest.importorskip("trl")            # the optional `peers` packages (pip install -e ".[peers]"; dev includes them)
from transformers import AutoModelForCausalLM, AutoTokenizer
from tinyzero.data import problems_dataset
from tinyzero.models import resolve_model
from tinyzero.rewards import trl_reward

ROOT = Path(__file__).resolve().parent.parent


def _model_and_data():
    path = resolve_model("tiny-base")
    tok = AutoTokenizer.from_pretrained(path, padding_side="left")
    return AutoModelForCausalLM.from_pretrained(path), tok, problems_dataset(levels=["easy"], n_per=4)


def _common(tmp_path):
    return dict(output_dir=str(tmp_path), max_steps=1, learning_rate=1e-3, lr_scheduler_type="constant",
                max_completion_length=48, logging_steps=1, save_strategy="no", report_to="none", use_cpu=True,
                gradient_checkpointing=False, disable_tqdm=True, seed=0)


def test_trl_grpo_trains_with_the_project_reward(tmp_path):
    model, tok, ds = _model_and_data()
    before = [p.detach().clone() for p in model.parameters()]
    args = trl.GRPOConfig(**_common(tmp_path), per_device_train_batch_size=8, num_generations=4)
    trainer = trl.GRPOTrainer(model=model, reward_funcs=trl_reward(), args=args, train_dataset=ds, processing_class=tok)
    trainer.train()
    logs = {k: v for row in trainer.state.log_history for k, v in row.items()}
    reward = logs["rewards/tinyzero_process/mean"]            # TRL logs the function under its name
    assert 0 < reward <= 1 and math.isfinite(logs["loss"])    # the tiny base model answers some of them
    assert any(not torch.equal(a, b) for a, b in zip(before, trainer.model.parameters()))


def test_trl_a2po_trains_with_the_project_reward(tmp_path):
    warnings.filterwarnings("ignore")
    from trl.experimental.a2po import A2POConfig, A2POTrainer
    model, tok, ds = _model_and_data()
    args = A2POConfig(**_common(tmp_path), per_device_train_batch_size=4, num_value_samples=2, beta2=0.1,
                      filter_all_incorrect=False)
    trainer = A2POTrainer(model=model, reward_funcs=trl_reward(), args=args, train_dataset=ds, processing_class=tok)
    trainer.train()
    assert len(trainer._optimal_values) == len(ds)             # V* of every training prompt, from the project's reward
    assert all(0 <= v <= 1 for v in trainer._optimal_values.values())
    logs = {k: v for row in trainer.state.log_history for k, v in row.items()}
    assert "v_star" in logs and "advantage" in logs


def test_a_run_reports_live_to_trackio_and_tensorboard(tmp_path):
    cfg = yaml.safe_load((ROOT / "configs" / "debug.yaml").read_text())
    cfg["training"]["steps"] = 2; cfg["eval"]["every"] = 2
    cfg["output"].update(dir=str(tmp_path / "run"), report_to=["tensorboard", "trackio"])
    (tmp_path / "cfg.yaml").write_text(yaml.safe_dump(cfg))
    env = dict(os.environ, TRACKIO_DIR=str(tmp_path / "trackio"))    # trackio's local store, here instead of ~/.cache
    subprocess.run([sys.executable, "-m", "tinyzero.train", "--config", str(tmp_path / "cfg.yaml")], check=True,
                   env=env, cwd=tmp_path, capture_output=True)
    db = tmp_path / "trackio" / "tinyzero.db"
    rows = [(s, json.loads(m)) for s, m in sqlite3.connect(db).execute("select step, metrics from metrics order by id")]
    train = [(s, m) for s, m in rows if "loss" in m]
    assert [s for s, _ in train] == [0, 1] and {"reward", "kl", "v_star", "completions/mean_length"} <= set(train[0][1])
    assert [s for s, m in rows if "eval_accuracy" in m] == [0, 2]
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    ev = EventAccumulator(str(tmp_path / "run" / "runs")).Reload()
    assert [e.step for e in ev.Scalars("reward")] == [0, 1]


def test_a_dashboard_that_is_not_installed_is_named(tmp_path, monkeypatch):
    from tinyzero.config import ConfigError
    from tinyzero.runlog import MetricsWriter
    monkeypatch.setitem(sys.modules, "trackio", None)                 # as if it were not installed
    with pytest.raises(ConfigError, match=r"report_to names trackio.*\.\[peers\]"):
        MetricsWriter(tmp_path, ["trackio"])
