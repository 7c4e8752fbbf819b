"""Build hook: the wheel carries the top-level wsdl/ and mappings/ as bridge/_data/.

Everything else is in pyproject.toml. The two directories stay where they are (the source of
truth, beside the package rather than in it), so build_py copies them into the built package,
where bridge.resources finds them with importlib.resources. An editable install builds nothing
(`editable_mode`): a checkout reads the top-level directories in place.
"""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_DIRS = ("wsdl", "mappings")


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            for name in DATA_DIRS:
                self.copy_tree(name, str(Path(self.build_lib) / "bridge" / "_data" / name))


setup(cmdclass={"build_py": BuildPyWithData})
