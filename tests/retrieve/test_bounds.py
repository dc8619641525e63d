"""The work one query can cause is bounded: characters parsed and searched, terms per sparse vector."""

from search.retrieve.bounds import MAX_QUERY_WORK_CHARS, bound_terms, bound_text


def test_bound_terms_keeps_the_longest_distinct_terms():
    tokens = ["a", "b", "ab", "a", "bc", "c"]
    assert bound_terms(tokens, limit=10) == tokens
    assert bound_terms(tokens, limit=2) == ["ab", "bc"]
    assert bound_terms(tokens, limit=3) == ["a", "ab", "a", "bc"]


def test_bound_text():
    assert bound_text("  手机 ") == "手机"
    assert len(bound_text("机" * 300)) == MAX_QUERY_WORK_CHARS
