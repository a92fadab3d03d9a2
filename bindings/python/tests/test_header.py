"""The ctypes declarations against include/snap.h, the contract."""

import ctypes
import os
import re

import pytest

from snapdb import _ffi

from conftest import REPO


def header_functions():
    path = os.environ.get("SNAPDB_HEADER") or os.path.join(REPO, "include", "snap.h")
    if not os.path.isfile(path):
        pytest.skip(f"no snap.h at {path}")
    with open(path) as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = text.split("#ifndef SNAP_NO_PROTOTYPES", 1)[1]
    out = {}
    for m in re.finditer(r"([A-Za-z_][\w\s\*]*?)\b(snap_\w+)\s*\(([^)]*)\)\s*;", text):
        ret, name, args = m.group(1).strip(), m.group(2), m.group(3).strip()
        out[name] = (ret, [] if args in ("", "void") else [a.strip() for a in args.split(",")])
    return out


def test_every_function_is_declared():
    h = header_functions()
    assert set(h) == set(_ffi.FUNCTIONS)


def _kind(ctype):
    """The C spelling's shape for a ctypes type: pointer or scalar width."""
    if ctype is None:
        return "void"
    if ctype in (ctypes.c_char_p, ctypes.c_void_p) or issubclass(ctype, ctypes._Pointer):
        return "pointer"
    return ctypes.sizeof(ctype), ctype in (ctypes.c_uint32, ctypes.c_uint64)


C_SCALARS = {
    "int": (4, False),
    "int32_t": (4, False),
    "uint32_t": (4, True),
    "uint64_t": (8, True),
    "snap_db": (8, True),
    "size_t": (8, True),
}


def _c_kind(decl):
    if "*" in decl:
        return "pointer"
    if decl.startswith("void"):
        return "void"
    typ = decl.replace("const ", "").split()[0]
    return C_SCALARS[typ]


@pytest.mark.parametrize("name", sorted(_ffi.FUNCTIONS))
def test_signature_matches_header(name):
    h = header_functions()
    ret, args = h[name]
    restype, argtypes = _ffi.FUNCTIONS[name]
    assert len(argtypes) == len(args), f"{name}: {len(argtypes)} ctypes args, header has {args}"
    assert _kind(restype) == _c_kind(ret), name
    for a, c in zip(argtypes, args):
        want = _c_kind(c)
        got = _kind(a)
        if want != "pointer" and got != "pointer":
            assert got[0] == want[0], f"{name}: {c}"
        else:
            assert got == want, f"{name}: {c}"


def test_struct_sizes():
    # The layouts of snap.h on LP64: checked by size and offsets.
    assert ctypes.sizeof(_ffi.snap_open_options) == 12
    assert ctypes.sizeof(_ffi.ArrowArrayStream) == 40
    m = _ffi.snap_snapshot_meta
    assert m.root_hash.offset == 32
    assert m.has_wal_lsn.offset == 100
    assert m.wal_lsn.offset == 104
    assert ctypes.sizeof(m) == 112
