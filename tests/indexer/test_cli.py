import json

import pytest

from indexer.cli import EXIT_INPUT, EXIT_NO_INDEX, EXIT_OK, main


def test_stats_json(built_sample, capsys):
    assert main(["stats", "--data-dir", str(built_sample), "--json"]) == EXIT_OK
    stats = json.loads(capsys.readouterr().out)
    assert stats["products"] > 300
    assert set(stats["lexical"]) == {"bm25", "ngram"} and stats["lexical"]["bm25"]["vocabulary"] > 500
    assert stats["disk_bytes"]["index"] > 0 and stats["dense"]["dim"] == 384


def test_stats_human(built_sample, capsys):
    assert main(["stats", "--data-dir", str(built_sample)]) == EXIT_OK
    assert "vocabulary" in capsys.readouterr().out


@pytest.mark.integration  # builds an index through the command line
def test_build_json_summary_and_bad_input_exit_codes(tmp_path, capsys, configs_dir):
    catalog = tmp_path / "c.jsonl"
    catalog.write_text('{"id": "1", "title": "小米手机 14 Pro"}\n{"id": 2}\n', encoding="utf-8")
    config = tmp_path / "idx.yaml"
    config.write_text("dense: {model: none}\n", encoding="utf-8")
    args = ["build", str(catalog), "--data-dir", str(tmp_path / "d"), "--config", str(config), "--json", "-q"]
    assert main([*args, "--configs-dir", str(configs_dir)]) == EXIT_OK
    summary = json.loads(capsys.readouterr().out)
    assert summary["indexed"] == 1 and summary["rejected"] == 1 and summary["rejects_file"]
    assert isinstance(summary["seconds"], float)

    config.write_text("dense: {model: none, typo_key: 1}\n", encoding="utf-8")
    assert main([*args, "--configs-dir", str(configs_dir)]) == EXIT_INPUT
    assert "dense.typo_key: unknown key" in capsys.readouterr().err

    missing = ["build", str(tmp_path / "nope.jsonl"), "--data-dir", str(tmp_path / "d")]
    assert main(missing) == EXIT_INPUT


def test_refresh_without_index(tmp_path, sample_catalog, capsys):
    assert main(["refresh", str(sample_catalog), "--data-dir", str(tmp_path / "none"), "--json"]) == EXIT_NO_INDEX
    assert "indexer build" in capsys.readouterr().err


def test_a_build_of_a_missing_catalog_leaves_no_index_folder(tmp_path, capsys):
    data_dir = tmp_path / "fresh"
    assert main(["build", str(tmp_path / "nope.jsonl"), "--data-dir", str(data_dir), "-q"]) == EXIT_INPUT
    assert "nope.jsonl" in capsys.readouterr().err
    assert not (data_dir / "index").exists()
