"""Code links: repair of text debris, normalisation, classification by the host rules."""

from __future__ import annotations

import pytest

from pipeline.extract.urls import classify_url, extract_code_links, normalise_url


@pytest.mark.parametrize("raw,expected", [
    ("https://github.com/Org/Repo", "https://github.com/Org/Repo"),
    ("http://GitHub.com/Org/Repo/", "https://github.com/Org/Repo"),
    ("https://github.com/Org/Repo.git.", "https://github.com/Org/Repo"),
    ("https://github.com/Org/Repo{https://github.com/Org/Repo}", "https://github.com/Org/Repo"),
    ("https://github.com/Org/Repo).", "https://github.com/Org/Repo"),
    ("(https://org.github.io/page/),", "https://org.github.io/page"),
    ("www.Example.org/Proj;", "https://www.example.org/Proj"),
    ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"),
])
def test_normalise(raw: str, expected: str) -> None:
    assert normalise_url(raw.strip("(")) == expected


@pytest.mark.parametrize("url,kind", [
    ("https://github.com/a/b", "code"),
    ("https://gitlab.com/a/b", "code"),
    ("https://huggingface.co/org/model", "code"),
    ("https://huggingface.co/datasets/org/data", "other"),
    ("https://a.github.io/proj", "project"),
    ("https://arxiv.org/abs/2401.00001", "other"),
    ("https://research.lab.example/proj", "project"),
])
def test_classify(url: str, kind: str) -> None:
    assert classify_url(url) == kind


def test_links_from_text_and_fields_are_distinct() -> None:
    text = ("Code: https://github.com/A/B.git. Project page: https://a.github.io/b/ "
            "and github.com/A/B again.")
    links = extract_code_links("p", text, ("https://github.com/A/B", "https://hf.co/x/y"))
    assert [(c.url, c.kind) for c in links] == [
        ("https://github.com/A/B", "code"),
        ("https://a.github.io/b", "project"),
        ("https://hf.co/x/y", "code"),
    ]


def test_junk_is_dropped() -> None:
    assert extract_code_links("p", "see http:// and https://", ("not a url",)) == []


def test_own_arxiv_links_from_metadata_are_not_links() -> None:
    """Metadata abs/pdf links identify the paper; repos in metadata stay code links."""
    meta = ("https://arxiv.org/abs/2501.01234", "https://arxiv.org/pdf/2501.01234v2",
            "http://export.arxiv.org/abs/2501.01234", "https://github.com/org/tool")
    links = extract_code_links("p", "No links here.", meta, "2501.01234")
    assert [(c.url, c.kind) for c in links] == [("https://github.com/org/tool", "code")]
    # Without a known id the metadata arXiv link is still the paper's own.
    assert extract_code_links("p", None, ("https://arxiv.org/abs/hep-th/9901001",), None) == []
    # Another paper's arXiv page given in metadata is kept.
    other = extract_code_links("p", None, ("https://arxiv.org/abs/2401.00001",), "2501.01234")
    assert [c.url for c in other] == ["https://arxiv.org/abs/2401.00001"]


def test_arxiv_link_written_in_the_abstract_is_kept() -> None:
    text = "An extended version is at https://arxiv.org/abs/2501.01234."
    links = extract_code_links("p", text, ("https://arxiv.org/abs/2501.01234",), "2501.01234")
    assert [(c.url, c.kind) for c in links] == [("https://arxiv.org/abs/2501.01234", "other")]
