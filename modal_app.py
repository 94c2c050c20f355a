"""Run tinyzero on Modal: the full Qwen2.5-3B run on an H100, resumable, with the V* stage spread over GPUs.

    modal run modal_app.py                                         # configs/qwen2.5-3b.yaml on one H100, a fresh run name
    modal run --detach modal_app.py --max-steps 100 --run-name try1   # keeps going after the terminal closes
    modal run modal_app.py --config configs/debug.yaml --debug     # a quick check of the cloud setup
    modal run modal_app.py --vstar-shards 8                        # the offline stage on 8 GPUs first
    modal run modal_app.py --run-name try1 --resume                # continue try1 even if its config changed
    modal run modal_app.py --set "training.lr=2e-6 vstar.n_samples=4"   # any config key, as on the command line
    modal run modal_app.py --config configs/qwen2.5-3b-lora.yaml --gpu L4   # LoRA on one 24 GB card
    modal run modal_app.py --config configs/qwen2.5-7b.yaml --gpus 8        # torchrun over 8 H100s, one container

This file only describes the machines (image, GPUs, volumes, retries) and calls `tinyzero`; no training logic lives
here. One remote function (`orchestrate`, no GPU) runs the whole job: it downloads the model once into the HF cache
volume, runs the V* shards, then training, so a detached run needs nothing from the laptop after it starts. A run
trains on the container's local disk and is mirrored to the `tinyzero-outputs` Volume at every checkpoint
(`modal volume get tinyzero-outputs RUN_NAME ./outputs/RUN_NAME` downloads it).
"""
import configparser, os, shlex, time
from pathlib import Path
import modal

APP_NAME = "tinyzero-apo"
GPU = "H100"
TIMEOUT_S = 24 * 60 * 60                 # one attempt may run a full training run
RETRIES = modal.Retries(max_retries=5, initial_delay=0.0, backoff_coefficient=1.0)   # transient failures only
OUTPUTS, HF_CACHE, VSTAR = "/outputs", "/cache/huggingface", "/cache/vstar"
HF_SECRET = os.environ.get("TINYZERO_HF_SECRET")    # name of a modal.Secret holding HF_TOKEN, if the model needs one
ROOT = Path(__file__).parent
SETTINGS = configparser.ConfigParser(delimiters=["="]); SETTINGS.read(ROOT / "settings.ini")
REQUIREMENTS = shlex.split(SETTINGS["DEFAULT"]["requirements"])   # the project's own pins: one source of truth

app = modal.App(APP_NAME)
outputs_volume = modal.Volume.from_name("tinyzero-outputs", create_if_missing=True)
hf_volume = modal.Volume.from_name("tinyzero-hf-cache", create_if_missing=True)
vstar_volume = modal.Volume.from_name("tinyzero-vstar-cache", create_if_missing=True)
VOLUMES = {OUTPUTS: outputs_volume, HF_CACHE: hf_volume, VSTAR: vstar_volume}
SECRETS = [modal.Secret.from_name(HF_SECRET)] if HF_SECRET else []

image = (modal.Image.debian_slim(python_version="3.11")
         .uv_pip_install(*REQUIREMENTS, "huggingface_hub")
         .env({"HF_HOME": HF_CACHE, "TOKENIZERS_PARALLELISM": "false", "TINYZERO_CACHE": "/tmp/tinyzero-cache"})
         .add_local_dir(ROOT / "configs", "/root/configs")
         .add_local_python_source("tinyzero"))
GPU_FUNCTION = dict(image=image, gpu=GPU, timeout=TIMEOUT_S, retries=RETRIES, volumes=VOLUMES, secrets=SECRETS)


def _paths():
    "The volumes' mount points on Modal (folders named by environment variables when run locally), and local disk."
    env = os.environ.get
    return (Path(env("TINYZERO_MODAL_OUTPUTS", OUTPUTS)), Path(env("TINYZERO_MODAL_VSTAR", VSTAR)),
            Path(env("TINYZERO_MODAL_LOCAL", "/tmp/tinyzero-runs")))


def _commit(*volumes):
    "Make writes visible to other containers; refuses while a file on a volume is open (a commit would fail)."
    from tinyzero.store import open_files_under
    busy = [f for root in _paths()[:2] for f in open_files_under(root)]
    if busy: raise RuntimeError(f"files open on a volume at commit: {busy}")
    if not modal.is_local():
        for v in volumes: v.commit()


def check_gpu(gpu: str, cfg=None, gpus: int = 1) -> str:
    "Modal's name for `gpus` x `gpu` if the plan knows the card (and fits `cfg` on it); SystemExit saying why not."
    from tinyzero.gpus import GPUS, plan_for
    if gpu not in GPUS: raise SystemExit(f"unknown GPU {gpu!r}; choose from {', '.join(GPUS)}")
    if not 1 <= gpus <= 8: raise SystemExit(f"--gpus {gpus}: a Modal container has 1 to 8 GPUs")
    if cfg is not None and not (p := plan_for(cfg, gpu, gpus=gpus)).fits:
        raise SystemExit(f"{p.line()}: choose a larger card or more of them, or see `python -m tinyzero.train "
                         f"--config F --plan --gpu all`")
    return gpu if gpus == 1 else f"{gpu}:{gpus}"


def _failure(e: BaseException) -> dict | None:
    "A result that ends the run at once for failures a retry cannot fix; None for the others (raise: Modal retries)."
    from tinyzero.store import failure_kind
    kind = failure_kind(e)
    return None if kind is None else dict(status="failed", kind=kind, error=str(e))


def _config(config: str, run_name: str, max_steps: int | None = None, debug: bool = False, overrides: str = ""):
    "The run's config (`--max-steps` and `key=value` overrides as on the command line), on local disk."
    from tinyzero.config import parse_overrides
    from tinyzero.train import build_config
    return build_config(config, str(_paths()[2] / run_name), max_steps, debug, parse_overrides(shlex.split(overrides)))


@app.function(image=image, timeout=2 * 60 * 60, retries=RETRIES, volumes={HF_CACHE: hf_volume}, secrets=SECRETS)
def fetch_model(name: str, revision: str | None = None) -> str:
    "Download a hub model once into the HF cache volume (local names need nothing)."
    if name.startswith("tiny-") or Path(name).exists(): return name
    from huggingface_hub import snapshot_download
    path = snapshot_download(name, revision=revision)
    if not modal.is_local(): hf_volume.commit()
    return path


@app.function(**GPU_FUNCTION)
def vstar_shard(config: str, run_name: str, shard: int, n_shards: int, debug: bool = False,
                overrides: str = "") -> dict:
    "One shard of the offline V* stage, on local disk, mirrored to the V* volume batch by batch."
    from tinyzero.store import mirror
    from tinyzero.vstar_cache import vstar_stage
    _, vstar, local = _paths()
    name = f"{run_name}/shard{shard}-of-{n_shards}"
    store, work = vstar / name, local / "vstar" / name
    mirror(store, work)                                       # a restarted shard keeps what it drew before
    def persist(): mirror(work, store); _commit(vstar_volume)
    try: info = vstar_stage(_config(config, run_name, None, debug, overrides), work / "vstar_cache.sqlite", shard,
                            n_shards, persist)
    except Exception as e:
        if (f := _failure(e)) is None: raise
        return f
    persist()
    return dict(info, status="done")


@app.function(**GPU_FUNCTION)
def train(config: str, run_name: str, max_steps: int | None = None, debug: bool = False, n_shards: int = 0,
          resume: bool = False, overrides: str = "", gpus: int = 1) -> dict:
    "Train (continuing from the run's stored checkpoints after a preemption), then evaluate; torchrun if `gpus` > 1."
    from tinyzero.store import run_with_store
    out, vstar, _ = _paths()
    shards = [vstar / run_name / f"shard{i}-of-{n_shards}" / "vstar_cache.sqlite" for i in range(n_shards)]
    if n_shards and not modal.is_local(): vstar_volume.reload()       # see the shards' commits
    try: res = run_with_store(_config(config, run_name, max_steps, debug, overrides), out / run_name,
                              lambda: _commit(outputs_volume), resume, shards, processes=gpus)
    except Exception as e:
        if (f := _failure(e)) is None: raise
        return f
    return dict(res, status="done", run_name=run_name)


@app.function(image=image, timeout=TIMEOUT_S, volumes=VOLUMES, secrets=SECRETS)
def orchestrate(config: str, run_name: str, max_steps: int | None = None, debug: bool = False,
                vstar_shards: int = 0, resume: bool = False, overrides: str = "", gpu: str = GPU,
                gpus: int = 1) -> dict:
    "The whole job, remotely: the model once into the HF cache, the V* shards, then training on `gpus` x `gpu`."
    local = modal.is_local()
    shard_fn = vstar_shard if local else vstar_shard.with_options(gpu=gpu)
    train_fn = train if local else train.with_options(gpu=check_gpu(gpu, gpus=gpus))
    cfg = _config(config, run_name, max_steps, debug, overrides)
    (fetch_model.local if local else fetch_model.remote)(cfg.model.name_or_path, cfg.model.revision)
    if vstar_shards > 1:
        args = ([config] * vstar_shards, [run_name] * vstar_shards, range(vstar_shards), [vstar_shards] * vstar_shards,
                [debug] * vstar_shards, [overrides] * vstar_shards)
        infos = [vstar_shard.local(*a) for a in zip(*args)] if local else list(shard_fn.map(*args))
        failed = [i for i in infos if i["status"] != "done"]
        if failed: return failed[0]
    return (train.local if local else train_fn.remote)(config, run_name, max_steps, debug,
                                                    vstar_shards if vstar_shards > 1 else 0, resume, overrides, gpus)


def fresh_run_name(config: str) -> str:
    "A new run's name: the config's name and the time (UTC)."
    return f"{Path(config).stem}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}"


@app.local_entrypoint()
def main(config: str = "configs/qwen2.5-3b.yaml", max_steps: int | None = None, debug: bool = False,
         run_name: str = "", vstar_shards: int = 0, resume: bool = False, set: str = "", gpu: str = GPU,
         gpus: int = 1):
    "Flags: --config, --max-steps, --debug, --run-name, --vstar-shards, --resume, --set 'k=v ...', --gpu L4, --gpus 8."
    run_name = run_name or fresh_run_name(config)
    from tinyzero.config import ConfigError
    try: check_gpu(gpu, _config(config, run_name, max_steps, debug, set), gpus)   # fails here, not on a rented GPU
    except ConfigError as e: raise SystemExit(f"config error: {e}") from None
    print(f"run {run_name}: modal volume get tinyzero-outputs {run_name} ./outputs/{run_name}  (when it is done)")
    res = orchestrate.remote(f"/root/configs/{Path(config).name}", run_name, max_steps, debug, vstar_shards, resume, set,
                             gpu, gpus)
    print(res)
    if res.get("status") != "done": raise SystemExit(f"run {run_name} failed ({res.get('kind')}): {res.get('error')}")
