import math

import pytest

from search.retrieve.bm25 import FieldStats, doc_vector, idf, query_vector, saturate, term_id


def test_saturation_matches_the_bm25_formula():
    k1, b = 1.2, 0.75
    assert saturate(2, 10, 5, k1, b) == pytest.approx(2 * 2.2 / (2 + 1.2 * (0.25 + 0.75 * 2)))
    # a document of average length with tf=1 scores exactly 1
    assert saturate(1, 7, 7, k1, b) == pytest.approx(1.0)


def test_doc_vector_is_sorted_unique_and_positive():
    vec = doc_vector({"兰芝": 2, "面霜": 1, "zero": 0}, length=3, avgdl=3, k1=1.2, b=0.75)
    assert vec.indices == sorted(vec.indices)
    assert len(set(vec.indices)) == len(vec.indices) == 2
    assert all(v > 0 for v in vec.values)
    assert vec.as_dict()[term_id("兰芝")] > vec.as_dict()[term_id("面霜")]


def test_query_vector_counts_repeated_terms():
    vec = query_vector(["面霜", "面霜", "兰芝"])
    assert vec.as_dict() == {term_id("面霜"): 2.0, term_id("兰芝"): 1.0}


def test_idf_is_lucene_bm25_idf():
    assert idf(100, 10) == pytest.approx(math.log(1 + 90.5 / 10.5))
    assert idf(10, 10) > 0  # never negative, unlike the classic Robertson idf


def test_field_stats_average():
    assert FieldStats(4, 10.0).avgdl == 2.5
    assert FieldStats(0, 0.0).avgdl == 1.0
