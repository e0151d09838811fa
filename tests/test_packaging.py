"""What `pip install .` (the image) carries: every data file the code reads at run time.

The image installs the package as a wheel, so a file whose suffix no package-data pattern names is
silently left out, and the code that reads it fails only in production (the lexicons once did).
The training and evaluation sources under jamono/brain/data are read by `jamono train`/`eval`
from a checkout, not at run time."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("jamono", "listeners", "workers", "knowledge", "migrations")
NOT_AT_RUN_TIME = ("jamono/brain/data/src/", "jamono/brain/data/heldout/")


def test_every_data_file_of_the_packages_is_in_the_wheel():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["*"]
    left_out = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*"):
            relative = path.relative_to(ROOT).as_posix()
            if (
                path.is_dir()
                or path.suffix in (".py", ".pyc")
                or "__pycache__" in relative
                or relative.startswith(NOT_AT_RUN_TIME)
            ):
                continue
            if not any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns):
                left_out.append(relative)
    assert left_out == [], "add their suffix to [tool.setuptools.package-data] in pyproject.toml"
