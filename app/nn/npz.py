"""Reading an untrusted .npz without inflating it first.

np.load inflates a member as soon as it is indexed, whatever its header claims: a 1 MB upload
whose one array is a deflated run of zeros grows to 1 GiB in memory, and a 322-byte file whose
.npy header claims shape (2**40,) asks NumPy for 8 TiB. Here the zip's directory and each
member's .npy header (dtype, shape) are read first, checked against the caller's limits and the
caller's idea of the shapes, and only then is each array decompressed, by a bounded read of
exactly the bytes its header promised.

    members = read_headers(data, max_members=16)          # names, dtypes, shapes: nothing inflated
    check(members)                                        # the caller's shape and size rules
    arrays = read_arrays(data, members, max_bytes=2**22)  # each read stops at its header's size

Raises NpzError (a ValueError) naming the member and the limit. NumPy and the standard library.
"""

import io
import math
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
from numpy.lib import format as npy

HEADER_BYTES = 4096  # a .npy header is a few hundred bytes; numpy itself refuses over 10 000
# What can go wrong reading a hostile zip: a bad directory, a corrupt or truncated deflate
# stream, an unsupported or encrypted member, a CRC mismatch.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)


class NpzError(ValueError):
    """An .npz that is malformed or over a limit; the message names the member."""


@dataclass(frozen=True)
class Member:
    """One array of the archive as its header describes it (nothing read beyond the header)."""

    name: str  # the zip member, e.g. "weight_ih_l0.npy"
    key: str  # the array's name, as np.load gives it: "weight_ih_l0"
    dtype: np.dtype
    shape: tuple[int, ...]
    fortran_order: bool

    @property
    def nbytes(self) -> int:
        # Python integers: a claimed shape of (2**40, 2**40) does not overflow.
        return math.prod(self.shape) * self.dtype.itemsize


# Said for people, without the zip library's wording (a text file is the usual mistake).
NOT_NPZ = (
    "not a readable .npz file: save the weights with np.savez (a zip of .npy arrays), "
    "not as text or with torch.save"
)


def _zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS:
        raise NpzError(NOT_NPZ) from None


def member_names(data: bytes, max_members: int) -> list[str]:
    """The archive's member names, from its central directory (nothing is decompressed)."""
    with _zip(data) as zf:
        names = zf.namelist()
    if len(names) > max_members:
        raise NpzError(f"the file has {len(names)} members; the limit is {max_members}")
    return names


def _parse(name: str, head: bytes) -> tuple[Member, bytes]:
    """The member's header parsed from its first bytes, and the bytes after it (data)."""
    buffer = io.BytesIO(head)
    try:
        version = npy.read_magic(buffer)
        if version == (1, 0):
            shape, fortran, dtype = npy.read_array_header_1_0(buffer)
        elif version == (2, 0):
            shape, fortran, dtype = npy.read_array_header_2_0(buffer)
        else:
            raise NpzError(f"member {name!r}: .npy format version {version} is not supported")
    except NpzError:
        raise
    except ZIP_ERRORS:
        raise NpzError(f"member {name!r} is not a plain .npy array of numbers") from None
    if any(d < 0 for d in shape):
        raise NpzError(f"member {name!r} claims the impossible shape {tuple(shape)}")
    key = name[: -len(".npy")] if name.endswith(".npy") else name
    return Member(name, key, dtype, tuple(shape), bool(fortran)), head[buffer.tell() :]


def _header(zf: zipfile.ZipFile, name: str) -> Member:
    with zf.open(name) as f:
        head = f.read(HEADER_BYTES)  # bounded: however large the member claims to be
    return _parse(name, head)[0]


def read_headers(data: bytes, max_members: int = 16) -> list[Member]:
    """Every member's dtype and shape, read from its first few KB only."""
    names = member_names(data, max_members)
    with _zip(data) as zf:
        try:
            return [_header(zf, name) for name in names]
        except NpzError:
            raise
        except ZIP_ERRORS:
            raise NpzError(NOT_NPZ) from None


def check_plain(members: list[Member], dtypes: dict[str, tuple[str, ...]], max_bytes: int) -> None:
    """Each member a plain numeric array of an allowed dtype, and all of them together at most
    max_bytes once inflated. dtypes: key → allowed dtype kinds+sizes, e.g. ("f2", "f4", "f8")."""
    total = 0
    for m in members:
        allowed = dtypes.get(m.key, ())
        code = f"{m.dtype.kind}{m.dtype.itemsize}"
        if m.dtype.hasobject or m.dtype.fields is not None or m.dtype.subdtype is not None:
            raise NpzError(f"member {m.name!r} holds Python objects or records, not numbers")
        if code not in allowed:
            raise NpzError(
                f"member {m.name!r} has dtype {m.dtype}; expected one of "
                f"{', '.join(str(np.dtype(c)) for c in allowed) or 'none'}"
            )
        total += m.nbytes
        if total > max_bytes:
            raise NpzError(
                f"member {m.name!r} (shape {m.shape}, dtype {m.dtype}) takes the arrays past "
                f"the limit of {max_bytes // 2**20} MB once unpacked"
            )


def read_arrays(data: bytes, members: list[Member]) -> dict[str, np.ndarray]:
    """The arrays of checked members: each read exactly to the size its header states, so a
    member that inflates to more than it claimed is cut there (and then fails its CRC)."""
    arrays: dict[str, np.ndarray] = {}
    with _zip(data) as zf:
        for m in members:
            try:
                arrays[m.key] = _read_one(zf, m)
            except NpzError:
                raise
            except ZIP_ERRORS:
                raise NpzError(f"member {m.name!r} cannot be read: the file is damaged") from None
    return arrays


def _read_one(zf: zipfile.ZipFile, m: Member) -> np.ndarray:
    with zf.open(m.name) as f:
        _, rest = _parse(m.name, f.read(HEADER_BYTES))
        body = bytearray(rest)
        if len(body) < m.nbytes:
            body += f.read(m.nbytes - len(body))  # at most what the checked header promised
        # Reading on to the end makes zipfile check the member's CRC.
        if len(body) != m.nbytes or f.read(1):
            raise NpzError(f"member {m.name!r} does not hold exactly the array its header states")
    flat = np.frombuffer(bytes(body), dtype=m.dtype)
    return flat.reshape(m.shape[::-1]).T if m.fortran_order else flat.reshape(m.shape)
