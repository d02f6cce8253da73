"""Issue 13, item 1: uploads are bounded before they are inflated.

Only the expected array names are read; each member's .npy header (dtype, shape) is checked
against the limits and the model's own shapes, and the total unpacked size is capped, before
any array is decompressed. A 1 GiB zip bomb leaves the real server's resident memory almost
where it was; a MemoryError anywhere is a 503, never a 500.
"""

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from numpy.lib import format as npy

from app.nn.params import init_params
from app.services import lab_runs
from tests.reliability import server as app_server
from tests.security.lab_client import lab_client, npz_bytes, upload

GIB = 2**30


@pytest.fixture(scope="module")
def lab(tmp_path_factory, module_database_url):
    yield from lab_client(tmp_path_factory.mktemp("lab"), database_url=module_database_url)


def member(zf: zipfile.ZipFile, key: str, header: dict, data: bytes = b"", **kw) -> None:
    with zf.open(f"{key}.npy", "w", force_zip64=True, **kw) as f:
        npy.write_array_header_1_0(f, header)
        f.write(data)


def bomb(nbytes: int = GIB, key: str = "weight_hh_l0") -> bytes:
    """One `zeros` array of `nbytes`, deflated at level 9 (about 1 MB on the wire), beside the
    other arrays of a small RNN."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, value in init_params("rnn", 2, 4, np.random.default_rng(0)).items():
            if name != key:
                with zf.open(f"{name}.npy", "w") as f:
                    npy.write_array(f, value)
        with zf.open(f"{key}.npy", "w", force_zip64=True) as f:
            header = {"descr": "<f8", "fortran_order": False, "shape": (nbytes // 8,)}
            npy.write_array_header_1_0(f, header)
            chunk = bytes(2**20)
            for _ in range(nbytes // len(chunk)):
                f.write(chunk)
    return buffer.getvalue()


def header_only(shape: tuple[int, ...], key: str = "weight_hh_l0", others: bool = True) -> bytes:
    """A tiny .npz whose `key` header claims `shape` with no data behind it (the review's
    322-byte file claiming 8 TiB), beside the other arrays of a small RNN when `others`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        if others:
            for name, value in init_params("rnn", 2, 4, np.random.default_rng(0)).items():
                if name != key:
                    with zf.open(f"{name}.npy", "w") as f:
                        npy.write_array(f, value)
        member(zf, key, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def detail(response) -> str:
    return response.json()["detail"]


# --- in process: each check names the member and the limit ---------------------------------------


@pytest.mark.parametrize(
    ("shape", "words"),
    [
        ((2**40,), ("weight_hh_l0", "shape")),
        ((2**20 * 4, 2**20), ("H = 1048576", "H ≤ 128")),
        ((512, 128 * 1024), ("weight_hh_l0", "(G·H, H)")),
    ],
)
def test_a_header_claiming_a_huge_array_is_a_422_not_a_500(lab, shape, words):
    response = upload(lab, header_only(shape))
    assert response.status_code == 422
    for word in words:
        assert word in detail(response)
    alone = header_only(shape, others=False)
    assert len(alone) < 400
    assert upload(lab, alone).status_code == 422


def test_the_total_unpacked_size_is_capped_before_reading(lab, monkeypatch):
    monkeypatch.setattr(lab_runs, "MAX_UNPACKED", 2**20)  # 1 MB: an H = 128, D = 256 LSTM is over
    arrays = init_params("lstm", 256, 128, np.random.default_rng(0))
    response = upload(lab, arrays)
    assert response.status_code == 422
    assert "1 MB once unpacked" in detail(response) and "member '" in detail(response)


@pytest.mark.parametrize(
    ("name", "header", "words"),
    [
        ("vocab", {"descr": "|O", "fortran_order": False, "shape": (3,)}, ("vocab", "objects")),
        ("weight_ih_l0", {"descr": "<c16", "fortran_order": False, "shape": (4, 2)}, ("dtype",)),
        (
            "weight_ih_l0",
            {"descr": [("a", "<f8")], "fortran_order": False, "shape": (4, 2)},
            ("records",),
        ),
    ],
)
def test_only_plain_number_dtypes_are_read(lab, name, header, words):
    arrays = {
        k: v for k, v in init_params("rnn", 2, 4, np.random.default_rng(0)).items() if k != name
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for key, value in arrays.items():
            with zf.open(f"{key}.npy", "w") as f:
                npy.write_array(f, value)
        member(zf, name, header, b"\0" * 64)
    response = upload(lab, buffer.getvalue())
    assert response.status_code == 422, response.text
    for word in words:
        assert word in detail(response)


def test_an_unexpected_member_is_refused_by_name_and_never_inflated(lab):
    arrays = init_params("rnn", 2, 4, np.random.default_rng(0))
    buffer = io.BytesIO(npz_bytes(arrays))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as zf:
        # Its header is plain, its data a bomb: the name alone refuses it.
        member(
            zf, "extra", {"descr": "<f8", "fortran_order": False, "shape": (2**24,)}, bytes(2**27)
        )
    response = upload(lab, buffer.getvalue())
    assert response.status_code == 422 and "unexpected key 'extra'" in detail(response)


def test_a_member_holding_more_than_its_header_states_is_refused(lab):
    arrays = init_params("rnn", 2, 4, np.random.default_rng(0))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for key, value in arrays.items():
            extra = bytes(2**20) if key == "bias_hh_l0" else b""
            member(zf, key, npy.header_data_from_array_1_0(value), value.tobytes() + extra)
    response = upload(lab, buffer.getvalue())
    assert response.status_code == 422
    assert "bias_hh_l0.npy" in detail(response) and "header states" in detail(response)


def test_too_many_members_are_refused_from_the_directory(lab):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for k in range(40):
            zf.writestr(f"m{k}.npy", b"")
    response = upload(lab, buffer.getvalue())
    assert response.status_code == 422 and "40 members" in detail(response)


def test_a_good_upload_still_loads_exactly(lab):
    arrays = init_params("gru", 3, 5, np.random.default_rng(3))
    fortran = {k: np.asfortranarray(v).astype(">f4") for k, v in arrays.items()}
    response = upload(lab, fortran, {"input": [[1, 0, 0], [0, 1, 0]]})
    assert response.status_code == 200, response.text
    assert response.json()["H"] == 5 and response.json()["D"] == 3


def test_memory_error_anywhere_is_a_503_with_retry_after(lab, monkeypatch):
    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(lab_runs, "run_preset", out_of_memory)
    response = lab.post("/api/lab/run", json={"preset": "adding-lstm"})
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "memory" in detail(response) and "MemoryError" not in response.text


# --- the real server: resident memory on a 1 GiB zip bomb ----------------------------------------


def rss_kb(pid: int, field: str = "VmHWM") -> int:
    """The process's resident memory (VmHWM: its peak so far) in kB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{pid}/status")


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[app_server.Server]:
    """`python -m app.serve` with one worker: the server is that one process."""
    data = tmp_path_factory.mktemp("served")
    server = app_server.start(data, f"sqlite:///{data / 'app.db'}", workers=1)
    try:
        yield server
    finally:
        server.stop()


def test_a_zip_bomb_does_not_grow_the_servers_memory(served):
    zipped = bomb()
    assert len(zipped) < 2 * 2**20  # under the upload cap: the body limit alone does not stop it
    pid = served.process.pid
    with httpx.Client(base_url=served.url, timeout=60) as client:

        def send(data: bytes):
            files = {"weights": ("w.npz", data)}
            return client.post("/api/lab/run", files=files, headers={"Origin": served.url})

        # Warm up: the first lab request loads NumPy's and the lab's code and presets.
        warm = send(npz_bytes(init_params("lstm", 2, 8, np.random.default_rng(0))))
        assert warm.status_code == 200, warm.text
        before = rss_kb(pid)
        for _ in range(3):
            response = send(zipped)
            assert response.status_code == 422
            assert "key 'weight_hh_l0' has shape (134217728,)" in response.json()["detail"]
        grown_mb = (rss_kb(pid) - before) / 1024
    print(f"peak resident memory grew by {grown_mb:.1f} MB over three 1 GiB zip bombs")
    assert grown_mb < 50, f"the server's peak resident memory grew by {grown_mb:.0f} MB"
