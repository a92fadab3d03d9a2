"""A minimal PEP 517 build backend for the snapdb Python package.

Why not setuptools: the wheel carries one native file, libsnap.so, that
comes from outside the package, and `pip install ./bindings/python` should
work offline. This backend needs only the standard library.

Where libsnap.so comes from, in order:
  1. $SNAPDB_LIBRARY, the path of a built libsnap.so (`make lib` writes
     build/libsnap.so): copied into the wheel as snapdb/libsnap.so.
  2. Otherwise, when a `go` command is on PATH and this directory sits in
     the snapdb repository (bindings/python), it runs
     `go build -buildmode=c-shared -o <tmp>/libsnap.so ./ffi` in the
     repository (about a minute without a warm build cache).
  3. Otherwise the build fails and says so.
The wheel is tagged py3-none-<platform>: it holds a native library.
"""

import base64
import pathlib
import hashlib
import io
import os
import re
import shutil
import subprocess
import sysconfig
import tarfile
import tempfile
import zipfile

NAME = "snapdb"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # bindings/python
REPO = os.path.dirname(os.path.dirname(HERE))


def _version():
    m = re.search(r'^version = "([^"]+)"', pathlib.Path(HERE, "pyproject.toml").read_text(), re.M)
    return m.group(1)


def _metadata():
    readme = pathlib.Path(HERE, "README.md").read_text(encoding="utf-8")
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {NAME}\n"
        f"Version: {_version()}\n"
        "Summary: snapdb: immutable database snapshots, read-only SQL and entity matching (ctypes over libsnap.so)\n"
        "Requires-Python: >=3.9\n"
        "Provides-Extra: arrow\n"
        'Requires-Dist: pyarrow>=14; extra == "arrow"\n'
        "Provides-Extra: pandas\n"
        'Requires-Dist: pyarrow>=14; extra == "pandas"\n'
        'Requires-Dist: pandas; extra == "pandas"\n'
        "Description-Content-Type: text/markdown\n"
        "\n" + readme
    )


def _library(tmp):
    env = os.environ.get("SNAPDB_LIBRARY")
    if env:
        if not os.path.isfile(env):
            raise RuntimeError(f"snapdb build: SNAPDB_LIBRARY={env} is not a file")
        print(f"snapdb build: bundling libsnap.so from SNAPDB_LIBRARY={env}")
        return env
    go = shutil.which("go")
    gomod = os.path.join(REPO, "go.mod")
    if go and os.path.isfile(gomod) and "module github.com/snapdb/snapdb" in pathlib.Path(gomod).read_text():
        out = os.path.join(tmp, "libsnap.so")
        print(f"snapdb build: go build -buildmode=c-shared ./ffi in {REPO}")
        subprocess.run(
            [go, "build", "-buildmode=c-shared", "-trimpath", "-ldflags=-s -w", "-o", out, "./ffi"],
            cwd=REPO,
            check=True,
        )
        return out
    raise RuntimeError(
        "snapdb build: no libsnap.so: set SNAPDB_LIBRARY to a built one (`make lib` writes "
        "build/libsnap.so), or build from the snapdb repository with Go on PATH"
    )


def _sources():
    pkg = os.path.join(HERE, NAME)
    for name in sorted(os.listdir(pkg)):
        if name.endswith(".py") or name == "py.typed":
            yield os.path.join(pkg, name), f"{NAME}/{name}"


def _record_line(arc, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arc},sha256={digest},{len(data)}"


def _tag():
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"py3-none-{plat}"


# ---- PEP 517 hooks ----------------------------------------------------------


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    version, tag = _version(), _tag()
    distinfo = f"{NAME}-{version}.dist-info"
    path = os.path.join(wheel_directory, f"{NAME}-{version}-{tag}.whl")
    with tempfile.TemporaryDirectory() as tmp:
        files = [(arc, pathlib.Path(src).read_bytes()) for src, arc in _sources()]
        files.append((f"{NAME}/libsnap.so", pathlib.Path(_library(tmp)).read_bytes()))
        files.append((f"{distinfo}/METADATA", _metadata().encode()))
        files.append(
            (
                f"{distinfo}/WHEEL",
                f"Wheel-Version: 1.0\nGenerator: snapdb-backend\nRoot-Is-Purelib: false\nTag: {tag}\n".encode(),
            )
        )
        record = [_record_line(arc, data) for arc, data in files] + [f"{distinfo}/RECORD,,"]
        files.append((f"{distinfo}/RECORD", ("\n".join(record) + "\n").encode()))
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for arc, data in files:
                info = zipfile.ZipInfo(arc, date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = (0o755 if arc.endswith(".so") else 0o644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)
    return os.path.basename(path)


def build_sdist(sdist_directory, config_settings=None):
    """The Python sources only: building a wheel from it needs
    SNAPDB_LIBRARY (it is outside the snapdb repository)."""
    version = _version()
    base = f"{NAME}-{version}"
    path = os.path.join(sdist_directory, base + ".tar.gz")
    with tarfile.open(path, "w:gz") as t:
        for rel in ["pyproject.toml", "README.md", "_build/backend.py"]:
            t.add(os.path.join(HERE, rel), f"{base}/{rel}")
        for src, arc in _sources():
            t.add(src, f"{base}/{arc}")
        meta = _metadata().encode()
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size = len(meta)
        t.addfile(info, io.BytesIO(meta))
    return os.path.basename(path)
