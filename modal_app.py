"""Run tinyzero on Modal: the full Qwen2.5-3B run on an H100, resumable, with the V* stage spread over GPUs.

    modal run modal_app.py                                         # configs/qwen2.5-3b.yaml on one H100
    modal run --detach modal_app.py --max-steps 100 --run-name try1
    modal run modal_app.py --config configs/debug.yaml --debug     # a quick check of the cloud setup
    modal run modal_app.py --vstar-shards 8                        # the offline stage on 8 GPUs first

This file only describes the machines (image, GPU, volumes, retries) and calls `tinyzero`; no training logic lives
here. Outputs go to the `tinyzero-outputs` Volume: `modal volume get tinyzero-outputs RUN_NAME ./outputs`.
"""
import os
from pathlib import Path
import modal

APP_NAME = "tinyzero-apo"
GPU = "H100"
TIMEOUT_S = 24 * 60 * 60                 # one attempt may run a full training run
RETRIES = modal.Retries(max_retries=5, initial_delay=0.0, backoff_coefficient=1.0)   # preemption: start again
OUTPUTS, HF_CACHE, VSTAR = "/outputs", "/cache/huggingface", "/cache/vstar"
HF_SECRET = os.environ.get("TINYZERO_HF_SECRET")    # name of a modal.Secret holding HF_TOKEN, if the model needs one

app = modal.App(APP_NAME)
outputs_volume = modal.Volume.from_name("tinyzero-outputs", create_if_missing=True)
hf_volume = modal.Volume.from_name("tinyzero-hf-cache", create_if_missing=True)
vstar_volume = modal.Volume.from_name("tinyzero-vstar-cache", create_if_missing=True)
VOLUMES = {OUTPUTS: outputs_volume, HF_CACHE: hf_volume, VSTAR: vstar_volume}
SECRETS = [modal.Secret.from_name(HF_SECRET)] if HF_SECRET else []

image = (modal.Image.debian_slim(python_version="3.11")
         .uv_pip_install("torch==2.13.0", "transformers==5.24.0", "tokenizers==0.23.3", "safetensors==0.8.0",
                         "pyyaml==6.0.4", "tqdm==4.70.1", "matplotlib==3.11.2", "fastcore==1.14.5")  # as tested in CI
         .env({"HF_HOME": HF_CACHE, "TOKENIZERS_PARALLELISM": "false", "TINYZERO_CACHE": f"{HF_CACHE}/tinyzero"})
         .add_local_dir(Path(__file__).parent / "configs", "/root/configs")
         .add_local_python_source("tinyzero"))


def _paths():
    "Where the volumes are: their mount points on Modal, or folders named by environment variables locally."
    env = os.environ.get
    return (Path(env("TINYZERO_MODAL_OUTPUTS", OUTPUTS)), Path(env("TINYZERO_MODAL_VSTAR", VSTAR)))


def _commit(*volumes):
    "Make writes visible to other containers (a no-op when the function body runs locally)."
    if not modal.is_local():
        for v in volumes: v.commit()


def _config(config: str, run_name: str, max_steps: int = 0, debug: bool = False):
    "The run's config, writing to its folder on the outputs volume and its cache on the V* volume."
    from tinyzero.train import build_config
    out, vstar = _paths()
    return build_config(config, str(out / run_name), max_steps or None, debug,      # 0: the config's steps
                        {"vstar.cache_path": str(vstar / f"{run_name}.sqlite")})


@app.function(image=image, gpu=GPU, timeout=TIMEOUT_S, retries=RETRIES, volumes=VOLUMES, secrets=SECRETS)
def vstar_shard(config: str, run_name: str, shard: int, n_shards: int, debug: bool = False) -> dict:
    "One shard of the offline V* stage, written to its own cache file on the V* volume."
    from tinyzero.vstar import vstar_stage
    cfg = _config(config, run_name, debug=debug)
    _, vstar = _paths(); vstar.mkdir(parents=True, exist_ok=True)
    info = vstar_stage(cfg, vstar / f"{run_name}.shard{shard}-of-{n_shards}.sqlite", shard, n_shards)
    _commit(vstar_volume)
    return info


@app.function(image=image, gpu=GPU, timeout=TIMEOUT_S, retries=RETRIES, volumes=VOLUMES, secrets=SECRETS)
def train(config: str, run_name: str, max_steps: int = 0, debug: bool = False, n_shards: int = 0) -> dict:
    "Train (resuming from the run's newest checkpoint if a previous attempt was preempted), then evaluate."
    from tinyzero.runlog import latest_checkpoint
    from tinyzero.trainer import Trainer
    from tinyzero.vstar import VStarCache
    cfg = _config(config, run_name, max_steps, debug)
    _, vstar = _paths(); vstar.mkdir(parents=True, exist_ok=True)
    if n_shards:                                          # merge the shards' samples into the run's cache
        if not modal.is_local(): vstar_volume.reload()    # see the shards' commits
        cache = VStarCache(cfg.vstar.cache_path)
        for i in range(n_shards): cache.merge(vstar / f"{run_name}.shard{i}-of-{n_shards}.sqlite")
        cache.close()
    resume = latest_checkpoint(cfg.output.dir)
    trainer = Trainer(cfg, resume=resume)
    trainer.callbacks.append(lambda path: _commit(outputs_volume, vstar_volume))
    last = trainer.run()
    _commit(outputs_volume, vstar_volume)
    return dict(run_name=run_name, resumed_from=str(resume) if resume else None, steps=trainer.step,
                best_eval_accuracy=trainer.best, last_eval=last)


@app.local_entrypoint()
def main(config: str = "configs/qwen2.5-3b.yaml", max_steps: int = 0, debug: bool = False,
         run_name: str = "qwen2.5-3b", vstar_shards: int = 0):
    "Flags: --config, --max-steps, --debug, --run-name, --vstar-shards (spread the V* stage over that many GPUs)."
    remote_config = f"/root/configs/{Path(config).name}"
    if vstar_shards > 1:
        infos = list(vstar_shard.map([remote_config] * vstar_shards, [run_name] * vstar_shards,
                                     range(vstar_shards), [vstar_shards] * vstar_shards, [debug] * vstar_shards))
        print(f"V* stage on {vstar_shards} GPUs: {sum(i['prompts'] for i in infos)} prompts")
    print(train.remote(remote_config, run_name, max_steps, debug, vstar_shards if vstar_shards > 1 else 0))
