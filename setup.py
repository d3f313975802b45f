"""`pip install .`: the Python module unspin, built by the project's CMake.

Builds the module and the default model in build/pip (a Release tree with
UNSPIN_BUILD_PYTHON=ON, no tests) and packages them with python/unspin/:
the model is shipped inside the package, where unspin.Model.open() looks
first. Needs what scripts/setup installs (cmake, ninja, a C++20 compiler,
pybind11-dev, python3-dev and the libraries); nothing is downloaded, so it
works offline. On Debian's Python, install into a virtual environment
(`python3 -m venv --system-site-packages env && env/bin/pip install .`).
"""

import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCE = os.path.dirname(os.path.abspath(__file__))


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = os.path.join(SOURCE, "build", "pip")
        subprocess.check_call([
            "cmake", "-S", SOURCE, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
            "-DUNSPIN_BUILD_PYTHON=ON", "-DUNSPIN_BUILD_TESTS=OFF",
            f"-DPython3_EXECUTABLE={sys.executable}"])
        subprocess.check_call(
            ["cmake", "--build", build, "--target", "unspin_python", "unspin_default_model"])
        built = os.path.join(build, "python", "unspin")
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        module = [name for name in os.listdir(built) if name.startswith("_unspin.")
                  and name.endswith(".so")]
        shutil.copyfile(os.path.join(built, module[0]), target)
        package = os.path.dirname(target)
        shutil.copyfile(os.path.join(built, "_layout.py"), os.path.join(package, "_layout.py"))
        shutil.copyfile(os.path.join(build, "model", "en-us.unspin"),
                        os.path.join(package, "en-us.unspin"))


setup(
    name="unspin",
    version="0.1.0",
    description="Takes machine-spun text apart: is it spun, what did it say, where is it from",
    python_requires=">=3.9",
    packages=["unspin"],
    package_dir={"unspin": "python/unspin"},
    package_data={"unspin": ["_unspin.pyi", "py.typed"]},
    ext_modules=[Extension("unspin._unspin", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
