"""Both command-line tools: project errors are bad input (exit 3); anything else is a bug, never bad input."""

import pytest

import indexer.build
import search
import search.evaluate
from indexer.cli import main as indexer_main
from search.cli import main as search_main
from search.cli import parser as search_parser
from search.errors import EXIT_ERROR, EXIT_INPUT, EXIT_LOCKED, EXIT_NO_INDEX, InputError, SearchError
from search.versioned import IndexLockedError


def _raise(exc):
    def fail(*args, **kwargs):
        raise exc

    return fail


@pytest.mark.parametrize("bug", [KeyError("price"), ValueError("bad unpack"), TypeError("None is not iterable")])
def test_a_bug_in_indexer_is_reported_as_a_bug(bug, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(indexer.build, "build_index", _raise(bug))
    catalog = tmp_path / "c.jsonl"
    catalog.write_text('{"id": "1", "title": "小米手机"}\n', encoding="utf-8")
    assert indexer_main(["build", str(catalog), "--data-dir", str(tmp_path / "d"), "-q"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "internal error" in err and "Traceback" in err and type(bug).__name__ in err


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (InputError("line 3: no title"), EXIT_INPUT),
        (IndexLockedError("another indexer is working"), EXIT_LOCKED),
        (SearchError("the store failed"), EXIT_ERROR),
    ],
)
def test_project_errors_keep_their_exit_code_and_one_line(exc, code, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(indexer.build, "build_index", _raise(exc))
    catalog = tmp_path / "c.jsonl"
    catalog.write_text('{"id": "1", "title": "小米手机"}\n', encoding="utf-8")
    assert indexer_main(["build", str(catalog), "--data-dir", str(tmp_path / "d"), "-q"]) == code
    err = capsys.readouterr().err
    assert err.strip() == f"error: {exc}" and "Traceback" not in err


def test_a_bug_in_search_is_reported_as_a_bug(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(search.evaluate, "read_judgments", _raise(ValueError("not enough values to unpack")))
    assert search_main(["eval", str(tmp_path / "j.tsv"), "--data-dir", str(tmp_path)]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "internal error" in err and "Traceback" in err


def test_bad_input_to_search_is_exit_3(tmp_path, capsys):
    missing = tmp_path / "missing.tsv"
    assert search_main(["eval", str(missing), "--data-dir", str(tmp_path)]) == EXIT_INPUT
    assert "missing.tsv" in capsys.readouterr().err


def test_no_index_is_its_own_exit_code(tmp_path, capsys):
    assert search_main(["query", "奶粉", "--data-dir", str(tmp_path / "none")]) == EXIT_NO_INDEX
    assert "indexer build" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        search_main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"search {search.__version__}"


@pytest.mark.parametrize("option", ["--page", "--size"])
@pytest.mark.parametrize("value", ["0", "-1", "x"])
def test_page_and_size_below_one_are_usage_errors(option, value, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        search_main(["query", "奶粉", option, value, "--data-dir", str(tmp_path)])
    assert exit_.value.code == 2 and option in capsys.readouterr().err


def test_every_query_option_has_help():
    query = next(a for a in search_parser()._subparsers._group_actions[0].choices.items() if a[0] == "query")[1]
    for action in query._actions:
        assert action.help, action.option_strings or action.dest


def test_a_bad_setting_in_the_environment_is_bad_input(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SEARCH_RELOAD_INTERVAL_S", "soon")
    assert search_main(["query", "奶粉", "--data-dir", str(tmp_path)]) == EXIT_INPUT
    catalog = tmp_path / "c.jsonl"
    catalog.write_text('{"id": "1", "title": "小米手机"}\n', encoding="utf-8")
    assert indexer_main(["build", str(catalog), "--data-dir", str(tmp_path / "d"), "-q"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.count("reload_interval_s") == 2 and "Traceback" not in err
