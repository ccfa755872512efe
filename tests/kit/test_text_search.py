"""BM25 over documents that may have no terms at all."""

from srdi.kit.text_search import BM25


def test_an_index_of_only_empty_documents_scores_without_dividing_by_zero():
    index = BM25()
    index.add("a", [])
    index.add("b", [])
    assert set(index.norms()) == {"a", "b"}
    assert index.doc_scores("a", ["芯片"]) == {}


def test_a_longer_document_has_the_larger_norm():
    index = BM25()
    index.add("short", ["芯片"])
    index.add("long", ["芯片", "封装", "测试", "设备"])
    norms = index.norms()
    assert norms["long"] > norms["short"]
