"""Run profiles (smoke, cpu, gpu, paper), read from the plain-data file profiles.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

PROFILE_FILE = Path(__file__).with_name("profiles.toml")


def load_profiles(path: Path = PROFILE_FILE) -> dict[str, dict]:
    """All profiles as a dict of name to parameter dict."""
    with open(path, "rb") as f:
        return tomllib.load(f)


def load_profile(name: str) -> dict:
    """The parameters of one profile; an unknown name is an error listing the known ones."""
    profiles = load_profiles()
    if name not in profiles:
        raise KeyError(f"unknown profile {name!r}; known profiles: {', '.join(profiles)}")
    return dict(profiles[name])
