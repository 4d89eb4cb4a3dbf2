"""Version ordering (SPEC §1 "Versions") and size parsing (SPEC §6)."""
from __future__ import annotations

import copy
import pickle

import pytest

from sim.errors import VersionError
from sim.model import Version, parse_size


@pytest.mark.parametrize(
    "lower, higher",
    [
        ("2.9.5", "2.10.0"),      # numeric, not lexical
        ("2.2.1", "2.2.2"),
        ("7.2", "7.4"),           # Redis versions
        ("7.4", "8.0"),
        ("7.4.2-54", "7.4.10-1"), # Redis Software: parts before build
        ("7.4.2", "7.4.2-54"),    # a missing build counts as 0
        ("7.4", "7.4.0.1"),       # a missing part counts as 0
        ("1", "1.0.1"),
    ],
)
def test_versions_compare_numerically_part_by_part(lower: str, higher: str) -> None:
    """The left version is strictly lower than the right one, and not the other way."""
    assert Version(lower) < Version(higher)
    assert Version(higher) > Version(lower)
    assert Version(lower) != Version(higher)


@pytest.mark.parametrize("a, b", [("7.4.2", "7.4.2.0"), ("8.0", "8"), ("7.4.2-0", "7.4.2"), (" 2.2.1", "2.2.1")])
def test_missing_parts_count_as_zero(a: str, b: str) -> None:
    """Versions differing only by trailing zeros are equal and hash alike."""
    assert Version(a) == Version(b)
    assert hash(Version(a)) == hash(Version(b))


@pytest.mark.parametrize("text", ["", "v2.2.1", "2.2.x", "2..1", "7.4.2-", "7.4.2-54-1", "latest", "2.2.1b"])
def test_bad_version_strings_are_refused(text: str) -> None:
    """A string that is not dotted numbers with an optional build is a VersionError (a ValueError)."""
    with pytest.raises(VersionError, match="is not a version"):
        Version(text)
    with pytest.raises(ValueError):
        Version(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        (0, 0), (1000, 1000), ("1GB", 10**9), ("2GB", 2 * 10**9), ("512MiB", 512 * 2**20),
        ("1.5GB", 1_500_000_000), ("100MB", 10**8), ("4KiB", 4096), ("10 B", 10), ("1e9", 10**9),
        ("2gib", 2 * 2**30), (1e9, 10**9),
    ],
)
def test_sizes_with_units(text: object, expected: int) -> None:
    """Decimal units are powers of 10, binary units powers of 2."""
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["-1GB", -5, "1XB", "GB", "1.5B", True, None, [1]])
def test_bad_sizes_are_refused(text: object) -> None:
    """Negative sizes, unknown units and fractional bytes are ValueErrors."""
    with pytest.raises(ValueError):
        parse_size(text)


@pytest.mark.parametrize("copy_of", [lambda v: pickle.loads(pickle.dumps(v)), copy.copy, copy.deepcopy],
                         ids=["pickle", "copy", "deepcopy"])
def test_a_version_pickles_and_copies_as_itself(copy_of) -> None:
    """One object per text (parsed once), yet a Version still travels (pickle: Dask) and copies."""
    version = Version(" 7.4.2-54 ")
    same = copy_of(version)
    assert same == version and (same.text, same.parts, same.build) == ("7.4.2-54", (7, 4, 2), 54)
    assert Version("7.4.2-54") is Version("7.4.2-54")
