"""Person-name words, a feature of the listing models (`pipeline/ingest/listing_names.py`)."""

from __future__ import annotations

from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.ingest import listing_fields
from pipeline.ingest import listing_names as names
from pipeline.tools import build_common_words, build_given_names


def test_given_and_pinyin_names_are_person_words() -> None:
    for w in ("Martin", "Aaron", "Haotian", "Mengqing", "Zhang", "Shuicheng", "Wei,"):
        assert names.is_person_word(w), w
    for w in ("Learning", "Marginal", "Dense", "Guide", "Network", "LLMs", "CNN", "x", "Zhang3"):
        assert not names.is_person_word(w), w
    assert names.person_ratio("Pola Schwobel, Martin Jorgensen".split()) == 0.5
    assert names.person_ratio("Last Layer Marginal Likelihood for Invariance".split()) == 0.0


def test_the_shipped_lists() -> None:
    text = (resources.files("pipeline.ingest")
            .joinpath("listing_given_names.txt").read_text(encoding="utf-8"))
    rows = [r for r in text.splitlines() if not r.startswith("#")]
    assert rows == sorted(set(rows)) and len(rows) > 20000
    assert not {r.casefold() for r in rows} & {"learning", "network", "neural"}
    assert len(names.pinyin_syllables()) == 405


def test_the_builder_reads_first_name_tuples_only() -> None:
    source = ('first_names_female = ("Anna", "Zoë", "Ünal", "x", "Two Words", "Łucja")\n'
              'last_names = ("Smith",)\nfirst_romanized_names = ("Haruto",)\n')
    assert build_given_names.names_in_source(source) == {"Anna", "Zoë", "Ünal", "Łucja",
                                                         "Haruto"}


@given(st.text(max_size=30))
def test_any_word_is_read_without_error(word: str) -> None:
    assert isinstance(names.is_person_word(word), bool)


def test_names_glued_to_a_title_are_found_where_they_start() -> None:
    cases = {
        # lines of p19a_blog_edorigatti_bdl20_summaries (a training page)
        "Self Normalizing Flows T. Anderson Keller, Jorn W. T. Peters, Max Welling":
            "T. Anderson Keller, Jorn W. T. Peters, Max Welling",
        "Encoding the Latent Posterior of Bayesian Neural Networks for Uncertainty "
        "Quantification Gianni Franchi": "Gianni Franchi",
        "Variational Inference in Bayesian Neural Networks Tim G. J. Rudner": "Tim G. J. Rudner",
        "Deep Kernel Processes  Lawrence Aitchison · Sebastian Ober": "Lawrence Aitchison · "
                                                                       "Sebastian Ober",
        # p29a_personal_kierandidi_mixedpubs: marks after names, a venue and date after them
        "GPU-accelerated homology search with MMseqs2 Felix Kallenborn*, Alejandro Chacon*, "
        "Martin Steinegger, bioRxiv, 04/2025":
            "Felix Kallenborn*, Alejandro Chacon*, Martin Steinegger, bioRxiv, 04/2025",
    }
    for line, tail in cases.items():
        gap = names.glued_names_at(line)
        assert gap is not None and line[gap[1]:] == tail, line
        assert line[gap[0]:gap[1]].isspace() and not line[gap[0] - 1].isspace(), line
    for line in ("Attention Is All You Need",  # "You" is Pinyin, "Need" is not
                 "Large Language Models Can Self-Improve",  # "improve" is a common word
                 "A Conceptual Introduction to Hamiltonian Monte Carlo",  # "Carlo" is given
                 "Deep Residual Learning, Kaiming He, Xiangyu Zhang",  # a comma cuts it
                 "Networks Max Welling",  # fewer than three words before the names
                 "Talk presented by Oliver Rausch",  # "by" cuts it already
                 "Deep Kernel Processes | Lawrence Aitchison",  # the bar cuts it already
                 "Some Long Title\tGianni Franchi"):  # a table row is cut at its tabs
        assert names.glued_names_at(line) is None, line
    assert names.glued_names_at("Some Long Title Gianni Franchi") == (15, 16)


def test_a_list_of_names_is_not_cut_inside() -> None:
    line = "Irwan Bello, Hieu Pham, Quoc V. Le, Mohammad Norouzi, Samy Bengio"
    assert names.glued_names_at(line) is None


def test_names_run_into_the_title_are_cut_where_the_title_starts() -> None:
    cases = {
        "E. Ekblom, E. Listo Zec, O. Mogren EFFGAN: Ensembles of fine-tuned federated GANs":
            ("E. Ekblom, E. Listo Zec, O. Mogren",
             "EFFGAN: Ensembles of fine-tuned federated GANs"),
        "Le, A., Biess, A., Peters, J. Accelerating Motion Planning via Optimal Transport":
            ("Le, A., Biess, A., Peters, J.", "Accelerating Motion Planning via Optimal Transport"),
        "Das, A., Nagaraj D. Provably Fast Finite Particle Variants":
            ("Das, A., Nagaraj D.", "Provably Fast Finite Particle Variants"),
        "E. Listo Zec Probabilistic Modelling of Sensors in Autonomous Vehicles":
            ("E. Listo Zec", "Probabilistic Modelling of Sensors in Autonomous Vehicles"),
        "Jun Zhao, Li Wei Deep Nets for Graphs": ("Jun Zhao, Li Wei", "Deep Nets for Graphs"),
        "Ann Lee, Bonnie L. Webber Discarding Straplines from News":
            ("Ann Lee, Bonnie L. Webber", "Discarding Straplines from News"),
    }
    for line, split in cases.items():
        assert names.names_before_title(line) == split, line
    for line in ("Attention Is All You Need",
                 "Learning, Planning and Acting in Real Worlds",  # no names before the comma
                 "Geoffrey Hinton Deep Learning Lecture",  # one name alone, not in initials
                 "E. Listo Zec, O. Mogren",  # names and nothing after them
                 "O. Mogren Deep learning",  # fewer than three words after the name
                 "Rosenblatt, Hinton, Jo Smith deep nets for all",  # bare surnames, no initials
                 # a mark stands between names and title: the line's boundaries cut it
                 "Phyllis Ang, Lisa Wu Wills: Characterizing the Efficiency Trade-off",
                 "Philipp Koehn and Rebecca Knowles. Six Challenges for Neural Translation"):
        assert names.names_before_title(line) is None, line


_TITLE_WORD = st.sampled_from(["Deep", "Learning", "of", "Graphs", "Robust", "Models", "for"])
_NAME = st.sampled_from(["Gianni Franchi", "Andrew Jesson", "T. Anderson Keller",
                         "Lawrence Aitchison"])
_SPACE = st.sampled_from([" ", "  ", "\u00a0", " \u3000 "])


@given(st.lists(_TITLE_WORD, min_size=3, max_size=8), _SPACE,
       st.lists(_NAME, min_size=1, max_size=3), st.sampled_from([", ", " and ", " · "]),
       st.sampled_from(["", ".", "*", " "]))
def test_glued_names_are_cut_at_the_space_before_the_first(
        title: list[str], space: str, people: list[str], join: str, end: str) -> None:
    line = " ".join(title) + space + join.join(people) + end
    gap = names.glued_names_at(line)
    assert gap is not None
    assert line[:gap[0]] == " ".join(title) and line[gap[1]:].startswith(people[0])


@given(st.text(max_size=80))
def test_any_line_is_read_without_error(line: str) -> None:
    gap = names.glued_names_at(line)
    assert gap is None or 0 < gap[0] < gap[1] < len(line) and line[gap[0]:gap[1]].isspace()


def test_the_common_words_are_rebuilt_from_the_training_abstracts() -> None:
    assert build_common_words.common_words(["the key is the key", "a Key"], 2) == ["key", "the"]
    text = (resources.files("pipeline.ingest")
            .joinpath("listing_common_words.txt").read_text(encoding="utf-8"))
    assert text == build_common_words.render(
        build_common_words.common_words(build_common_words.read_abstracts()))


@given(st.text(max_size=80))
def test_names_before_title_reads_any_line(line: str) -> None:
    cut = names.names_before_title(line)
    assert cut is None or (cut[0] and cut[1] and " ".join(line.split()).startswith(
        " ".join(cut[0].split())) and line.strip().endswith(cut[1]))


@given(st.lists(_NAME, min_size=1, max_size=3), st.lists(_TITLE_WORD, min_size=3, max_size=8))
def test_names_run_into_a_title_are_cut_before_it(people: list[str], title: list[str]) -> None:
    line = ", ".join(people) + " " + " ".join(["Robust", *title])
    cut = names.names_before_title(line)
    if len(people) > 1 or people[0].startswith("T."):  # a name alone only in initials
        assert cut == (", ".join(people), " ".join(["Robust", *title]))
    else:
        assert cut is None


@pytest.mark.parametrize(("line", "cut"), [
    ("Proteina: Scaling Flow-based Protein Models, Tomas Geffner*, Kieran Didi*, Arash Vahdat, "
     "ICLR 2025 (oral presentation)",
     ["Proteina: Scaling Flow-based Protein Models", "Tomas Geffner*", "Kieran Didi*",
      "Arash Vahdat", "ICLR 2025", "(oral presentation)"]),
    ("Synsor: a tool for detection of DNA sequences, Aidan Tay, Kieran Didi, Frontiers in "
     "Bioengineering, 04/2024",
     ["Synsor: a tool for detection of DNA sequences", "Aidan Tay", "Kieran Didi",
      "Frontiers in Bioengineering, 04/2024"]),
    # no names before the year: the title keeps its commas
    ("Vision, Language, and Action Models, 2024", ["Vision, Language, and Action Models",
                                                    "2024"]),
])
def test_names_before_a_closing_venue_and_date_end_at_it(line: str, cut: list[str]) -> None:
    assert [s.text for s in listing_fields.segments(line)] == cut

