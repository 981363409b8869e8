"""kb.indexfiles: segments written once, mapped later, updated by what changed."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from kb import indexfiles
from kb.indexfiles import Segment, refresh


class Builder:
    """Builds segments of squared ids, counting which ids it was asked for."""

    def __init__(self, ids):
        self.ids = np.asarray(ids, np.int64)
        self.calls: list[list[int] | None] = []

    def current(self):
        return self.ids

    def __call__(self, ids, existing):
        self.calls.append(None if ids is None else ids.tolist())
        ids = self.ids if ids is None else ids
        return Segment({"ids": ids, "square": ids * ids}, [f"w{i}" for i in ids.tolist()])


def test_a_second_process_maps_what_the_first_wrote(tmp_path):
    build = Builder([1, 2, 3])
    first = refresh(tmp_path, "t", "db1", [1], build.current, build)
    assert first.persisted and build.calls == [None]
    again = refresh(tmp_path, "t", "db1", [1], build.current, build)
    assert build.calls == [None]  # nothing built
    (segment,) = again.segments
    assert isinstance(segment.arrays["square"], np.memmap)
    assert segment.arrays["square"].tolist() == [1, 4, 9] and segment.vocab == {"w1": 0, "w2": 1, "w3": 2}


def test_only_what_changed_is_built(tmp_path):
    build = Builder(range(1, 11))
    refresh(tmp_path, "t", "db1", [1], build.current, build)
    build.ids = np.array([1, *range(3, 13)])  # 2 removed, 11 and 12 added
    loaded = refresh(tmp_path, "t", "db1", [2], build.current, build)
    assert build.calls == [None, [11, 12]]
    assert [s.ids.tolist() for s in loaded.segments] == [list(range(1, 11)), [11, 12]]
    assert loaded.removed.tolist() == [2]
    mapped = refresh(tmp_path, "t", "db1", [2], build.current, build)  # as the next process sees it
    assert build.calls == [None, [11, 12]] and mapped.removed.tolist() == [2] and len(mapped.segments) == 2


def test_too_much_removed_or_too_many_segments_builds_one_again(tmp_path):
    build = Builder(range(1, 9))
    refresh(tmp_path, "t", "db1", [1], build.current, build)
    build.ids = np.arange(4, 9)  # 3 of 8 removed: over a quarter
    assert len(refresh(tmp_path, "t", "db1", [2], build.current, build).segments) == 1
    assert build.calls[-1] is None
    for version in range(3, 3 + indexfiles.MAX_SEGMENTS):
        build.ids = np.append(build.ids, build.ids[-1] + 1)
        loaded = refresh(tmp_path, "t", "db1", [version], build.current, build)
    assert len(loaded.segments) < indexfiles.MAX_SEGMENTS and build.calls[-1] is None


def test_another_database_or_a_damaged_manifest_is_not_trusted(tmp_path):
    build = Builder([1, 2])
    refresh(tmp_path, "t", "db1", [1], build.current, build)
    refresh(tmp_path, "t", "db2", [1], build.current, build)  # same version, other database
    assert build.calls == [None, None]
    manifest = json.loads((tmp_path / "t.json").read_text())
    for segment in manifest["segments"]:
        for f in (tmp_path / segment).iterdir():
            f.unlink()
    refresh(tmp_path, "t", "db2", [1], build.current, build)
    assert build.calls == [None, None, None]
    (tmp_path / "t.json").write_text("{not json")
    refresh(tmp_path, "t", "db2", [1], build.current, build)
    assert build.calls == [None, None, None, None]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_folder_that_cannot_be_written_keeps_the_index_in_memory(tmp_path):
    tmp_path.chmod(0o500)
    try:
        build = Builder([1, 2])
        loaded = refresh(tmp_path / "index", "t", "db1", [1], build.current, build)
        assert not loaded.persisted and loaded.segments[0].ids.tolist() == [1, 2]
    finally:
        tmp_path.chmod(0o700)


def test_a_file_in_the_way_keeps_the_index_in_memory(tmp_path):
    (tmp_path / "index").write_text("not a folder")
    build = Builder([1, 2])
    loaded = refresh(tmp_path / "index", "t", "db1", [1], build.current, build)
    assert not loaded.persisted and loaded.segments[0].ids.tolist() == [1, 2]


def test_unnamed_segments_are_collected_after_a_while(tmp_path):
    build = Builder(range(1, 9))
    refresh(tmp_path, "t", "db1", [1], build.current, build)
    build.ids = np.arange(5, 9)
    refresh(tmp_path, "t", "db1", [2], build.current, build)  # a new build: the first segment is garbage
    segments = {p.name for p in tmp_path.iterdir() if p.is_dir()}
    assert len(segments) == 2  # still there: another process may map it
    old = 0
    for p in tmp_path.iterdir():
        os.utime(p, (old, old))
    build.ids = np.arange(5, 10)
    refresh(tmp_path, "t", "db1", [3], build.current, build)
    named = set(json.loads((tmp_path / "t.json").read_text())["segments"])
    assert {p.name for p in tmp_path.iterdir() if p.is_dir()} == named
