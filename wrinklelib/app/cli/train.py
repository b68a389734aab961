"""`wrinkle train`: one training stage outside the notebooks (torchrun starts it so too)."""

from __future__ import annotations

from pathlib import Path

from .common import fail


def check_args(settings, args) -> None:
    """One line naming a fraction, seed, target or budget these settings cannot train
    (checked before any data is drawn)."""
    from ...config.settings import SettingError, check

    if args.fraction not in settings.fractions:
        raise SettingError(f"--fraction {args.fraction:g}: expected one of the run's fractions "
                           f"{', '.join(f'{f:g}' for f in settings.fractions)}")
    if args.seed < 0 or args.updates < 0:
        raise SettingError(f"--seed {args.seed} / --updates {args.updates}: expected integers >= 0")
    check("fusion_targets", [args.target])


def check_job(run, args) -> None:
    """One line naming a validation reference or a missing pretraining the run cannot use."""
    from ...config.settings import ARMS, SettingError
    from ...training.stage import RESULT, check_validation, init_dir

    check_validation(run, args.validate)
    init = init_dir(run, args.arm, args.seed)
    if init is not None and not (init / RESULT).exists():
        raise SettingError(f"--arm {args.arm}: starts from a pretraining that is not trained yet ({init}); "
                           f"run `wrinkle train --stage pretrain --task {ARMS[args.arm]['init']} "
                           f"--seed {run.settings.pretrain_seed(args.seed)}` first")


def cmd_train(args) -> int:
    from ...book.execute import parse_override
    from ...config import run as runs
    from ...config.settings import SettingError, resolve_settings
    from ...data.layout import DataError
    from ...training import finetuning, pretraining
    from ...training.loop import TrainingError

    try:
        if args.run_file:
            run = runs.load(Path(args.run_file))
        else:
            overrides = dict(parse_override(p) for p in args.param)
            if args.stage == "finetune":
                check_args(resolve_settings(args.profile, overrides), args)
            run = runs.resolve(args.profile, overrides)
        if args.stage == "finetune":
            check_args(run.settings, args)
            check_job(run, args)
    except SettingError as err:
        return fail("train", err)
    try:
        if args.stage == "pretrain":
            print(f"checkpoint: {pretraining.pretrain(run, args.task, args.seed)}")
        else:
            result = finetuning.finetune(run, args.arm, args.fraction, args.seed, args.target, args.updates,
                                         args.validate)
            print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in result.items()})
    except (TrainingError, DataError) as err:
        return fail("train", err, 1)
    return 0


def add(sub) -> None:
    """The subcommands of this module."""
    from ...config.settings import ARMS
    from ...labels.pretext import TASKS
    from ...labels.targets import mask_names

    p = sub.add_parser("train", help="pretrain or finetune one model outside the notebooks")
    p.add_argument("--stage", choices=["pretrain", "finetune"], required=True)
    p.add_argument("--run-file", help="a run.json written by `wrinkle run` (instead of --profile and -p)")
    p.add_argument("--profile", default="cpu")
    p.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--task", default="texture", choices=list(TASKS),
                   help="pretraining target: texture or a pretext task")
    p.add_argument("--arm", default="ours", choices=list(ARMS))
    p.add_argument("--fraction", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0, help="finetuning seed, or pretraining seed with --stage pretrain")
    p.add_argument("--target", default="vote", help="training target: vote, a fusion target or annotator:<skill>")
    p.add_argument("--updates", type=int, default=0, help="the run's budget (default: its fraction's)")
    p.add_argument("--validate", default="vote",
                   help="what validation scores against: " + ", ".join(mask_names())
                   + " (the truth: synthetic data)")
    p.set_defaults(func=cmd_train)
