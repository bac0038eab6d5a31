"""Network file systems, told by statfs() f_type."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import datatrail as dt

# Written out here rather than taken from the library, so a changed number in its table fails.
NETWORK = {
    0x6969: "NFS",
    0x517B: "SMB (smbfs)",
    0xFF534D42: "CIFS/SMB",
    0xFE534D42: "SMB2/SMB3",
    0x0BD00BD0: "Lustre",
    0x47504653: "GPFS (IBM Storage Scale)",
    0x00C36400: "CephFS",
    0x5346414F: "AFS (OpenAFS)",
    0x6B414653: "AFS (kAFS)",
    0x01021997: "9p (v9fs)",
    0x7461636F: "OCFS2",
    0x01161970: "GFS2",
    0x19830326: "BeeGFS",
    0x73757245: "Coda",
    0xAAD7AAEA: "PanFS (Panasas)",
    0x65735546: "FUSE (e.g. sshfs, GlusterFS): network locking not guaranteed",
}
LOCAL = {"ext4": 0xEF53, "xfs": 0x58465342, "btrfs": 0x9123683E, "tmpfs": 0x01021994, "overlayfs": 0x794C7630}


@pytest.mark.parametrize("magic", sorted(NETWORK), ids=hex)
def test_each_network_file_system_has_its_name(magic: int) -> None:
    assert dt.network_file_system_name(magic) == NETWORK[magic]
    assert dt.network_file_system_name(np.uint32(magic)) == NETWORK[magic]


@pytest.mark.parametrize("name", sorted(LOCAL))
def test_local_file_systems_have_none(name: str) -> None:
    assert dt.network_file_system_name(LOCAL[name]) is None


@pytest.mark.parametrize("bad", [-1, 2**64, True, "nfs", 1.5, None])
def test_a_magic_that_is_not_an_unsigned_64_bit_int_is_refused(bad: object) -> None:
    with pytest.raises(dt.ValidationError) as e:
        dt.network_file_system_name(bad)  # type: ignore[arg-type]
    assert e.value.violations[0].field == "magic"
    assert "2**64 - 1" in str(e.value)


def test_a_local_temporary_folder_is_not_a_network_file_system(tmp_path: Path) -> None:
    # coreutils' stat reads the same statfs() field, independently of datatrail.
    if shutil.which("stat"):
        f_type = subprocess.run(["stat", "-f", "-c", "%t", str(tmp_path)], check=True, capture_output=True, text=True)
        assert dt.file_system_magic(tmp_path / "new.db") == int(f_type.stdout, 16)
    assert dt.network_file_system(tmp_path / "new.db") is None
    assert dt.network_file_system(str(tmp_path / "new.db")) is None
    with pytest.raises(dt.StorageError, match="missing"):
        dt.file_system_magic(tmp_path / "missing" / "cat.db")
