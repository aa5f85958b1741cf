"""The pack cache on disk: a hit gives the same pack and the same bytes; a stale, corrupted,
foreign or forged cache file is a miss, never a crash or a wrong pack; no cache dir, no cache."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest
from helpers import EXAMPLES, run_cli

from evaluator import PackError, load_pack
from evaluator.packs import builtin_root, loader


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("CERTEVAL_CACHE_DIR", str(root))
    monkeypatch.delenv("CERTEVAL_NO_CACHE", raising=False)
    fresh()
    yield root
    fresh()


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    target = tmp_path / "packs" / "gbt27922-2011"
    shutil.copytree(builtin_root() / "gbt27922-2011", target)
    return target


def fresh() -> None:
    """Forget the packs this process loaded, as a new process would."""
    loader._load.cache_clear()
    loader._load_builtin.cache_clear()


def cache_files(root: Path) -> list[Path]:
    return sorted((root / "packs").glob("*.pack")) if (root / "packs").is_dir() else []


def files_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make reading a pack from its files fail: a load that succeeds came from the cache."""

    def refuse(*args: object) -> None:
        raise AssertionError("the pack was read from its files")

    monkeypatch.setattr(loader, "_lineage", refuse)


def test_a_hit_is_the_pack_the_files_give(cache, pack_dir, monkeypatch):
    built = load_pack(pack_dir)
    assert len(cache_files(cache)) == 1
    fresh()
    with monkeypatch.context() as m:
        files_unread(m)
        cached = load_pack(pack_dir)
    assert cached is not built
    assert cached.sha256 == built.sha256
    assert cached.rules == built.rules
    assert cached.parameters == built.parameters
    assert cached.tables == built.tables
    assert (cached.directory, cached.fixture_dirs) == (built.directory, built.fixture_dirs)
    # an integer written with a leading zero keeps how it was written
    written = [p.value for p in built.parameters.values() if hasattr(p.value, "text")]
    assert [v.text for v in written] == [
        p.value.text for p in cached.parameters.values() if hasattr(p.value, "text")
    ]


def test_a_child_pack_is_cached_with_its_parent_files(cache, tmp_path, monkeypatch):
    packs = tmp_path / "packs"
    shutil.copytree(builtin_root() / "gbt27922-2011", packs / "gbt27922-2011")
    shutil.copytree(builtin_root() / "gbt27922-1000", packs / "gbt27922-1000")
    built = load_pack(packs / "gbt27922-1000")
    assert built.lineage == ("gbt27922-2011", "gbt27922-1000")
    fresh()
    with monkeypatch.context() as m:
        files_unread(m)
        assert load_pack(packs / "gbt27922-1000").rules == built.rules
    # a change in the parent's rules is a change of the child
    rule_file = packs / "gbt27922-2011" / "rules" / "documents.yaml"
    rule_file.write_text(rule_file.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    fresh()
    assert load_pack(packs / "gbt27922-1000").sha256 != built.sha256


def test_results_are_the_same_bytes_with_and_without_the_cache(tmp_path):
    examples = sorted(str(p) for p in EXAMPLES.glob("*.yaml"))
    off = run_cli("evaluate", *examples, "--format", "json", env={"CERTEVAL_NO_CACHE": "1"})
    env = {"CERTEVAL_CACHE_DIR": str(tmp_path / "cache")}
    writing = run_cli("evaluate", *examples, "--format", "json", env=env)
    assert cache_files(tmp_path / "cache")  # both built-in packs stored
    reading = run_cli("evaluate", *examples, "--format", "json", env=env)
    assert off.returncode == writing.returncode == reading.returncode
    assert off.stdout.count("\n") == len(examples)
    assert off.stdout == writing.stdout == reading.stdout
    assert off.stderr == writing.stderr == reading.stderr


def test_a_changed_pack_file_is_read_again(cache, pack_dir):
    before = load_pack(pack_dir)
    rule_file = pack_dir / "rules" / "documents.yaml"
    text = rule_file.read_text(encoding="utf-8")
    rule = before.rules[[r.file.endswith("documents.yaml") for r in before.rules].index(True)]
    assert rule.title.en in text
    rule_file.write_text(text.replace(rule.title.en, "An edited title", 1), encoding="utf-8")
    fresh()
    after = load_pack(pack_dir)
    assert after.sha256 != before.sha256
    assert after.rule(rule.id).title.en == "An edited title"
    fresh()
    assert load_pack(pack_dir).rule(rule.id).title.en == "An edited title"  # stored again


def test_a_pack_broken_after_it_was_cached_still_fails_whole(cache, pack_dir):
    load_pack(pack_dir)
    (pack_dir / "rules" / "stray.yaml").write_text("area: stray\n", encoding="utf-8")
    fresh()
    with pytest.raises(PackError, match="does not declare"):
        load_pack(pack_dir)
    (pack_dir / "rules" / "stray.yaml").unlink()
    (pack_dir / "rules" / "documents.yaml").unlink()
    fresh()
    with pytest.raises(PackError, match="declared but missing"):
        load_pack(pack_dir)


def test_a_broken_pack_is_never_stored_and_exits_3(cache, pack_dir):
    pack_yaml = pack_dir / "pack.yaml"
    pack_yaml.write_text(pack_yaml.read_text(encoding="utf-8").replace("version:", "versio:", 1), "utf-8")
    for _ in range(2):
        result = run_cli("evaluate", EXAMPLES / "hz-initial-three-star.yaml", "--pack", pack_dir)
        assert result.returncode == 3, result.stderr
        assert "pack.yaml" in result.stderr
    assert cache_files(cache) == []


def test_adding_fixtures_changes_the_key(cache, pack_dir):
    shutil.rmtree(pack_dir / "fixtures")
    assert load_pack(pack_dir).fixture_dirs == ()
    (pack_dir / "fixtures").mkdir()
    fresh()
    assert load_pack(pack_dir).fixture_dirs == (pack_dir.resolve() / "fixtures",)


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b"",
        lambda b: b"not a cache file at all",
        lambda b: b[: len(b) // 2],  # torn
        lambda b: b[:-10] + bytes(10),  # payload bytes changed: its sha256 no longer matches
        lambda b: b.replace(b'"format": 1', b'"format": 99', 1),
        lambda b: b"\xff\xfe" + b,
    ],
    ids=["empty", "garbage", "torn", "flipped", "format", "undecodable"],
)
def test_a_corrupted_cache_file_is_ignored_and_rewritten(cache, pack_dir, damage):
    good = load_pack(pack_dir)
    (target,) = cache_files(cache)
    intact = target.read_bytes()
    target.write_bytes(damage(intact))
    fresh()
    again = load_pack(pack_dir)
    assert again.sha256 == good.sha256 and again.rules == good.rules
    assert target.read_bytes()[: intact.index(b"\n")] == intact[: intact.index(b"\n")]


def test_a_cache_file_of_another_pack_is_not_taken(cache, pack_dir, tmp_path):
    other = tmp_path / "other" / "gbt27922-2011"
    shutil.copytree(pack_dir, other)
    rule_file = other / "rules" / "documents.yaml"
    rule_file.write_text(rule_file.read_text(encoding="utf-8") + "\n# other\n", encoding="utf-8")
    load_pack(pack_dir)
    load_pack(other)
    mine, theirs = (next(f for f in cache_files(cache) if _directory(f) == str(d)) for d in (pack_dir, other))
    mine.write_bytes(theirs.read_bytes())  # a foreign file under my name
    fresh()
    assert load_pack(pack_dir).sha256 != load_pack(other).sha256


def _directory(cache_file: Path) -> str:
    return json.loads(cache_file.read_bytes().partition(b"\n")[0])["directory"]


class _Evil:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # unpickling would call open(marker, "w")
        return (open, (str(self.marker), "w"))


def test_a_forged_cache_file_cannot_run_code(cache, pack_dir, tmp_path):
    import hashlib

    good = load_pack(pack_dir)
    (target,) = cache_files(cache)
    header = json.loads(target.read_bytes().partition(b"\n")[0])
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Evil(marker))
    header["payload_sha256"] = hashlib.sha256(payload).hexdigest()  # the forger knows the format
    target.write_bytes(json.dumps(header).encode() + b"\n" + payload)
    fresh()
    assert load_pack(pack_dir).rules == good.rules
    assert not marker.exists()


def test_a_cache_file_others_may_write_is_not_read(cache, pack_dir, monkeypatch):
    load_pack(pack_dir)
    (target,) = cache_files(cache)
    target.chmod(0o666)
    fresh()
    with monkeypatch.context() as m:
        files_unread(m)
        with pytest.raises(AssertionError, match="read from its files"):
            load_pack(pack_dir)


def test_an_unwritable_cache_dir_only_means_no_cache(tmp_path, monkeypatch, pack_dir):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("CERTEVAL_CACHE_DIR", str(blocker / "cache"))
    fresh()
    assert load_pack(pack_dir).rules
    fresh()
    result = run_cli(
        "evaluate",
        EXAMPLES / "hz-initial-three-star.yaml",
        "--format",
        "json",
        env={"CERTEVAL_CACHE_DIR": str(blocker / "cache")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout)["case_id"]


def test_no_cache_when_turned_off(cache, pack_dir, monkeypatch):
    monkeypatch.setenv("CERTEVAL_NO_CACHE", "1")
    load_pack(pack_dir)
    assert not (cache / "packs").exists()


def test_the_default_place_is_the_user_cache_dir(monkeypatch, tmp_path):
    from evaluator.packs.cache import cache_dir

    monkeypatch.delenv("CERTEVAL_CACHE_DIR", raising=False)
    monkeypatch.delenv("CERTEVAL_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "certeval"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "certeval"
