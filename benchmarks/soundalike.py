"""Sound-alike typos, Traditional/full-width twins: generated query sets and the corrector's rates.

    python -m benchmarks.soundalike --data-dir DIR [--out /tmp/soundalike] [--seed 17] [--query-log FILE]

Writes into ``--out``:

* ``typos.tsv``: the 250 shared judged queries (``eval/multicpr_dev.tsv``) each with one
  Chinese character replaced by a sound-alike, where one could be made (judged: ``search eval``
  scores it against the same products); ``correct.tsv``: the same queries spelled right.
* ``twins.tsv``: every shared judged query in Traditional script (OpenCC ``s2t``) with
  Latin letters, digits and punctuation in full width.

and prints, for the rule parser of the index in ``--data-dir`` (with its spelling corrector):

* **fixed**: share of 300 typo queries (the judged ones above, topped up with catalog
  product words and real queries of ``queries/multicpr_train_queries.txt``) whose parse reads
  the right spelling again;
* **false changes**: share of the 250 shared queries, spelled as shoppers typed them, that
  the corrector changed.

A sound-alike is a character with the same toneless pinyin as the original's reading in
context, or the same under the input-method confusions (z/zh, c/ch, s/sh, n/l, an/ang,
en/eng, in/ing), chosen among characters that occur in catalog titles (an input method
offers common characters first), weighted by how often they occur. A typo is kept only when
the word it lands in is not itself a word: not in the catalog's title words, the query log,
the segmenter's dictionary or the brand and product vocabulary.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from benchmarks.common import machine, shared
from search.index import load_build_parts
from search.store.layout import DataDir
from search.text.normalize import normalize
from search.text.pinyin import fuzzy, readings, word_readings
from search.understand.rules import RuleParser
from search.understand.spelling import query_word_counts

_CJK = re.compile(r"[\u4e00-\u9fff]")
_FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}
TARGET = 300


def full_width(text: str) -> str:
    """ASCII letters, digits and punctuation as their full-width forms; spaces as ideographic spaces."""
    return "".join(_FULL_WIDTH.get(c, "\u3000" if c == " " else c) for c in text)


def judged(path: Path) -> list[tuple[str, str, str]]:
    """(qid, query, product id) rows of a judgments TSV (header skipped)."""
    with path.open(encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return [(r[0], r[1], r[2]) for r in rows[1:] if len(r) >= 3]


class TypoMaker:
    """Replaces one Chinese character of a text by a sound-alike that makes a non-word."""

    def __init__(self, char_counts: Counter[str], is_word, rng: random.Random) -> None:
        self.rng = rng
        self.is_word = is_word
        self.counts = char_counts
        self.by_sound: dict[str, list[str]] = defaultdict(list)
        for ch, n in char_counts.items():
            if n >= 20:
                for r in readings(ch)[:1]:
                    self.by_sound[fuzzy(r)].append(ch)

    def make(self, text: str, words: list[str]) -> str | None:
        """A typo of ``text`` (segmented into ``words``), or None when no acceptable one exists."""
        spans = []
        pos = 0
        for w in words:
            spans.append((pos, pos + len(w)))
            pos += len(w)
        choices = [i for i, ch in enumerate(text) if _CJK.match(ch)]
        self.rng.shuffle(choices)
        for i in choices:
            word_span = next(((s, e) for s, e in spans if s <= i < e), (i, i + 1))
            s, e = word_span
            if e - s < 2:  # a typo inside a word of 2+ characters: what an input method produces
                continue
            reading = word_readings(text[s:e])[i - s][:1]
            if not reading:
                continue
            pool = [c for c in self.by_sound.get(fuzzy(reading[0]), ()) if c != text[i]]
            self.rng.shuffle(pool)
            pool.sort(key=lambda c: -self.counts[c])
            for c in pool[:6]:
                typo_word = text[s:i] + c + text[i + 1 : e]
                if self.is_word(typo_word):
                    continue
                return text[:i] + c + text[i + 1 :]
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", required=True, type=Path)
    ap.add_argument("--out", type=Path, default=Path("/tmp/soundalike"))
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--show", type=int, default=0, help="print this many unfixed typos and false changes")
    ap.add_argument(
        "--query-log",
        type=Path,
        help="count this query file as the shop's query log (as `indexer queries import` before a build does)",
    )
    ap.add_argument("--eval", action="store_true", help="only score the sets already in --out (nDCG@10, hybrid)")
    args = ap.parse_args(argv)
    if args.eval:
        grouped_ndcg(args.data_dir, args.out)
        return 0

    rows = judged(shared("eval", "multicpr_dev.tsv"))
    log_path = shared("queries", "multicpr_train_queries.txt")
    build = DataDir(args.data_dir).require_build()
    _, _, lexicon, analyzer = load_build_parts(build)
    if args.query_log:  # what a build over this data dir with the shop's query log imported would count
        log_queries = [q for q in args.query_log.read_text(encoding="utf-8").splitlines() if q.strip()]
        lexicon.query_terms = query_word_counts(log_queries, analyzer)
    parser = RuleParser.with_spelling(lexicon, analyzer)
    log_counts: Counter[str] = Counter()
    train = [normalize(q) for q in log_path.read_text(encoding="utf-8").splitlines() if q.strip()]
    for q in train:
        for run in re.findall(r"[\u4e00-\u9fff]+", q):
            log_counts.update({run[i:j] for i in range(len(run)) for j in range(i + 2, min(len(run), i + 4) + 1)})
    chars: Counter[str] = Counter()
    for word, n in lexicon.terms.items():
        for ch in word:
            chars[ch] += n
    vocabulary = set(lexicon.product_words) | set(lexicon.aliases())

    def is_word(w: str) -> bool:
        return (
            lexicon.terms.get(w, 0) > 0 or log_counts.get(w, 0) > 0 or analyzer.word_frequency(w) > 0 or w in vocabulary
        )

    maker = TypoMaker(chars, is_word, random.Random(args.seed))
    args.out.mkdir(parents=True, exist_ok=True)

    typos: list[tuple[str, str, str, str]] = []  # qid, typo, correct, product
    for qid, query, pid in rows:
        norm = normalize(query)
        typo = maker.make(norm, analyzer.cut(norm, hmm=False))
        if typo is not None:
            typos.append((qid, typo, norm, pid))
    judged_typos = list(typos)
    extra = sorted(w for w in lexicon.product_words if 2 <= len(w) <= 6 and _CJK.fullmatch(w[0]))
    rng = random.Random(args.seed)
    rng.shuffle(extra)
    pool = [w for w in extra[:400]] + rng.sample(train, 2000)
    for text in pool:
        if len(typos) >= TARGET:
            break
        typo = maker.make(text, analyzer.cut(text, hmm=False))
        if typo is not None:
            typos.append(("", typo, text, ""))

    header = "qid\tquery\tproduct_id\n"
    (args.out / "typos.tsv").write_text(header + "".join(f"{q}\t{t}\t{p}\n" for q, t, _, p in judged_typos), "utf-8")
    (args.out / "correct.tsv").write_text(header + "".join(f"{q}\t{c}\t{p}\n" for q, _, c, p in judged_typos), "utf-8")
    import opencc

    s2t = opencc.OpenCC("s2t")
    (args.out / "twins.tsv").write_text(
        header + "".join(f"{q}\t{full_width(s2t.convert(t))}\t{p}\n" for q, t, p in rows), "utf-8"
    )
    (args.out / "typos.jsonl").write_text(
        "".join(json.dumps({"typo": t, "correct": c}, ensure_ascii=False) + "\n" for _, t, c, _ in typos), "utf-8"
    )

    fixed, unfixed = 0, []
    for _, typo, correct, _ in typos:
        if parser.parse(typo).normalized == correct:
            fixed += 1
        else:
            unfixed.append((typo, correct, parser.parse(typo).normalized))
    changed = []
    for _, query, _ in rows:
        parsed = parser.parse(query)
        if parsed.corrected is not None:
            changed.append((query, parsed.corrected))
    print(f"machine: {machine()}")
    print(f"typo queries: {len(typos)} ({len(judged_typos)} judged) in {args.out}")
    print(f"fixed: {fixed}/{len(typos)} = {fixed / max(1, len(typos)):.1%}")
    print(f"false changes on the {len(rows)} shared queries: {len(changed)} = {len(changed) / len(rows):.1%}")
    for typo, correct, got in unfixed[: args.show]:
        print(f"  not fixed: {typo} (want {correct}, got {got})")
    for query, corrected in changed[: args.show]:
        print(f"  changed: {query} -> {corrected}")
    return 0


def grouped_ndcg(data_dir: Path, folder: Path, profile: str = "hybrid") -> dict[str, float]:
    """nDCG@10 of the typo, correct and twin sets written by :func:`main`, in one engine session."""
    from search.api.app import build_engine
    from search.config import Settings
    from search.engine import SearchRequest
    from search.evaluate import evaluate, read_judgments

    engine = build_engine(Settings(data_dir=data_dir))
    out: dict[str, float] = {}
    try:
        for name in ("typos", "correct", "twins"):
            judgments = read_judgments(folder / f"{name}.tsv")

            def searcher(j, p: str) -> list[str]:
                return [i["id"] for i in engine.search(SearchRequest(q=j.query, profile=p, size=100)).items]

            result = evaluate(judgments, [profile], searcher)[0]
            out[name] = result.summary()["ndcg@10"]
            print(f"{name}: nDCG@10 {out[name]:.4f} over {len(result.per_query)} queries", flush=True)
    finally:
        engine.close()
    return out


if __name__ == "__main__":
    sys.exit(main())
