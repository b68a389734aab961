"""Benchmarks: training throughput against a naive loop, texture maps per second,
inference latency; and the projected wall time of the paper profile."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from ..config.environment import device_name
from ..labels.texture import texture_map, texture_map_torch
from ..model import precision
from ..model.inference import predict_batch
from ..model.networks import create
from ..training.loop import TrainConfig, apply_update, train_step

PAPER_IMAGE_STEPS = {"pretrain": 25000 * 300, "finetune_per_run": 400 * 150}


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def unet(width: int, in_channels: int = 4, out_channels: int = 2) -> torch.nn.Module:
    """The finetuned network of the benchmarks (RGB + texture in, 2 classes out)."""
    return create("unet", in_channels=in_channels, out_channels=out_channels, width=width)


def bench_config(batch: int) -> TrainConfig:
    """A training configuration as the profiles train (its values do not change the cost)."""
    return TrainConfig(task="segmentation", updates=1000, validations=4, batch_size=batch, lr=1e-4, weight_decay=1e-4,
                       warmup=0.05, dice_weight=1.0, seed=0, device="auto", precision="auto")


def train_flops(model: torch.nn.Module, x: torch.Tensor) -> float:
    """FLOPs (2 per multiply-add) of one forward and backward pass, counted by torch."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        model(x).float().mean().backward()
    model.zero_grad(set_to_none=True)
    return float(counter.get_total_flops())


def time_steps(model, x, y, optimised: bool, steps: int, device: torch.device) -> float:
    """Seconds per training step. Optimised is the step `fit` takes (training.loop's
    train_step and apply_update: channels_last everywhere, bf16 autocast on CUDA, the
    profile's loss); naive is a plain fp32 cross-entropy step in the default layout."""
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    cfg = bench_config(x.shape[0])
    if optimised:
        model = precision.prepare(model, device)

    def step():
        if optimised:
            train_step(model, x, y, cfg, device, torch.float32)
            apply_update(opt, cfg, 10)
            return
        F.cross_entropy(model(x), y).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    model.train()
    step()
    _sync(device)
    t = time.perf_counter()
    for _ in range(steps):
        step()
    _sync(device)
    return (time.perf_counter() - t) / steps


def matmul_peak(device: torch.device, reps: int = 20) -> tuple[float, str]:
    """Measured matrix-product TFLOP/s, the practical peak of the precision `fit` trains in
    on this device: bf16 on CUDA (8192^2), fp32 on a CPU (2048^2); and its name."""
    cuda = device.type == "cuda"
    n, dtype = (8192, torch.bfloat16) if cuda else (2048, torch.float32)
    reps = reps if cuda else 5
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    a @ b
    _sync(device)
    t = time.perf_counter()
    for _ in range(reps):
        a @ b
    _sync(device)
    return 2 * n ** 3 * reps / (time.perf_counter() - t) / 1e12, ("bf16" if cuda else "fp32") + " matmul"


def bench_train(device: str = "cpu", sizes=(128, 256), width: int = 8, batch: int = 4,
                steps: int = 3) -> pd.DataFrame:
    """Training images/s and TFLOP/s of the optimised and the naive fp32 path, same run."""
    dev = torch.device(device)
    peak, peak_kind = matmul_peak(dev)
    rows = []
    for size in sizes:
        torch.manual_seed(0)
        x = torch.randn(batch, 4, size, size, device=dev)
        y = (torch.rand(batch, size, size, device=dev) < 0.02).long()
        flops = train_flops(unet(width).to(dev), x) / batch
        timing = {}
        for path, optimised in (("naive fp32", False), ("optimised", True)):
            timing[path] = time_steps(unet(width).to(dev), x, y, optimised, steps, dev)
        for path, sec in timing.items():
            rows.append({"device": device_name(device), "size": size, "width": width, "batch": batch, "path": path,
                         "images_per_s": batch / sec, "tflops": flops * batch / sec / 1e12,
                         "speedup_vs_naive": timing["naive fp32"] / sec,
                         "share_of_peak": flops * batch / sec / 1e12 / peak, "peak_tflops": peak,
                         "peak": peak_kind})
    return pd.DataFrame(rows)


def bench_texture(device: str = "cpu", size: int = 1024, n: int = 8, batch: int = 8) -> pd.DataFrame:
    """Texture maps per second at size x size: OpenCV one by one, torch batched (CPU, CUDA)."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, size, size, 3), dtype=np.uint8)
    rows = []
    t = time.perf_counter()
    for img in images:
        texture_map(img)
    rows.append({"implementation": "OpenCV, one image at a time", "device": device_name("cpu"),
                 "maps_per_s": n / (time.perf_counter() - t)})
    devices = ["cpu"] + (["cuda"] if device == "cuda" and torch.cuda.is_available() else [])
    for d in devices:
        x = torch.from_numpy(images[:batch]).permute(0, 3, 1, 2).float().to(d)
        texture_map_torch(x)
        _sync(torch.device(d))
        reps = max(1, n // batch) * (20 if d == "cuda" else 1)
        t = time.perf_counter()
        for _ in range(reps):
            texture_map_torch(x)
        _sync(torch.device(d))
        rows.append({"implementation": f"torch, batches of {batch}", "device": device_name(d),
                     "maps_per_s": reps * batch / (time.perf_counter() - t)})
    frame = pd.DataFrame(rows)
    frame["size"] = size
    frame["ratio_vs_opencv"] = frame.maps_per_s / frame.maps_per_s.iloc[0]
    return frame


def paper_step_flops(measured_flops: float, size: int, width: int) -> float:
    """FLOPs of one training step of the paper's network (width 64) on a 1024 px image,
    scaled from a measured step: FLOPs grow with pixels and with the square of the width."""
    return measured_flops * (1024 / size) ** 2 * (64 / width) ** 2


def project_paper(train: pd.DataFrame, gpus=(1, 8), finetune_runs: int = 3 * 4 * 3 + 5 * 3) -> pd.DataFrame:
    """Projected wall time of the paper profile from the optimised path's measured TFLOP/s
    at the largest benchmarked size: pretraining (25,000 x 300 image-steps) plus the
    finetuning runs (400 x 150 image-steps each, an upper bound since smaller fractions
    see fewer images), assuming the same TFLOP/s at 1024 px and linear scaling over devices."""
    row = train[train.path == "optimised"].sort_values("size").iloc[-1]
    flops = paper_step_flops(row.tflops * 1e12 / row.images_per_s, int(row["size"]), int(row.width))
    steps = PAPER_IMAGE_STEPS["pretrain"] + finetune_runs * PAPER_IMAGE_STEPS["finetune_per_run"]
    return pd.DataFrame([{"device": row.device, "devices": g, "measured_at_px": int(row["size"]),
                          "tflops_per_device": float(row.tflops), "tflop_per_1024px_step": flops / 1e12,
                          "image_steps": steps, "projected_hours": steps * flops / (row.tflops * 1e12 * g) / 3600}
                         for g in gpus])


@torch.no_grad()
def bench_predict(device: str = "cpu", size: int = 1024, width: int = 64, batches=(1, 2, 4),
                  reps: int = 2) -> pd.DataFrame:
    """Inference latency per size x size image at batch 1 and throughput per batch size,
    for the 4->2 U-Net through the one inference path (host to device and back included)."""
    dev = torch.device(device)
    model = unet(width).to(dev).eval()
    rows = []
    for b in batches:
        x = torch.randn(b, 4, size, size)
        predict_batch(model, x, dev).argmax(1)
        _sync(dev)
        t = time.perf_counter()
        for _ in range(reps):
            predict_batch(model, x, dev).argmax(1)
        _sync(dev)
        sec = (time.perf_counter() - t) / reps
        rows.append({"device": device_name(device), "size": size, "width": width, "batch": b,
                     "latency_ms_per_batch": 1000 * sec, "images_per_s": b / sec})
    frame = pd.DataFrame(rows)
    frame["best_batch"] = frame.batch == frame.loc[frame.images_per_s.idxmax(), "batch"]
    return frame


def bench_photo(device: str = "cpu", width: int = 64, side: tuple[int, int] = (6000, 4000)) -> pd.DataFrame:
    """`wrinkle predict` on one large photo (scikit-image's astronaut scaled up, side[0] x
    side[1] px) with a width-`width` U-Net in the authors' recipe (1024 px aligned crop):
    seconds per face and the process's peak memory, against the naive whole-photo pass's
    projected cost (its FLOPs grow with the photo's pixels)."""
    import resource

    import cv2
    import skimage.data

    from ..model.recipe import AUTHORS_RECIPE
    from .photos import predict_aligned

    w, h = side
    photo = cv2.resize(skimage.data.astronaut(), (h, h))
    photo = cv2.copyMakeBorder(photo, 0, 0, (w - h) // 2, w - h - (w - h) // 2, cv2.BORDER_REFLECT)
    dev = torch.device(device)
    model = unet(width).to(dev).eval()
    t = time.perf_counter()
    _mask, faces = predict_aligned(model, AUTHORS_RECIPE, photo, dev)
    _sync(dev)
    seconds = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    crop_px = AUTHORS_RECIPE["size"] ** 2
    return pd.DataFrame([{"device": device_name(device), "photo_px": f"{w}x{h}", "width": width,
                          "faces": len(faces), "seconds_per_face": seconds / max(1, len(faces)),
                          "peak_memory_mb": peak_mb,
                          "whole_photo_pixels_vs_crop": w * h / crop_px}])


def bench_synth(sizes=(1024, 256), faces: int = 0, workers: int = 0) -> pd.DataFrame:
    """Synthetic faces rendered and written per second (every file of the release layout),
    with one process per core, over enough faces that starting the processes (about a
    second of imports each) weighs little, as in drawing a data set."""
    import os
    import tempfile

    from ..data.synthetic import write_synthetic

    workers = workers or os.cpu_count() or 1
    rows = []
    for size in sizes:
        n = faces or max(16 * workers, 32 if size >= 1024 else 160)
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            write_synthetic(tmp, n, size, seed=0, progress=False, workers=workers)
            seconds = time.perf_counter() - t
        rows.append({"device": device_name("cpu"), "size": size, "faces": n, "processes": workers,
                     "faces_per_s": n / seconds})
    return pd.DataFrame(rows)


def _steps(args: tuple[int, int, int, int]) -> float:
    """Seconds of `steps` training steps of a width-8 U-Net at one size, in this process
    with `threads` threads."""
    size, batch, steps, threads = args
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.randn(batch, 4, size, size)
    y = (torch.rand(batch, size, size) < 0.02).long()
    return time_steps(unet(8), x, y, True, steps, torch.device("cpu"))


def bench_parallel(size: int = 96, batch: int = 8, steps: int = 20) -> pd.DataFrame:
    """Training throughput on a CPU: one run with every core's thread against as many runs
    of one thread each, side by side (what the experiments do)."""
    import os

    from ..parallel import imap

    cores = os.cpu_count() or 1
    one = list(imap(_steps, [(size, batch, steps, cores)], 1))[0]
    many = list(imap(_steps, [(size, batch, steps, 1)] * cores, cores))
    peak, kind = matmul_peak(torch.device("cpu"))            # every core, in this run
    per_image = train_flops(unet(8), torch.randn(batch, 4, size, size)) / batch
    rows = [{"device": device_name("cpu"), "layout": f"1 run x {cores} threads", "size": size, "batch": batch,
             "images_per_s": batch / one},
            {"device": device_name("cpu"), "layout": f"{cores} runs x 1 thread", "size": size, "batch": batch,
             "images_per_s": sum(batch / s for s in many)}]
    frame = pd.DataFrame(rows)
    frame["ratio_vs_one_run"] = frame.images_per_s / frame.images_per_s.iloc[0]
    frame["tflops"] = frame.images_per_s * per_image / 1e12
    frame["share_of_peak"] = frame.tflops / peak
    frame["peak_tflops"], frame["peak"] = peak, kind
    return frame
