"""What pyproject.toml cannot say: a wheel holds exactly the checkout's files.

setuptools copies the packages into build/lib and builds the wheel from there, but never
removes a file the checkout no longer has: a module deleted or moved since an earlier build
in this folder would ship in the wheel (and be importable from it). So each build starts
from an empty build/lib for scorecard_xl.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class FreshBuildPy(build_py):
    def run(self) -> None:
        shutil.rmtree(Path(self.build_lib) / "scorecard_xl", ignore_errors=True)
        super().run()


setup(cmdclass={"build_py": FreshBuildPy})
