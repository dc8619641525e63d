import pytest

from search.config import ConfigError
from search.profiles import FusionMethod, ProfileRegistry


def test_shipped_profiles_load(configs_dir):
    reg = ProfileRegistry.load(configs_dir)
    assert {"bm25", "dense", "hybrid"} <= set(reg.names())
    assert reg.default == "hybrid"
    assert set(reg.get("bm25").active_sources()) == {"bm25", "ngram"}
    assert set(reg.get("dense").active_sources()) == {"dense"}
    assert set(reg.get("hybrid").active_sources()) == {"bm25", "ngram", "dense"}
    assert not any(n.startswith("_") for n in reg.names())


def _write(folder, name, text):
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


def test_inheritance_merges_mappings(tmp_path):
    _write(
        tmp_path,
        "base",
        "sources:\n  bm25: {depth: 50, weight: 1.0}\n  dense: {weight: 0.5}\nfusion: {method: rrf, rrf_k: 20}\n",
    )
    _write(tmp_path, "child", "inherits: base\nsources:\n  dense: {weight: 0.8}\nfusion: {rrf_k: 5}\n")
    reg = ProfileRegistry.load(tmp_path, default="child")
    child = reg.get(None)
    assert child.sources["bm25"].depth == 50 and child.sources["dense"].weight == 0.8
    assert child.fusion.method is FusionMethod.RRF and child.fusion.rrf_k == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources: {bm25: {weight: 1}}\nfusion: {methd: rrf}\n", "fusion.methd: unknown key"),
        ("sources: {bm25: {weight: 1}}\nfusion: {method: borda}\n", "valid: rrf, dbsf, weighted"),
        ("sources: {bm25: {weight: 0}}\n", "at least one source"),
        ("inherits: nope\nsources: {bm25: {weight: 1}}\n", "inherits unknown profile 'nope'"),
        ("sources: {bm25: {weight: 1, depth: 0}}\n", "sources.bm25.depth"),
        ("- a list\n", "mapping"),
    ],
)
def test_invalid_profiles_fail_at_load_with_the_key(tmp_path, text, message):
    _write(tmp_path, "bad", text)
    with pytest.raises(ConfigError, match=message):
        ProfileRegistry.load(tmp_path, default="bad")


def test_cycles_and_unknown_default(tmp_path):
    _write(tmp_path, "a", "inherits: b\nsources: {bm25: {weight: 1}}\n")
    _write(tmp_path, "b", "inherits: a\n")
    with pytest.raises(ConfigError, match="cycle"):
        ProfileRegistry.load(tmp_path, default="a")


def test_unknown_profile_lists_the_valid_ones(configs_dir):
    with pytest.raises(KeyError, match="valid: bm25, dense, hybrid"):
        ProfileRegistry.load(configs_dir).get("nope")
