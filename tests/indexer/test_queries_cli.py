"""``indexer queries import``: the query log for autocomplete, kept in the data dir outside the builds."""

import json

from indexer.cli import main
from search.suggest.querylog import QueryLog, log_path


def test_import_json_and_counts_add_up(tmp_path, capsys):
    path = tmp_path / "queries.txt"
    path.write_text("兰芝隔离霜\t5\n小米手机\n\n小米手机\n", encoding="utf-8")
    data = tmp_path / "data"
    assert main(["queries", "import", str(path), "--data-dir", str(data), "--json", "-q"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"lines": 3, "imported": 3, "skipped": 0, "queries": 2}
    assert main(["queries", "import", str(path), "--data-dir", str(data), "-q"]) == 0
    assert "imported 3 queries" in capsys.readouterr().out
    log = QueryLog.open(data)
    assert dict(log.counts()) == {"兰芝隔离霜": 10, "小米手机": 4}
    log.close()
    assert "builds" not in log_path(data).parts  # builds and refreshes never replace it


def test_bad_files_exit_3(tmp_path, capsys):
    assert main(["queries", "import", str(tmp_path / "nope.txt"), "--data-dir", str(tmp_path)]) == 3
    assert "not found" in capsys.readouterr().err
    bad = tmp_path / "bad.txt"
    bad.write_text("a\tb\n", encoding="utf-8")
    assert main(["queries", "import", str(bad), "--data-dir", str(tmp_path)]) == 3


def test_the_imported_log_reaches_the_spelling_correctors_at_the_next_build(tmp_path):
    from indexer.build import prepare_vocabulary
    from search.config import default_configs_dir, load_index_config
    from search.product import Product

    configs = default_configs_dir()
    config = load_index_config(None, configs)
    products = [Product(id="1", title="洗面奶 温和", brand="", category="")]
    data = tmp_path / "data"
    assert prepare_vocabulary(products, config, configs, data).lexicon.query_terms == {}
    assert not log_path(data).exists()  # reading never creates a log
    path = tmp_path / "queries.txt"
    path.write_text("兰芝隔离霜\t5\n兰芝隔离霜 小样\n", encoding="utf-8")
    assert main(["queries", "import", str(path), "--data-dir", str(data), "-q"]) == 0
    terms = prepare_vocabulary(products, config, configs, data).lexicon.query_terms
    assert terms["兰芝"] == 2 and terms["隔离霜"] == 2
