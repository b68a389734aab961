"""`wrinkle run --dry-run`: validate the data, print the plan and a projected wall time,
train nothing."""

from __future__ import annotations

from pathlib import Path

from ..config import paths
from ..config.run import plan_split
from ..config.settings import ARMS, SettingError, Settings, resolve_settings
from ..data import layout as data
from ..data.check import check_data


def measure_step_seconds(cfg: Settings, size: int = 128, steps: int = 2) -> tuple[float, str]:
    """Seconds per training image at the profile's patch and width, measured here with the
    step `fit` takes (app.bench.time_steps) on a smaller patch and scaled by pixel count
    (convolution cost grows with pixels)."""
    import torch

    from ..config.environment import device_name, resolve_device
    from .bench import time_steps, unet

    device = resolve_device(cfg.device if cfg.device != "cuda" or torch.cuda.is_available() else "cpu")
    side = min(size, cfg.patch)
    x = torch.randn(1, 4, side, side, device=device)
    y = torch.zeros(1, side, side, dtype=torch.long, device=device)
    per_image = time_steps(unet(cfg.width).to(device), x, y, True, steps, device)
    return per_image * (cfg.patch / side) ** 2, device_name(str(device))


def updates(cfg: Settings) -> tuple[int, int, int]:
    """(finetuning runs, pretraining updates, finetuning updates) of a profile: the pilot,
    Table 1, Table 2 and, on synthetic data, Table 3."""
    arms = [a for a in cfg.arms if a in ARMS]
    cells = [(len(arms) * len(cfg.seeds), cfg.fractions), (len(cfg.pretext_tasks) * len(cfg.ablation_seeds),
                                                            cfg.ablation_fractions)]
    if not cfg.data_dir:
        cells.append((len(cfg.fusion_targets) * len(cfg.fusion_seeds), cfg.fusion_fractions))
    pilot = len(arms) * len(cfg.pilot_fractions) * len(cfg.pilot_seeds)
    runs = sum(n * len(fr) for n, fr in cells) + pilot * len(cfg.pilot_updates)
    fine = sum(n * sum(cfg.updates(f) for f in fr) for n, fr in cells) + pilot * sum(cfg.pilot_updates)
    return runs, cfg.pretrain_updates * (1 + len(cfg.pretext_tasks)) * len(cfg.pretrain_seeds), fine


def plan(cfg: Settings, root: Path) -> list[str]:
    """Lines describing what a run of this profile on this folder would do."""
    manual, images = data.list_ids(root, data.MANUAL), data.list_ids(root)
    cfg, split, notes = plan_split(cfg, root)
    weak = len(data.list_ids(root, data.WEAK))
    runs, pre, fine = updates(cfg)
    lines = [f"data: {root} ({len(images)} images, {len(manual)} manual masks, {weak} weak masks)",
             *[f"note: {n}" for n in notes],
             f"images: {cfg.size} px (files of another size are resized when loaded), trained on "
             f"{cfg.patch} px patches, scored whole",
             f"pretraining: {len(split['pretrain'])} faces, {cfg.pretrain_updates:,} updates each, texture "
             f"+ {len(cfg.pretext_tasks)} pretext tasks ({', '.join(cfg.pretext_tasks)}), "
             f"{len(cfg.pretrain_seeds)} run(s) of each",
             f"finetuning: train/val/test {len(split['train'])}/{len(split['val'])}/{len(split['test'])}"
             f"{' (official test list)' if split['official_test_list'] else ''}; fractions "
             + ", ".join(f"{f * 100:g}%={max(1, round(f * len(split['train'])))}" for f in cfg.fractions)
             + " (each seed draws its own faces)",
             f"runs: {runs} finetunings (the pilot, Tables 1 and 2), budgets "
             + ", ".join(f"{f * 100:g}%: {cfg.updates(f):,} updates" for f in cfg.fractions),
             f"checkpoints: {paths.cache() / 'train'}; run record: {paths.cache() / 'runs'}",
             f"executed notebooks: {paths.EXECUTED}; tables: {paths.tables()}",
             f"image-steps: {pre * cfg.batch_size:,} pretraining + {fine * cfg.batch_size:,} finetuning"]
    seconds, device = measure_step_seconds(cfg)
    hours = (pre + fine) * cfg.batch_size * seconds / 3600
    lines.append(f"projected wall time on {device}: {hours:,.1f} h on 1 device, {hours / 8:,.1f} h on 8 "
                 f"(measured {seconds * 1000:.0f} ms per {cfg.patch} px training patch, linear scaling assumed; "
                 "validation and test scoring not included)")
    return lines


def dry_run(profile: str, overrides: dict) -> int:
    """Validate the settings and the data folder and print the plan; 0 when usable, 1 naming
    the problems. Nothing is trained and nothing is saved."""
    cfg = resolve_settings(profile, overrides)
    if cfg.data_dir in ("", "REQUIRED"):
        raise SettingError(f"dry run: profile {profile!r} reads no user data (pass --data DIR)")
    root = Path(cfg.data_dir)
    problems = check_data(root)
    for p in problems:
        print(p)
    fatal = [p for p in problems if p.fatal]
    if fatal:
        print(f"dry run: {root} is not usable: {len(fatal)} problem(s) listed above")
        return 1
    for line in plan(cfg, root):
        print(line)
    print("dry run: nothing was trained")
    return 0
