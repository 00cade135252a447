"""Data-file loaders: the shipped files load; bad files fail naming file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import GazetteerError
from pipeline.extract import extract_paper, resources
from pipeline.records import Paper


def test_shipped_files_load() -> None:
    g = resources.datasets()
    assert len(g.entries) >= 400
    names = {e.name for e in g.entries}
    for n in ("ImageNet", "CIFAR-10", "MS-COCO", "FFHQ", "GLUE", "MMLU", "GSM8K", "MATH",
              "HumanEval", "ARC-AGI", "ProteinGym", "MetaWorld", "CC12M", "LSUN Bedroom"):
        assert n in names
    m = resources.metrics()
    for n in ("FID", "IS", "FD-DINOv2", "FVD", "accuracy", "pass@1", "ROC AUC", "mIoU",
              "BLEU", "WER", "perplexity", "PSNR", "LPIPS", "CLIP score", "GenEval",
              "win rate", "speedup", "improvement"):
        assert n in m.by_name
    for name in ("numbers", "nonresults", "resolutions", "steps", "settings", "cues",
                 "dataset_intro", "urls", "models", "context"):
        assert resources.patterns(name).ids


def test_metric_columns_for_the_validator() -> None:
    header = (resources.GAZETTEER_DIR / "metrics.csv").read_text().splitlines()[0].split(",")
    assert {"metric", "aliases", "direction", "min", "max", "unit"} <= set(header)


def test_duplicate_alias_names_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "d.yaml"
    p.write_text("datasets:\n  - {name: Foo, aliases: [F1x]}\n  - {name: Bar, aliases: [f1x]}\n")
    with pytest.raises(GazetteerError, match=r"d\.yaml:3: Bar: spelling 'f1x'.*Foo"):
        resources.load_datasets(p)


def test_two_spellings_of_one_name_are_one_entry(tmp_path: Path) -> None:
    assert resources.spelling("ACE 2005") == resources.spelling("ace2005")
    assert resources.spelling("THUMOS’14") == resources.spelling("THUMOS-14")
    assert resources.spelling("HumanEval+") != resources.spelling("HumanEval")
    assert resources.spelling("Human3.6M") != resources.spelling("Human36M")
    p = tmp_path / "d.yaml"
    p.write_text("datasets:\n  - {name: Foo Bench}\n  - {name: FooBench, case: exact}\n")
    with pytest.raises(GazetteerError, match=r"d\.yaml:3: FooBench: another spelling of "
                                             r"'Foo Bench' \(.*d\.yaml:2\)"):
        resources.load_datasets(p)
    g = resources.datasets()
    names = [e.name for e in g.entries]
    assert len({resources.spelling(n) for n in names}) == len(names)
    assert g.entries[g.by_spelling[resources.spelling("ACE2005")]].name == "ACE 2005"


def test_versions_are_datasets_of_their_own_with_their_parents_metric(tmp_path: Path) -> None:
    from pipeline.extract.tasks import usual_metric
    text = "We reach 80.1% on AIME 2024, 70.3% on AIME25 and 9.1 dB SDR on MUSDB18-HQ."
    got = extract_paper(Paper("p", "T", (), text, "f.jsonl", "arxiv", 1))
    assert [m.dataset for m in got.dataset_mentions] == ["AIME 2024", "AIME 2025", "MUSDB18-HQ"]
    assert resources.parent_of("AIME 2025") == "AIME"
    assert resources.parent_of("AIME") is None
    assert usual_metric("MUSDB18-HQ") == usual_metric("MUSDB18") == "SDR"
    p = tmp_path / "d.yaml"
    p.write_text("datasets:\n  - {name: Foo}\n  - {name: Foo 2, parent: Fooo}\n")
    with pytest.raises(GazetteerError, match=r"d\.yaml:3: Foo 2: parent 'Fooo' is no"):
        resources.load_datasets(p)


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    p = tmp_path / "d.yaml"
    p.write_text("datasets:\n  - {name: Foo, name: Bar}\n")
    with pytest.raises(GazetteerError, match=r"d\.yaml:2: duplicate key 'name'"):
        resources.load_datasets(p)


def test_bad_suffix_flag(tmp_path: Path) -> None:
    p = tmp_path / "d.yaml"
    p.write_text("datasets:\n  - {name: Foo, suffix: pixels}\n")
    with pytest.raises(GazetteerError, match=r"d\.yaml:2: Foo: bad suffix"):
        resources.load_datasets(p)


def test_bad_pattern_names_line(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text('{"id": "a", "label": "L", "pattern": "ok"}\n'
                 '{"id": "b", "label": "L", "pattern": "(unclosed"}\n')
    with pytest.raises(GazetteerError, match=r"x\.jsonl:2: bad pattern 'b'"):
        resources.load_patterns(p)


def test_duplicate_pattern_id(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text('{"id": "a", "label": "L", "pattern": "x"}\n'
                 '{"id": "a", "label": "L", "pattern": "y"}\n')
    with pytest.raises(GazetteerError, match=r"x\.jsonl:2: duplicate pattern id"):
        resources.load_patterns(p)


def test_metric_errors(tmp_path: Path) -> None:
    p = tmp_path / "m.csv"
    p.write_text("metric,aliases,direction,min,max,unit,case\n"
                 "FID,,lower,0,,,fold\nFID,,lower,0,,,fold\n")
    with pytest.raises(GazetteerError, match=r"m\.csv:3: duplicate metric 'FID'"):
        resources.load_metrics(p)
    p.write_text("metric,aliases,direction,min,max,unit,case\nFID,,down,0,,,fold\n")
    with pytest.raises(GazetteerError, match=r"m\.csv:2: FID: direction"):
        resources.load_metrics(p)


def test_matcher_reads_texts_with_lone_surrogates() -> None:
    # The Rust automaton reads UTF-8, which has no lone surrogates; a text holding one gets
    # the same matches at the same offsets as without it.
    from pipeline.extract.resources import Matcher

    m = Matcher({"cifar-10": "C", "é": "E"})
    clean, odd = "on cifar-10 é xy", "on cifar-10 é \ud800\udfff"
    assert m.find(odd) == m.find(clean) == [(0, 3, 11), (1, 12, 13)]
    assert [d.dataset for d in tag_and_mentions("FID 2.1 on CIFAR-10 \ud800 and ImageNet.")] == [
        "CIFAR-10", "ImageNet"]


def tag_and_mentions(text: str) -> list:
    from pipeline.extract import extract_paper
    from pipeline.records import Paper

    paper = Paper(paper_id="x", title="T", authors=(), abstract=text, source_file="f",
                  source_format="x", line=1, arxiv_id=None, urls=(), sources=())
    return list(extract_paper(paper).dataset_mentions)


def test_metric_names_match_in_the_plural_but_bare_lowercase_words_do_not() -> None:
    from pipeline.extract.tag import tag_metrics

    text = "AUCs of 0.98 and F-scores of 88.5, with lower win rates; the model computes fast."
    got = {(text[t.start:t.end], str(t.value)) for t in tag_metrics(text)}
    assert {("AUCs", "ROC AUC"), ("F-scores", "F1"), ("win rates", "win rate")} <= got
    assert not any(form == "computes" for form, _ in got)  # "compute" is a FLOPs alias
    assert resources.metrics().alias_to_metric["aucs"] == "ROC AUC"
