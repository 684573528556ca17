"""The build's one step that pyproject.toml cannot say: templates/ stays at the top level (the client's
layout) and the wheel carries it as hotline/templates, where create_app looks first (hotline/__init__.py).
An editable checkout reads templates/ itself. Everything else is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

TEMPLATES = Path(__file__).resolve().parent / "templates"


class BuildWithTemplates(build_py):
    def run(self):
        super().run()
        if not getattr(self, "editable_mode", False):
            shutil.copytree(TEMPLATES, Path(self.build_lib) / "hotline" / "templates", dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithTemplates})
