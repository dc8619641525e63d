"""Rules, synonyms and experiments files: validation with file/line/key, and atomic hot reload."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import UTC, datetime

import pytest

from search.config import ConfigError, Settings
from search.ops import yamlconf
from search.ops.experiments import Experiments, ExperimentsFile
from search.ops.rules import RulesFile
from search.ops.snapshot import ConfigHolder
from search.ops.store import OpsStore
from search.ops.synonyms import Synonyms, SynonymsFile
from search.profiles import ProfileRegistry
from tests.conftest import CONFIGS

RULES = """\
rules:
  - id: phones
    match: {contains: 手机}
    pin: [S00018, S00002]
  - id: cases
    match:
      query: 手机壳
    boost: {brand: 倍思, by: 0.5}
"""
SYNONYMS = """\
synonyms:
  - id: xiaomi
    from: [xiaomi shouji]
    to: 小米手机
  - id: case
    terms: [手机壳, 保护套]
"""
EXPERIMENTS = """\
experiments:
  - id: fusion
    variants:
      - {name: control, profile: hybrid, share: 50}
      - {name: lexical, profile: bm25, share: 50}
"""


@pytest.fixture
def holder(tmp_path):
    configs = tmp_path / "configs"
    shutil.copytree(CONFIGS, configs)
    (configs / "rules.yaml").write_text(RULES, encoding="utf-8")
    (configs / "synonyms.yaml").write_text(SYNONYMS, encoding="utf-8")
    (configs / "experiments.yaml").write_text(EXPERIMENTS, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", configs_dir=configs)
    return ConfigHolder(settings, ProfileRegistry.load(configs))


def test_the_files_load_into_one_snapshot(holder):
    snap = holder.current
    assert [r.id for r in snap.rules] == ["phones", "cases"]
    assert snap.rules[0].pin == {"S00018": 1, "S00002": 2}
    assert len(snap.synonyms) == 2 and [e.id for e in snap.experiments.experiments] == ["fusion"]
    assert "rules" not in snap.profiles.names() and holder.errors == {}
    assert not holder.poll()  # nothing changed


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("rules", RULES.replace("contains:", "contans:"), r"rules.yaml:3: rules.0.match.contans: unknown key"),
        ("rules", RULES.replace("by: 0.5", "by: lots"), r"rules.yaml:8: rules.1.boost.0.by: Input should be"),
        ("rules", RULES.replace("    pin:", "    pinn:"), r"rules.yaml:4: rules.0.pinn: unknown key"),
        ("synonyms", SYNONYMS.replace("    to:", "    too:"), r"synonyms.yaml:4: synonyms.0.too: unknown key"),
        ("synonyms", SYNONYMS.replace("terms", "term"), r"synonyms.yaml:6: synonyms.1.term: unknown key"),
        ("experiments", EXPERIMENTS.replace("share: 50}", "share: 40}", 1), r"experiments.yaml:2: .*sum to 100"),
        ("experiments", EXPERIMENTS.replace("variants", "variant"), r"experiments.yaml:3: experiments.0.variant"),
        ("experiments", EXPERIMENTS.replace("profile: bm25", "profile: bm52"), r"experiments.fusion: unknown profile"),
        ("rules", "rules:\n  - id: x\n    match: {query: [}\n", r"rules.yaml:3: invalid YAML"),
    ],
)
def test_a_typo_names_file_line_and_key_and_the_old_version_stays_live(holder, name, text, expected):
    before = holder.current
    holder.path(name).write_text(text, encoding="utf-8")
    holder.reload()
    assert holder.errors[name] and re.search(expected, holder.errors[name]), holder.errors[name]
    snap = holder.current
    assert snap.generation == before.generation + 1
    assert snap.rules == before.rules
    assert [e.id for e in snap.synonyms.entries] == [e.id for e in before.synonyms.entries]
    assert snap.experiments.experiments == before.experiments.experiments
    described = holder.describe()["errors"]
    assert described == [{"source": name, "message": holder.errors[name]}]
    # fixing the file clears the error and the fix goes live
    holder.path(name).write_text({"rules": RULES, "synonyms": SYNONYMS, "experiments": EXPERIMENTS}[name])
    holder.reload()
    assert holder.errors == {}


def test_a_profile_typo_keeps_the_old_profiles(holder):
    (holder.configs_dir / "bm25.yaml").write_text("inherits: _base\nsourcez: {}\n", encoding="utf-8")
    holder.reload()
    assert holder.errors["profiles"].endswith("bm25.yaml:2: sourcez: unknown key")
    assert "bm25" in holder.current.profiles.names()


def test_a_file_change_is_picked_up_by_poll(holder):
    holder.path("rules").write_text(RULES.replace("id: cases", "id: covers") + "\n", encoding="utf-8")
    assert holder.poll()
    assert [r.id for r in holder.current.rules] == ["phones", "covers"]
    holder.path("rules").unlink()
    assert holder.poll() and holder.current.rules == ()


def test_admin_made_items_come_from_the_database_and_override_the_files(holder):
    other = ConfigHolder(
        Settings(data_dir=holder.store.db.path.parent, configs_dir=holder.configs_dir), holder.current.profiles
    )  # a second API node on the same database
    body = {"id": "phones", "match": {"query": "手机"}, "hide": ["S00005"]}
    holder.store.put("rules", "phones", body, "ops")
    holder.store.put("synonyms", "tv", {"id": "tv", "terms": ["电视", "电视机"]}, "ops")
    assert other.poll()
    rules = {r.id: r for r in other.current.rules}
    assert rules["phones"].hide == ["S00005"] and rules["phones"].pin == {}
    assert "tv" in [s.id for s in other.current.synonyms.entries]
    holder.store.put("rules", "phones", None, "ops")  # deleted: the file's rule is back
    assert other.poll() and {r.id: r for r in other.current.rules}["phones"].pin


def test_unknown_keys_in_a_plain_model_name_the_line():
    with pytest.raises(ConfigError, match=r"x.yaml:2: synonyms.0: Value error, a one-way rewrite needs both"):
        yamlconf.parse("synonyms:\n  - from: [a]\n    id: a\n", SynonymsFile, "x.yaml")
    with pytest.raises(ConfigError, match=r"x.yaml:2: rules.0: Value error, a rule needs at least one"):
        yamlconf.parse("rules:\n  - id: a\n    match: {query: b}\n", RulesFile, "x.yaml")


def test_synonym_rewrites_and_expansions():
    syn = Synonyms(yamlconf.parse(SYNONYMS, SynonymsFile, "s").synonyms)
    assert syn.rewrite("Xiaomi  Shouji 白色") == ("小米手机 白色", ["xiaomi"])
    assert syn.rewrite("xiaomi shoujike") == ("xiaomi shoujike", [])  # Latin phrases match whole words
    assert syn.rewrite("手机") == ("手机", [])
    assert syn.expand("透明手机壳") == ("透明手机壳 保护套", ["case"])
    assert syn.expand("保护套 手机壳") == ("保护套 手机壳", [])
    assert syn.expand("面霜") == ("面霜", [])


def test_experiment_assignment_is_stable_and_follows_the_shares():
    exps = Experiments(yamlconf.parse(EXPERIMENTS, ExperimentsFile, "e").experiments)
    pseudo = {f"u{i}": f"key{i}" for i in range(4000)}.__getitem__
    arms = [exps.assign(f"u{i}", None, pseudo) for i in range(4000)]
    counts = Counter(a.variant for a in arms)
    assert abs(counts["control"] - 2000) < 150 and counts["control"] + counts["lexical"] == 4000
    assert exps.assign("u7", None, pseudo) == arms[7]
    assert {a.profile for a in arms} == {"hybrid", "bm25"}
    assert exps.assign(None, "sess-1", pseudo).experiment == "fusion"
    assert exps.assign(None, None, pseudo) is None
    late = datetime(2000, 1, 1, tzinfo=UTC)
    stopped = Experiments(
        yamlconf.parse(EXPERIMENTS + "    end: 1999-01-01T00:00:00Z\n", ExperimentsFile, "e").experiments
    )
    assert stopped.assign("u1", None, pseudo, now=late) is None


def test_ops_store_keeps_history_and_the_audit_log(tmp_path):
    store = OpsStore.in_data_dir(tmp_path)
    assert store.version() == 0 and store.live("rules") == {} and not store.db.exists()
    store.put("rules", "a", {"id": "a"}, "ops")
    store.put("rules", "a", {"id": "a", "v": 2}, "ops")
    store.put("rules", "b", {"id": "b"}, "ops")
    store.put("rules", "b", None, "ops")
    assert store.live("rules") == {"a": {"id": "a", "v": 2}} and store.version() == 4
    store.audit("ops", "POST", "/admin/rules", "{}", "127.0.0.1", 201)
    (entry,) = store.audit_log()
    assert entry.actor == "ops" and entry.to_dict()["time"].endswith("Z")
