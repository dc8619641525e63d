import json

from search.cli import EXIT_INPUT, EXIT_OK, main


def test_eval_compares_profiles_and_writes_a_report(built_sample, configs_dir, tmp_path, capsys):
    args = ["eval", "sample/judgments.tsv", "--data-dir", str(built_sample), "--configs-dir", str(configs_dir)]
    code = main([*args, "--profile", "bm25", "--profile", "hybrid", "--json", "--report", str(tmp_path / "r")])
    assert code == EXIT_OK
    out = json.loads(capsys.readouterr().out)
    hybrid = out["profiles"]["hybrid"]
    assert set(hybrid) >= {"ndcg@10", "mrr@10", "recall@10", "recall@100", "queries"}
    assert hybrid["queries"] >= 40 and hybrid["ndcg@10"] > 0.5
    report = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "| hybrid |" in report and "Wins" in report
    sig = out["significance"][0]  # hybrid against bm25: mean difference and a paired randomisation p-value
    assert sig["a"] == "bm25" and sig["b"] == "hybrid" and 0 < sig["metrics"]["ndcg@10"]["p"] <= 1
    assert "paired randomisation test" in report
    assert (tmp_path / "r" / "metrics.png").stat().st_size > 1000


def test_eval_rejects_unknown_profiles(built_sample, configs_dir, capsys):
    args = ["eval", "sample/judgments.tsv", "--data-dir", str(built_sample), "--configs-dir", str(configs_dir)]
    assert main([*args, "--profile", "nope"]) == EXIT_INPUT
    assert "valid: bm25, dense, hybrid" in capsys.readouterr().err


def test_query_and_parse(built_sample, configs_dir, capsys):
    common = ["--data-dir", str(built_sample), "--configs-dir", str(configs_dir)]
    assert main(["query", "兰芝隔离霜", *common, "--json", "--size", "3"]) == EXIT_OK
    out = json.loads(capsys.readouterr().out)
    assert len(out["items"]) == 3 and out["parsed"]["brands"] == ["Laneige/兰芝"]
    assert main(["parse", "300元以下的面霜 价格从低到高", "洗面乃", *common, "--json"]) == EXIT_OK
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines[0]["price_max"] == 300 and lines[0]["sort"] == "price_asc"
    assert lines[1]["corrected"] == "洗面奶"
