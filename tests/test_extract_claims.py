"""Each claim-building rule, on sentences written for these tests (not copied from gold)."""

from __future__ import annotations

import pytest
from helpers import results_of

from pipeline.extract import extract_paper
from pipeline.extract.tag import metric_name_of
from pipeline.records import Paper


def _triples(text: str) -> list[tuple[str, float, str | None]]:
    return [(r.metric, r.value, r.dataset) for r in results_of(text)]


def test_single_value_with_dataset() -> None:
    (r,) = results_of("Our sampler reaches an FID of 2.15 on FFHQ.")
    assert (r.metric, r.value, r.unit, r.kind, r.dataset, r.role) == (
        "FID", 2.15, None, "absolute", "FFHQ", "proposed")


def test_respectively_aligns_values_and_datasets() -> None:
    text = "It attains top-1 accuracy of 81.2% and 67.4% on ImageNet and Places365, respectively."
    assert _triples(text) == [("accuracy", 81.2, "ImageNet"), ("accuracy", 67.4, "Places365")]


def test_a_respectively_list_takes_the_datasets_of_the_sentence_before() -> None:
    text = ("We evaluate on two public sets, namely the Synapse dataset and the KiTS19 dataset. "
            "The model achieves Dice scores of 84.2% and 87.9%, respectively, with fewer "
            "parameters. It needs 12 GB of memory.")
    assert _triples(text) == [("Dice", 84.2, "Synapse"), ("Dice", 87.9, "KiTS19")]
    # two sentences back is too far, and one value is not a list
    far = text.replace(" The model", " We train for a day. The model")
    assert [d for _m, _v, d in _triples(far)] == [None, None]
    # a list of as many values as the sentence before listed datasets is on them, in order,
    # and so is the next such list
    text = ("We test on the CelebA, FFHQ, and LSUN Church datasets. Our FID is 3.1, 4.2, and "
            "5.3. The FID of the baseline is 4.0, 5.1, and 6.2.")
    assert [d for _m, _v, d in _triples(text)] == ["CelebA", "FFHQ", "LSUN Church"] * 2
    two = text.replace("Our FID is 3.1, 4.2, and 5.3", "Our FID is 3.1 and 4.2")
    assert [d for _m, _v, d in _triples(two)][:2] == [None, None]
    # a U-Net baseline is a model, not a benchmark
    got = _triples("Dice rises by 7.3% over the UNet benchmark.")
    assert [d for _m, _v, d in got] == [None]


def test_names_in_a_list_of_values_beside_a_known_dataset_are_datasets() -> None:
    text = ("It scores 81.5% on CIFAR-100, 77.0% on the Quarry Lake Scenes and 64.2% on "
            "3DMixBench.")
    assert _triples(text) == [("accuracy", 81.5, "CIFAR-100"),
                              ("accuracy", 77.0, "Quarry Lake Scenes"),
                              ("accuracy", 64.2, "3DMixBench")]
    # with no known dataset in the list, the names stay names
    got = _triples("Our classifier reaches 81.5% accuracy on Quarry Lake and 77.0% on Ridge.")
    assert [(v, d) for _m, v, d in got] == [(81.5, None), (77.0, None)]


def test_a_latex_macro_after_on_names_a_dataset_unless_it_is_the_method() -> None:
    text = ("We introduce \\tool, a router. On \\mathbench, \\tool reaches 76.3\\% "
            "accuracy. Transfer to \\tool gives 80.1\\% accuracy on CommonsenseQA.")
    assert _triples(text) == [("accuracy", 76.3, "mathbench"),
                              ("accuracy", 80.1, "CommonsenseQA")]


def test_a_dataset_name_between_value_and_metric() -> None:
    assert _triples("Our sampler reaches 2.1 CIFAR-10 FID and an 85.5% ImageNet top-1 "
                    "accuracy.") == [("FID", 2.1, "CIFAR-10"), ("accuracy", 85.5, "ImageNet")]
    # a dataset after the value but no metric right after it names nothing
    assert _triples("We train on 50% ImageNet images and report FID.") == []


def test_a_resolution_after_the_metric_or_inside_the_dataset_name() -> None:
    rs = results_of("On ImageNet we reach 1.51 FID at 256x256, and 3.3 FID on ImageNet 64x64.")
    assert [(r.value, r.resolution) for r in rs] == [(1.51, 256), (3.3, 64)]
    # one value at two resolutions is two results; two values at two are paired in order
    rs = results_of("On ImageNet we reach 1.13 FID at both 256x256 and 512x512.")
    assert [(r.value, r.resolution) for r in rs] == [(1.13, 256), (1.13, 512)]
    rs = results_of("We reach FID 2.0 and 2.9 at 256x256 and 512x512, respectively.")
    assert [(r.value, r.resolution) for r in rs] == [(2.0, 256), (2.9, 512)]


def test_datasets_written_in_another_spelling_take_the_gazetteer_name() -> None:
    # "ACE2005" (gazetteer: "ACE 2005") in a respectively list; "InShop" ("In-Shop") named by
    # "the ... dataset": both published under the one name a leaderboard groups them by.
    text = ("Our tagger reaches 86.4 and 85.5 F1 on ACE2005 and GENIA, respectively. "
            "It also gets 90.9% Recall@1 on the InShop dataset.")
    assert [(m, v, d) for m, v, d in _triples(text)] == [
        ("F1", 86.4, "ACE 2005"), ("F1", 85.5, "GENIA"), ("Recall@1", 90.9, "In-Shop")]
    # an entry matched case-exactly, written in another case after "the ... dataset"
    assert _triples("Our model reaches a Dice of 0.86 on the CONSEP dataset.") == [
        ("Dice", 0.86, "CoNSeP")]


def test_slash_pairs_from_to() -> None:
    rs = results_of("Our method lowers FID from 3.10/2.95 to 2.20/1.85 on CelebA-HQ/AFHQ-Cat.")
    got = {(r.value, r.dataset, r.role) for r in rs}
    assert got == {(3.10, "CelebA-HQ", "baseline"), (2.95, "AFHQ-Cat", "baseline"),
                   (2.20, "CelebA-HQ", "proposed"), (1.85, "AFHQ-Cat", "proposed")}


def test_versus_second_value_is_baseline() -> None:
    rs = results_of("With 8 sampling steps we obtain an FID of 5.2 vs 9.8 for DDPM on CIFAR-10.")
    assert [(r.value, r.role, r.steps, r.dataset) for r in rs] == [
        (5.2, "proposed", 8, "CIFAR-10"), (9.8, "baseline", 8, "CIFAR-10")]


def test_from_to_percentages_are_absolute() -> None:
    rs = results_of("Fine-tuning raises accuracy from 71.0% to 76.5% on MMLU.")
    assert [(r.value, r.kind, r.role) for r in rs] == [
        (71.0, "absolute", "baseline"), (76.5, "absolute", "proposed")]


def test_from_to_without_metric_is_not_a_result() -> None:
    assert results_of("Our recipe moves the model from 40.0% to 52.5% on the held-out split.") == []


@pytest.mark.parametrize(("text", "metric"), [
    # what changes from A to B is its metric, though the metric table does not know it
    ("On all corpus rows, valid emission rises from 0.100 to 0.959.", "valid emission"),
    ("Harmful flips fall from 2.2% to 1.0% with our verifier.", "harmful flip"),
    ("Our method improves the tool call rate from 0.41 to 0.77.", "tool call rate"),
    # a generic table name ("error") with the words that say what is measured
    ("With the learned correction, position error drops from 120.5 to 60.2.", "position error"),
])
def test_what_changes_from_a_to_b_is_the_metric(text: str, metric: str) -> None:
    # (a metric the table lacks yields results only in text about machine learning)
    assert [(r.metric, r.role) for r in results_of("We fine-tune a language model. " + text)] == [
        (metric, "baseline"), (metric, "proposed")]


@pytest.mark.parametrize("text", [
    "Qwen3-9B improves from 15.5% to 99% exact accuracy on 24-line chains.",  # a system
    "We lift pose from 2D image space to 3D space.",  # not a value
    "It obtains gains ranging from 1.88% to 3.60% over the best methods.",
])
def test_what_changes_from_a_to_b_is_not_a_system_or_a_range(text: str) -> None:
    assert all(r.metric not in ("Qwen3-9B", "pose", "gain ranging", "ranging")
               for r in results_of("We fine-tune a language model. " + text))


def test_relative_percent_and_points() -> None:
    rs = results_of("The decoder improves BLEU by 12% on WMT14. It also adds +2.3 points overall.")
    assert [(r.metric, r.value, r.unit, r.kind) for r in rs] == [
        ("BLEU", 12.0, "%", "relative"), ("improvement", 2.3, "pp", "relative")]


def test_unnamed_gain_is_improvement() -> None:
    (r,) = results_of(
        "Across tasks our agent yields a 17% improvement over the strongest baseline.")
    assert (r.metric, r.value, r.unit, r.kind) == ("improvement", 17.0, "%", "relative")


@pytest.mark.parametrize("text,value", [
    ("Training becomes 2.7× faster on eight GPUs.", 2.7),
    ("Inference is 4x faster than autoregressive decoding.", 4.0),
    ("Our sampler yields a 12 times speedup in wall-clock time.", 12.0),
    ("The distilled model shows a 3.5X speedup.", 3.5),
])
def test_factors_are_relative_speedups(text: str, value: float) -> None:
    (r,) = results_of(text)
    assert (r.metric, r.value, r.unit, r.kind) == ("speedup", value, "x", "relative")


def test_fewer_interactions_is_a_count() -> None:
    (r,) = results_of("The agent matches prior results with 40X fewer environment steps.")
    assert (r.metric, r.value, r.kind) == ("environment interactions", 40.0, "count")


def test_per_model_list() -> None:
    rs = results_of("Our schedule gives a speedup of 1.8×, 2.1×, and 2.6× when training GPT-2, "
                    "ViT-B, and T5, respectively.")
    assert [(r.value, r.model) for r in rs] == [(1.8, "GPT-2"), (2.1, "ViT-B"), (2.6, "T5")]


def test_steps_resolution_and_setting() -> None:
    (r,) = results_of("In the class-conditional setting, our one-step generator reaches FID 3.4 "
                      "on ImageNet 128×128.")
    assert (r.steps, r.resolution, r.setting, r.dataset) == (1, 128, "class-conditional",
                                                            "ImageNet")


def test_resolution_after_value() -> None:
    rs = results_of(
        "On LSUN Bedroom our model improves FID by 9% at 256 and 11% at 512 resolution.")
    assert [(r.value, r.resolution, r.kind) for r in rs] == [(9.0, 256, "relative"),
                                                             (11.0, 512, "relative")]


def test_dataset_name_resolution() -> None:
    (r,) = results_of("We set a record FID of 1.41 on ImageNet-64 with 4 NFE.")
    assert (r.dataset, r.resolution, r.steps) == ("ImageNet", 64, 4)


def test_anaphora_inherits_metric_and_datasets() -> None:
    text = ("We reach FID 2.0 and 2.9 on CIFAR-10 and LSUN Bedroom respectively in one step. "
            "These scores are a 2× and 3× improvement over prior distillation.")
    rs = [r for r in results_of(text) if r.unit == "x"]
    assert [(r.metric, r.value, r.dataset, r.steps) for r in rs] == [
        ("FID", 2.0, "CIFAR-10", 1), ("FID", 3.0, "LSUN Bedroom", 1)]


def test_improvement_in_named_metric_after_value() -> None:
    (r,) = results_of("The router achieves up to 6% improvement in ROC AUC over dense gates.")
    assert (r.metric, r.value, r.unit) == ("ROC AUC", 6.0, "%")


def test_zero_shot_setting() -> None:
    (r,) = results_of("The model achieves a zero-shot accuracy of 58.3% on HellaSwag.")
    assert (r.setting, r.dataset, r.value) == ("zero-shot", "HellaSwag", 58.3)


def test_prior_sota_role() -> None:
    rs = results_of("Our FID of 1.9 beats the previous state of the art of 2.4 on FFHQ.")
    assert {(r.value, r.role) for r in rs} == {(1.9, "proposed"), (2.4, "prior_sota")}


@pytest.mark.parametrize("text", [
    "We use a CFG weight of 4.5 for all samples of the FID evaluation.",
    "Sampling uses T=50 steps and reports FID.",
    "Generation needs between 2 and 6 steps while keeping FID low.",
    "Only 5% to 15% of weights matter for accuracy.",
    "We train a 7B model on 2 trillion tokens and report accuracy.",
    "Accuracy was studied in 2024 by prior work [12, 13].",
    "The benchmark spans 217 assays and 40 species with accuracy labels.",
    "Our model wins on 5/7 GLUE tasks in accuracy.",
    "Error decays as O(1/n^2) with accuracy epsilon.",
    "The pulsar spins down at a rate of 3.2 x 10^(-14) s per s with 1% accuracy of timing.",
    "Section 4 reports the error of the estimator.",
])
def test_notresults_of(text: str) -> None:
    assert results_of(text) == []


@pytest.mark.parametrize("text", [
    "We get 85.1% accuracy at ratio 1:4 on CIFAR-10.",
    "Our method reaches 85.1% accuracy at a compression ratio of 1:4 on ImageNet.",
    "It reaches 70.1% accuracy on ImageNet at 2:4 sparsity.",
])
def test_a_ratio_is_not_two_values(text: str) -> None:
    assert [(r.metric, r.value) for r in results_of(text)] in (
        [("accuracy", 85.1)], [("accuracy", 70.1)])


def test_sentence_without_digits_has_noresults_of() -> None:
    assert results_of("Our method clearly improves FID and accuracy on every benchmark.") == []


# ----------------------------------------------------------------------------- outcome ranges


def test_range_of_a_change_gives_both_ends() -> None:
    rs = results_of("The cache cuts decoding latency by 31.5-47.2% across our prompts.")
    assert [(r.metric, r.value, r.unit, r.kind) for r in rs] == [
        ("decoding latency reduction", 31.5, "%", "relative"),
        ("decoding latency reduction", 47.2, "%", "relative")]
    rs = results_of("The recipe brings 12.0% to 19.5% gains on SQuAD for every model.")
    assert [(r.metric, r.value, r.dataset) for r in rs] == [
        ("improvement", 12.0, "SQuAD"), ("improvement", 19.5, "SQuAD")]


def test_range_of_a_named_metric_gives_both_ends() -> None:
    rs = results_of("Calibrated prompts give mean routing errors of 2.1-3.4 points in our agents.")
    assert [(r.metric, r.value) for r in rs] == [("routing error", 2.1), ("routing error", 3.4)]


def test_values_each_named_by_one_metric_are_a_list() -> None:
    text = ("Our tracker achieves 63.5 J&F and 64.8 J&F on YouTube-VOS and DAVIS, "
            "outperforming all offline methods.")
    assert _triples(text) == [("J&F", 63.5, "YouTube-VOS"), ("J&F", 64.8, "DAVIS")]
    # two metrics are two statements, each with its own dataset
    text = "Our detector reaches 45.2 AP on COCO and 50.1 AP on LVIS with one model."
    assert _triples(text) == [("mAP", 45.2, "MS-COCO"), ("mAP", 50.1, "LVIS")]


def test_a_range_a_system_reaches_gives_both_ends() -> None:
    rs = results_of("On phones our detector achieves 61.3%-66.8% box AP on COCO in real time.")
    assert [(r.value, r.unit, r.dataset) for r in rs] == [(61.3, "%", "MS-COCO"),
                                                          (66.8, "%", "MS-COCO")]
    rs = results_of("The cache achieves 2–3× end-to-end speed-ups on video diffusion models.")
    assert [(r.metric, r.value, r.unit) for r in rs] == [("speedup", 2.0, "x"),
                                                         ("speedup", 3.0, "x")]


def test_a_range_in_a_unit_that_is_a_metric_gives_both_ends() -> None:
    rs = results_of("Our neural-network tracker runs at 22.5-31.0 FPS on a laptop CPU on OTB-100.")
    assert [(r.metric, r.value) for r in rs] == [("FPS", 22.5), ("FPS", 31.0)]
    # a unit that is not a metric keeps the range a setting
    assert results_of("Training our deep network takes 5-10 hours on a GPU.") == []


def test_a_dash_between_percentages_is_a_range_not_a_sign() -> None:
    rs = results_of("On phones our detector achieves 61.3%-66.8% box AP on COCO in real time.")
    assert all(r.value > 0 for r in rs)
    (r,) = results_of("The pruned model keeps accuracy at -0.4% change on ImageNet.")
    assert r.value == -0.4
    # nor is a LaTeX en dash ("5--8") between two numbers
    rs = results_of("Our LLM beats strong LLM fine-tunes by 5--8 points across 9 benchmarks.")
    assert [r.value for r in rs] == [5.0, 8.0]


def test_a_metric_written_in_latex_is_the_tables_metric() -> None:
    rs = results_of("The final neural system scores 0.762 paper F$_1$, 0.441 evidence $F_1$ "
                    "and an $F_{1}$ score of 0.8 on the held-out test split.")
    assert [(r.metric, r.value) for r in rs] == [("F1", 0.762), ("evidence F1", 0.441),
                                                 ("F1", 0.8)]
    assert metric_name_of("evidence $F_1$") == ("evidence F1", False)
    assert metric_name_of("box mAP@0.5") == ("box mAP@0.5", False)


def test_a_scale_factor_of_super_resolution_is_a_setting() -> None:
    rs = results_of("Our network attains a PSNR of 32.1 dB on Set5 for 4x super-resolution.")
    assert [(r.metric, r.value) for r in rs] == [("PSNR", 32.1)]
    rs = results_of("For ×4 SR on Urban100 the network reaches 26.9 dB PSNR and runs 3x faster.")
    assert [(r.metric, r.value) for r in rs] == [("PSNR", 26.9), ("speedup", 3.0)]
    # "SR" is also a success rate, as a metric
    rs = results_of("The agent network reaches an SR of 85% on LIBERO.")
    assert [(r.metric, r.value) for r in rs] == [("success rate", 85.0)]


@pytest.mark.parametrize("text", [
    "We sweep dropout of 10-30% and report accuracy.",
    "Pruning keeps 20% to 40% of heads while accuracy is unchanged.",
    "Models of 1-7 layers are trained and their accuracy compared.",
])
def test_setting_ranges_are_notresults_of(text: str) -> None:
    assert results_of(text) == []


# ----------------------------------------------------------------------------- gains by dataset


def test_gain_by_points_on_each_listed_dataset() -> None:
    rs = results_of("Our decoder lifts scores by over 7 points on the reasoning benchmarks GSM8K "
                    "and HellaSwag.")
    assert [(r.metric, r.value, r.unit, r.dataset) for r in rs] == [
        ("improvement", 7.0, "pp", "GSM8K"), ("improvement", 7.0, "pp", "HellaSwag")]


def test_average_gain_across_datasets_has_no_dataset() -> None:
    (r,) = results_of("Distillation yields a 2.5-point gain in average score across MMLU, GSM8K "
                      "and HellaSwag.")
    assert (r.value, r.unit, r.dataset) == (2.5, "pp", None)


def test_dataset_by_value_after_a_change_verb() -> None:
    rs = results_of("The filter improves faithfulness on summarisation (CNN/DailyMail by 7.1%) "
                    "and on QA (TriviaQA by 3.2%).")
    assert [(r.metric, r.value, r.dataset) for r in rs] == [
        ("improvement", 7.1, "CNN/DailyMail"), ("improvement", 3.2, "TriviaQA")]


# ----------------------------------------------------------------------------- metric phrases


def test_metric_phrase_before_the_value() -> None:
    (r,) = results_of("Even the largest model reaches an overall score of 58% on SQuAD.")
    assert (r.metric, r.value, r.unit, r.dataset) == ("overall score", 58.0, "%", "SQuAD")


def test_metric_named_after_a_comparative() -> None:
    rs = results_of("Fine-tuned models show 0.041 higher DINO-Sim, 0.8 higher CLIP and 3.3 pp "
                    "higher Layout IoU than the base model.")
    assert [(r.metric, r.value, r.kind) for r in rs] == [
        ("DINO-Sim", 0.041, "relative"), ("CLIP score", 0.8, "relative"),
        ("Layout IoU", 3.3, "relative")]


def test_acronym_metric_with_colon_only_in_a_sentence_about_metrics() -> None:
    rs = results_of("On the strict metrics (Q7: 0.71 vs. 0.64) the two agents tie.")
    assert [(r.metric, r.value, r.role) for r in rs] == [
        ("Q7", 0.71, "proposed"), ("Q7", 0.64, "baseline")]
    assert results_of("Setting KX: 0.25 is used throughout training.") == []


def test_value_in_a_named_quality() -> None:
    (r,) = results_of("The best LLM scores 4.1 out of 5 in answer faithfulness.")
    assert (r.metric, r.value) == ("answer faithfulness", 4.1)


def test_measurement_of_a_named_metric_and_compared_units() -> None:
    rs = results_of("The planner reaches a collision rate of 3% and a tracking error of 4.2 cm, "
                    "compared with 9% and 7.7 cm for the baseline planner.")
    assert [(r.metric, r.value, r.role) for r in rs] == [
        ("collision rate", 3.0, "proposed"), ("tracking error", 4.2, "proposed"),
        ("collision rate", 9.0, "baseline"), ("tracking error", 7.7, "baseline")]


def test_measurements_changing_from_a_to_b_and_the_next_metric_of_the_list() -> None:
    rs = results_of("We fine-tune a forecasting network. Over five days, landfall error falls from "
                    "210 km to 95 km, and peak surge error from 0.9 to 0.4 m.")
    assert [(r.metric, r.value, r.role) for r in rs] == [
        ("landfall error", 210.0, "baseline"), ("landfall error", 95.0, "proposed"),
        ("peak surge error", 0.9, "baseline"), ("peak surge error", 0.4, "proposed")]


@pytest.mark.parametrize(("text", "metric"), [
    ("The ranking model brings a 4.2% click volume uplift in production.", "click volume uplift"),
    ("Caching gives a 35% memory footprint reduction.", "memory footprint reduction"),
    ("The distilled planner is 62% cheaper than the teacher.", "cost reduction"),
    ("We obtain a 4.5% relative improvement over the baseline.", "improvement"),
])
def test_a_change_named_after_its_value_is_relative(text: str, metric: str) -> None:
    rs = results_of("We fine-tune a language model. " + text)
    assert [(r.metric, r.unit, r.kind) for r in rs] == [(metric, "%", "relative")]


@pytest.mark.parametrize(("text", "metric", "value"), [
    ("The pruned network reduces FLOPs to 1/5 of the dense one.", "FLOPs reduction", 5.0),
    ("Our tuner reaches the same loss with 3x less compute.", "compute reduction", 3.0),
    ("We cut the number of parameters by 40x.", "parameter reduction", 40.0),
    ("The teacher was trained with 20x more compute.", "compute increase", 20.0),
    # a count of things and a change noun before what it changes keep the metric's name
    ("The agent needs 300x fewer environment interactions.", "environment interactions", 300.0),
    ("We see a 50x reduction in the budget needed for hyperparameter tuning.", "tuning budget",
     50.0),
])
def test_a_factor_of_a_cost_is_named_by_its_direction(text: str, metric: str,
                                                       value: float) -> None:
    rs = results_of("We fine-tune a language model. " + text)
    assert [(r.metric, r.value, r.unit) for r in rs] == [(metric, value, "x")]


def test_a_rating_on_a_scale_is_one_value_and_a_count_out_of_n_none() -> None:
    rs = results_of("We fine-tune a language model. Our model achieves a helpfulness rating of "
                    "4.21/5. It reaches an MT-bench score of 8.38/10.")
    assert [(r.metric, r.value) for r in rs] == [("helpfulness rating", 4.21), ("score", 8.38)]
    assert results_of("We fine-tune a language model. It solves 7/10 tasks.") == []


@pytest.mark.parametrize(("text", "metric", "value"), [
    ("Judges give it a helpfulness rating of 4.21/5.", "helpfulness rating", 4.21),
    ("The strict prompt achieves the highest TCR (71.3%) of all prompts.", "TCR", 71.3),
])
def test_metric_names_the_table_lacks_by_their_shape(text: str, metric: str,
                                                      value: float) -> None:
    rs = results_of("We fine-tune a language model. " + text)
    assert [(r.metric, r.value) for r in rs] == [(metric, value)]


def test_a_value_in_brackets_after_a_model_name_is_not_its_metric() -> None:
    assert results_of("We fine-tune a language model. It achieves the best GPT (2019) "
                      "results.") == []


def test_a_level_of_an_unnamed_quantity_is_not_an_improvement() -> None:
    # "of" after a noun that is no change: a level reached, named by the dataset's metric
    rs = results_of("Our model outperforms prior work with a new record of 85.3% on CIFAR-100.")
    assert [(r.metric, r.value, r.kind) for r in rs] == [("accuracy", 85.3, "absolute")]
    rs = results_of("We fine-tune a language model. It outperforms prior work, with a "
                    "robustness index of 62.1% on our suite.")
    assert all(r.metric != "improvement" for r in rs)
    # after a change noun it is a change
    rs = results_of("We observe an improvement of 5.2% on CIFAR-100 over the baseline.")
    assert [(r.metric, r.kind) for r in rs] == [("improvement", "relative")]


def test_cost_reductions_named_after_the_value() -> None:
    rs = results_of("The agent needs 38% fewer model calls and 52% fewer prompt tokens.")
    assert [(r.metric, r.value, r.unit) for r in rs] == [
        ("model call reduction", 38.0, "%"), ("prompt token reduction", 52.0, "%")]


def test_modifier_between_value_and_metric() -> None:
    rs = results_of("Fine-tuning moves the model from 21.5% to 88% exact accuracy.")
    assert [(r.metric, r.value, r.role) for r in rs] == [
        ("accuracy", 21.5, "baseline"), ("accuracy", 88.0, "proposed")]


def test_recall_at_k_spellings() -> None:
    (r,) = results_of("Dense retrieval reaches only 0.63 R@20 on this task.")
    assert (r.metric, r.value) == ("Recall@20", 0.63)


# ----------------------------------------------------------------------------- datasets of results


def test_benchmark_paper_results_default_to_its_benchmark() -> None:
    paper = Paper("p", "Zephyra: A Benchmark for Map Reasoning", (),
                  "We build Zephyra from 3k maps. The strongest model reaches an accuracy of "
                  "41.5%.", "f.txt", "test", 1)
    (r,) = extract_paper(paper).results
    assert (r.metric, r.value, r.dataset) == ("accuracy", 41.5, "Zephyra")


def test_cost_after_a_semicolon_is_not_on_the_earlier_dataset() -> None:
    (r,) = results_of("On FFHQ our sampler is sharper; it also lowers peak memory by 35%.")
    assert (r.metric, r.value, r.dataset) == ("peak memory reduction", 35.0, None)


# ----------------------------------------------------------------------------- roles


@pytest.mark.parametrize("text", [
    "Our sampler achieves a state-of-the-art FID of 1.62 on LSUN Bedroom.",
    "With 12 steps it yields the current state-of-the-art FID of 2.01 on FFHQ.",
    "The model sets a new state of the art with an FID of 1.9 on FFHQ.",
])
def test_state_of_the_art_claimed_by_the_paper_is_proposed(text: str) -> None:
    assert [r.role for r in results_of(text)] == ["proposed"]


def test_number_of_earlier_work_is_prior_sota() -> None:
    rs = results_of("We reach FID 1.8, below the previous state of the art of 2.3 on FFHQ.")
    assert [(r.value, r.role) for r in rs] == [(1.8, "proposed"), (2.3, "prior_sota")]


def test_metric_phrases_need_an_ml_abstract() -> None:
    # Physics: "a spectral index of 2.1" has the shape of a metric phrase but is a measurement.
    assert results_of("The source shows a spectral index of 2.1 and a flux ratio of 0.4.") == []


def test_and_is_not_a_modifier_between_value_and_metric() -> None:
    rs = results_of("The cache reduces training memory by 31.2% and inference time by 44.0%.")
    assert [(r.metric, r.value) for r in rs] == [
        ("memory reduction", 31.2), ("inference time reduction", 44.0)]


def test_size_factor_does_not_take_a_quality_metric() -> None:
    rs = results_of("It keeps 51.2 nDCG@10 on BEIR and is 3.1x to 6.4x smaller than rivals.")
    assert [(r.metric, r.value) for r in rs] == [("NDCG@10", 51.2)]


def test_average_across_a_dataset_list_has_no_dataset() -> None:
    rs = results_of("The LLM gets an average score of 71.0 across GSM8K and MMLU and 64.2 across "
                    "HellaSwag, PIQA and SQuAD.")
    assert [(r.value, r.dataset) for r in rs] == [(71.0, None), (64.2, None)]


@pytest.mark.parametrize(("text", "metric"), [
    ("We reach a rank-1 accuracy of 76.6% on Market-1501.",
     "rank-1 accuracy"),
    ("The agent reaches a recommendation accuracy of 54% on MovieLens-1M.",
     "recommendation accuracy"),
    ("We obtain a lesion-wise Dice of 0.81 on BraTS.", "lesion-wise Dice"),
    # written with a capital, and with the table name's filler ("scores")
    ("Our model reaches 98.1% Image-level AUROC on MVTec AD.", "Image-level AUROC"),
    ("The guard lifts its Defense Success Rate to 95.2% on AdvBench.", "Defense success rate"),
    ("It reaches 0.81 lesion-wise Dice scores on BraTS.", "lesion-wise Dice"),
    ("Pruning our ViT gives an 80.6% FLOPs reduction on ImageNet.", "FLOPs reduction"),
    # Descriptive words and plurals do not make a new metric.
    ("Our classifier reaches an average accuracy of 91.2% on CIFAR-10.", "accuracy"),
    ("It achieves classification accuracies of 97.6% on CIFAR-10.", "accuracy"),
    # A quality metric's "reduction" is a change of that metric.
    ("The corrector yields a 47.3% WER reduction on LibriSpeech.", "WER"),
])
def test_metric_named_with_the_word_that_says_what_is_measured(text: str, metric: str) -> None:
    assert [r.metric for r in results_of(text)] == [metric]


def test_a_list_of_values_takes_the_specific_metric_named_after_its_last_value() -> None:
    text = ("The model gets 92.1 and 87.7 Dice scores and 89.0 and 84.6 Lesion-wise Dice "
            "scores on BraTS.")
    assert [(r.metric, r.value) for r in results_of(text)] == [
        ("Dice", 92.1), ("Dice", 87.7), ("Lesion-wise Dice", 89.0), ("Lesion-wise Dice", 84.6)]


@pytest.mark.parametrize(("text", "metric", "value"), [
    ("Our tokenizer reaches a gFID of 2.07 on ImageNet.", "FID", 2.07),
    ("It keeps a reconstruction rFID of 1.21 on ImageNet.", "rFID", 1.21),
    ("The detector runs at 70 FPS on COCO with a small backbone.", "FPS", 70.0),
    ("Our tracker gets 61.4 HOTA and 72.3 MOTA on MOT17.", "HOTA", 61.4),
    ("The speaker model reaches an EER of 0.86% on VoxCeleb1.", "EER", 0.86),
    # standard metrics of survival analysis, classification agreement and captioning
    ("Our machine learning model beats single-modality models (c-index 0.82 compared with "
     "0.75).", "C-index", 0.82),
    ("The classifier reaches an MCC of 0.71 and a Cohen's kappa of 0.64 on the test set.",
     "Cohen's kappa", 0.64),
    ("Our captioner scores 24.1 SPICE on COCO.", "SPICE", 24.1),
])
def test_metrics_of_vision_speech_and_tracking_are_known(text: str, metric: str,
                                                        value: float) -> None:
    assert (metric, value) in [(r.metric, r.value) for r in results_of(text)]


def test_physics_and_math_abstracts_give_almost_no_mlresults_of() -> None:
    import json
    from pathlib import Path
    path = Path(__file__).parent / "fixtures/formats/arxiv/arxiv-metadata-oai-snapshot.head.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    found = sum(len(results_of(r["abstract"])) for r in records)
    assert len(records) == 200
    assert found <= 2 * len(records) / 100  # the bound: 2 per 100 abstracts


@pytest.mark.parametrize("text", [
    "Distillation accelerates the teacher's sampling by up to 278.6 times on ImageNet.",
    "FastSample speeds up GNN training by up to 2x with no loss in accuracy on ogbn-products.",
])
def test_a_factor_next_to_a_speed_verb_is_a_speedup(text: str) -> None:
    assert [(r.metric, r.unit) for r in results_of(text)] == [("speedup", "x")]


@pytest.mark.parametrize(("text", "want"), [
    # one describing word between the number and its metric ("val", "3D", "of image")
    ("Our network reaches 48.2 val mIoU on ADE20K.", [("mIoU", 48.2, "ADE20K")]),
    ("The lifter achieves 91.3% 3D PCK on MPI-INF-3DHP.", [("PCK", 91.3, "MPI-INF-3DHP")]),
    ("The detector attains 77.5 of image AUROC on MVTec AD.", [("ROC AUC", 77.5, "MVTec AD")]),
    # a metric named by a two-word left-hand side of "="
    ("The enhancer scores well (PESQ score = 3.12) on VoiceBank+DEMAND.",
     [("PESQ", 3.12, "VoiceBank-DEMAND")]),
])
def test_metric_named_across_a_describing_word(
        text: str, want: list[tuple[str, float, str | None]]) -> None:
    assert _triples(text) == want


def test_value_after_of_is_a_change_only_when_the_noun_before_of_is_one() -> None:
    rs = results_of("Our model beats all baselines, reaching an accuracy of 71.4% on CIFAR-100.")
    assert [(r.metric, r.kind) for r in rs] == [("accuracy", "absolute")]
    (r,) = results_of("It brings an absolute improvement of 3.1% over the baseline.")
    assert (r.metric, r.kind) == ("improvement", "relative")


@pytest.mark.parametrize("text", [
    "Our detector achieves 41.2%, surpassing all earlier detectors.",
    "Accuracy of the ensemble can be further improved to 88.0% with more data.",
])
def test_a_level_reached_without_a_metric_is_not_an_improvement(text: str) -> None:
    assert [r for r in results_of(text) if r.metric == "improvement"] == []


def test_a_gain_range_after_a_result_verb_stays_a_gain() -> None:
    rs = results_of("It lifts open models by achieving 12.5% to 20.1% gains on GSM8K.")
    assert [(r.metric, r.value, r.kind) for r in rs] == [
        ("improvement", 12.5, "relative"), ("improvement", 20.1, "relative")]


@pytest.mark.parametrize(("phrase", "want"), [
    ("a PQ score of 21.3", "PQ"), ("a high Dice coefficient of 0.91", "Dice"),
    ("a weighted F1 score of 80.2", "F1"), ("an exact match ratio of 71.0", "exact match"),
    ("a mean AUC score of 0.71", "ROC AUC"), ("an overall score of 61.0", "overall score"),
])
def test_praise_words_and_a_score_tail_leave_the_table_metric(phrase: str, want: str) -> None:
    rs = results_of(f"We train a deep neural network on a benchmark dataset. It obtains {phrase}.")
    assert [r.metric for r in rs] == [want]


def test_respective_before_the_values_pairs_them_with_the_datasets_in_order() -> None:
    assert _triples("The solver sets new records on GSM8K and SVAMP, with respective "
                    "accuracies of 91.2% and 88.4%.") == [
        ("accuracy", 91.2, "GSM8K"), ("accuracy", 88.4, "SVAMP")]


def test_as_many_values_as_datasets_after_them_pair_in_order() -> None:
    assert _triples("We train a deep neural network for segmentation. It obtains Dice scores "
                    "of 0.81, 0.84 and 0.86 on three public datasets, namely DRIVE, STARE and "
                    "CHASE_DB1.") == [
        ("Dice", 0.81, "DRIVE"), ("Dice", 0.84, "STARE"), ("Dice", 0.86, "CHASE_DB1")]


def test_the_one_dataset_of_the_abstract_is_where_an_unplaced_level_was_measured() -> None:
    rs = results_of("We pretrain a transformer language model on WikiText-103. Our largest model "
                    "brings perplexity down to 17.9.")
    assert [(r.metric, r.value, r.dataset) for r in rs] == [("perplexity", 17.9, "WikiText-103")]
    # two datasets named: which one is not said
    rs = results_of("We pretrain on WikiText-103 and test on One Billion Word. Our largest model "
                    "brings perplexity down to 17.9.")
    assert [r.dataset for r in rs] == [None]


def test_a_latex_escaped_percent_is_a_percentage() -> None:
    rs = results_of(r"We fine-tune a language model. It reaches 45.3\% accuracy on ImageNet "
                    r"and cuts training time by 21.5\%.")
    assert [(r.metric, r.value, r.unit, r.kind) for r in rs] == [
        ("accuracy", 45.3, "%", "absolute"), ("training time reduction", 21.5, "%", "relative")]


def test_llm_era_words_make_an_ml_context() -> None:
    # no "neural", "dataset", "benchmark"... only a RAG system built on Llama models
    rs = results_of("We build a decentralized RAG system on two Llama models. It yields a "
                    "12.5% relative gain over its centralized counterpart.")
    assert [(r.value, r.kind) for r in rs] == [(12.5, "relative")]


@pytest.mark.parametrize(("text", "want"), [
    ("It lowers the MSE and MAE by 7.5% and 3.1% on four datasets.",
     [("MSE", 7.5), ("MAE", 3.1)]),
    ("The Dice score, specificity and HD95 improve by 0.9%, 0.2% and 1.4% respectively.",
     [("Dice", 0.9), ("specificity", 0.2), ("HD95", 1.4)]),
])
def test_a_list_of_metrics_then_as_many_values_pair_in_order(
        text: str, want: list[tuple[str, float]]) -> None:
    rs = results_of("We train a deep neural network for this task. " + text)
    assert [(r.metric, r.value) for r in rs] == want


@pytest.mark.parametrize(("text", "want"), [
    ("It gives 3.2% and 9.8% relative gains in equal error rate and minimum detection cost "
     "function, respectively, on VoxCeleb1.", [("EER", 3.2), ("minDCF", 9.8)]),
    ("The tagger scores 41.5, 33.0 and 52.9 in BLEU, METEOR and ROUGE-L respectively.",
     [("BLEU", 41.5), ("METEOR", 33.0), ("ROUGE-L", 52.9)]),
    # without "respectively" the list is not aligned: every value stays with the first metric
    ("It gives 3.2% and 9.8% relative gains in equal error rate and minimum detection cost "
     "function on VoxCeleb1.", [("EER", 3.2), ("EER", 9.8)]),
])
def test_values_then_as_many_metrics_and_respectively_pair_in_order(
        text: str, want: list[tuple[str, float]]) -> None:
    rs = results_of("We train a deep neural network for speaker verification. " + text)
    assert [(r.metric, r.value) for r in rs] == want


@pytest.mark.parametrize(("pointer", "want"), [("latter", 128), ("former", 64)])
def test_the_former_or_the_latter_resolution(pointer: str, want: int) -> None:
    (r,) = results_of("Our sampler beats prior work on CIFAR-10 at 64x64 and 128x128 resolution, "
                      f"reaching an FID of 3.1 on the {pointer}.")
    assert (r.value, r.resolution) == (3.1, want)


@pytest.mark.parametrize(("text", "want"), [
    ("It obtains 81.0% mAP / 90.5% rank1 on Market-1501.",
     [("mAP", 81.0), ("rank-1 accuracy", 90.5)]),
    ("Our LSTM reaches a test set error of 18.2% on TIMIT.", [("error rate", 18.2)]),
    ("It brings word-level perplexity on WikiText-2 down to 45.0.", [("perplexity", 45.0)]),
])
def test_metric_spellings_of_leaderboards(text: str, want: list[tuple[str, float]]) -> None:
    rs = results_of("We train a deep neural network for this task. " + text)
    assert [(r.metric, r.value) for r in rs] == want


@pytest.mark.parametrize(("text", "want"), [
    # a relative change of a cost is named by the words of the text and its direction
    ("SJF cuts median E2E latency by up to 73% at high load.", "latency reduction"),
    ("Starvation increases tail latency by up to 97%.", "latency increase"),
    ("It reduces the number of parameters by 9.2%.", "parameter reduction"),
    # ... also when the text names the cost more specifically than the table
    ("Caching reduces generation tokens by 37% per episode.", "generation token reduction"),
    # a quality metric keeps its name (a change in points of a score)
    ("Our tuning improves CTR by 2.81% online.", "CTR"),
    # an unnamed gain is an improvement, however it is worded
    ("The method yields a relative gain of 12.8% over Whisper.", "improvement"),
])
def test_relative_changes_are_named_with_their_direction(text: str, want: str) -> None:
    (r,) = results_of("We train a deep neural network for this task. " + text)
    assert (r.metric, r.kind) == (want, "relative")


def test_a_number_of_an_unknown_acronym_is_not_the_earlier_metrics() -> None:
    # "CoV" is not in the metric table: the number is not an FID
    assert results_of("We train diffusion models on ImageNet. Treat any FID gap below the "
                      "measured ~1.3% CoV as noise.") == []
    rs = results_of("We train a deep neural network. It brings 1.5x DiT speedups on A100 GPUs.")
    assert [(r.metric, r.value) for r in rs] == [("speedup", 1.5)]


@pytest.mark.parametrize(("text", "want"), [
    ("We obtain nDCG@10 of 0.512 and Recall@20 of 0.31 on MS MARCO.",
     [("NDCG@10", 0.512), ("Recall@20", 0.31)]),
    ("It reaches 45.1 Hits@1 and 0.52 MRR@10 on FB15k-237.",
     [("Recall@1", 45.1), ("MRR@10", 0.52)]),
    ("Our recommender achieves a precision@10 score of 68% on the benchmark.",
     [("precision@10", 68.0)]),
    # names with a number of their own, and a cut-off left unnamed, stay as written
    ("We get 82.1% top-5 accuracy and pass@1 of 45.2% on HumanEval.",
     [("top-5 accuracy", 82.1), ("pass@1", 45.2)]),
    ("It has a Recall@k of 0.4 on MS MARCO.", [("Recall@k", 0.4)]),
    # a range of cut-offs is part of the name: its numbers are not values
    ("Our detector reaches 41.2 mAP@0.5:0.95 and 60.1 mAP@0.5 on COCO.",
     [("mAP@0.5:0.95", 41.2), ("mAP@0.5", 60.1)]),
    ("It reaches an AP@[0.5:0.95] of 40.1 on COCO.", [("mAP@0.5:0.95", 40.1)]),
    # accuracy's cut-offs are written "top-k"; a name the table lacks keeps its cut-off
    ("Our classifier reaches an Acc@1 of 68.3% and an Acc@3 of 89.2% on ImageNet.",
     [("accuracy", 68.3), ("top-3 accuracy", 89.2)]),
    ("With Fable 5, our agent achieves 97.4% best@2 on the benchmark.", [("best@2", 97.4)]),
])
def test_a_metric_keeps_the_cutoff_it_is_written_with(
        text: str, want: list[tuple[str, float]]) -> None:
    got = extract_paper(Paper("p", "T", (), text, "x", "arxiv", 1)).results
    assert [(r.metric, r.value) for r in got] == want


def test_a_value_stated_at_a_condition_takes_the_dataset_after_both() -> None:
    # "at 102 FPS" is the mIoU's condition: both numbers are on the dataset that follows
    assert _triples("DDRNet-23-slim yields 77.4 mIoU at 102 FPS on Cityscapes test set and "
                    "74.7 mIoU at 230 FPS on CamVid test set.") == [
        ("mIoU", 77.4, "Cityscapes"), ("FPS", 102.0, "Cityscapes"),
        ("mIoU", 74.7, "CamVid"), ("FPS", 230.0, "CamVid")]


def test_a_dataset_that_needs_context_is_named_after_namely() -> None:
    got = _triples("IterNet achieves AUCs of 0.9816 and 0.9881 on two mainstream datasets, "
                   "namely DRIVE and STARE, respectively.")
    assert got == [("ROC AUC", 0.9816, "DRIVE"), ("ROC AUC", 0.9881, "STARE")]


@pytest.mark.parametrize(("text", "want"), [
    # a respectively-list of names holds one the gazetteer does not know ("NNE", "Kumar");
    # names it knows in another spelling take its name
    ("Our approach achieves 86.41, 85.46, and 94.2 F1 scores on ACE2004, ACE2005, and NNE, "
     "respectively.", ["ACE 2004", "ACE 2005", "NNE"]),
    ("We achieved DICE of 0.843, 0.855, and 0.892 for Kumar, CoNSep, and CPM-17 datasets, "
     "respectively.", ["Kumar", "CoNSeP", "CPM-17"]),
    # short acronyms and plain words with no known dataset beside them are not datasets
    ("We train a deep neural network. It reaches an RTF of 0.012 and 0.13 on GPU and CPU, "
     "respectively.", [None, None]),
])
def test_a_respectively_list_of_names_gives_each_value_its_dataset(
        text: str, want: list[str | None]) -> None:
    assert [d for _m, _v, d in _triples(text)] == want


def test_a_long_metric_name_between_value_and_dataset() -> None:
    assert _triples("We obtain 88.5% Top-1 classification accuracy on ImageNet validation set "
                    "and the best 91.2% on ImageNet ReaL.") == [
        ("accuracy", 88.5, "ImageNet"), ("accuracy", 91.2, "ImageNet-ReaL")]


def test_a_metric_named_in_terms_of_after_the_value() -> None:
    assert _triples("We achieve state-of-the-art accuracy (37.5 in terms of BLEU score) on "
                    "the WMT14 benchmark.") == [("BLEU", 37.5, "WMT14")]


def test_a_specific_metric_before_accuracy_names_the_value() -> None:
    # "SUN-RGBD": the name more PwC papers use of the spellings of SUN RGB-D
    assert _triples("RedNet achieves a state-of-the-art mIoU accuracy of 47.8% on the "
                    "SUN RGB-D benchmark dataset.") == [("mIoU", 47.8, "SUN-RGBD")]
    assert _triples("It reaches an exact accuracy of 45.1% on ImageNet.") == [
        ("accuracy", 45.1, "ImageNet")]


def test_an_abbreviation_in_brackets_is_the_metric_named_before_it() -> None:
    assert _triples("Our approach achieves mean Intersection over Union (IoU) scores of 84.5% "
                    "on the Cityscapes test set.") == [("mIoU", 84.5, "Cityscapes")]


def test_a_metric_value_list_names_each_value_by_its_own_name() -> None:
    assert _triples("Our approach achieves FID 3.49 and KDD 0.319 on ImageNet-256.") == [
        ("FID", 3.49, "ImageNet"), ("KDD", 0.319, "ImageNet")]
    # a dataset in that place is where the value was measured, not its metric
    assert [m for m, _v, _d in _triples(
        "Our model reaches accuracy 85.1, and CIFAR-100 91.2 with few labels.")] == [
        "accuracy", "accuracy"]


def test_a_specific_name_after_the_value_is_its_own() -> None:
    assert [(m, v) for m, v, _d in _triples(
        "On the LIBERO benchmark, RM-RL yields a 53% improvement in translation accuracy and "
        "20% in rotation accuracy.")] == [("translation accuracy", 53.0),
                                          ("rotation accuracy", 20.0)]


def test_a_sentence_listing_dataset_value_pairs_states_results() -> None:
    # no result verb in the sentence: the "Name: value" list is the statement
    assert _triples("Flan-PaLM reaches human-level performance on the three datasets. "
                    "MedQA: 60.2%, MedMCQA: 62.7% and PubMedQA: 78.2%.")[1:] == [
        ("accuracy", 62.7, "MedMCQA"), ("accuracy", 78.2, "PubMedQA")]
    assert results_of("We describe the MedMCQA: 2 annotators labelled it.") == []


def test_after_an_article_the_value_opens_a_noun_phrase_ending_in_its_metric() -> None:
    rs = results_of("The agent reaches a 71% long-horizon navigation success rate in Habitat.")
    assert [(r.metric, r.value) for r in rs] == [("navigation success rate", 71.0)]
    # without the article the words between are not taken for the metric's modifiers
    assert results_of("The agent keeps 71% long-horizon navigation success rate.") == []


def test_a_metric_named_after_the_value_then_a_gain_makes_it_relative() -> None:
    rs = results_of("The ranker wins 3.1% MRR improvement and 2.2% H@10 gain on FB15k-237.")
    assert [(r.metric, r.value, r.kind, r.dataset) for r in rs] == [
        ("MRR", 3.1, "relative", "FB15k-237"), ("Recall@10", 2.2, "relative", "FB15k-237")]


def test_robotics_text_is_ml_context_for_success_rate() -> None:
    rs = results_of("Our robot reaches an average success rate of 64% across kitchens.")
    assert [(r.metric, r.value) for r in rs] == [("success rate", 64.0)]
    assert results_of("The coating reaches an average success rate of 64% across kitchens.") == []


def test_a_to_range_after_a_change_of_a_metric_is_from_to() -> None:
    rs = results_of("The critic lowers sample FID (e.g., 7.41 to 3.05 on FFHQ) at no cost.")
    assert [(r.metric, r.value, r.role, r.dataset) for r in rs] == [
        ("FID", 7.41, "baseline", "FFHQ"), ("FID", 3.05, "proposed", "FFHQ")]
    # a range of settings after a change verb is not a change of a metric
    assert results_of("Tuning lowers the learning rate 0.1 to 0.01 as accuracy rises.") == []


def test_a_range_next_to_its_metric_is_two_results() -> None:
    rs = results_of("The probe reaches AUC 0.91-0.95 and keeps 70-81% top-5 accuracy on ImageNet.")
    assert [(r.metric, r.value) for r in rs] == [
        ("ROC AUC", 0.91), ("ROC AUC", 0.95), ("top-5 accuracy", 70.0), ("top-5 accuracy", 81.0)]


def test_solving_a_share_of_the_tasks_is_a_success_rate() -> None:
    rs = results_of("Our coding agent resolves 31.5% of the issues in SWE-bench Lite.")
    assert [(r.metric, r.value, r.unit) for r in rs] == [("success rate", 31.5, "%")]
    # a share of the tasks that is not solved is no result
    assert results_of("Our coding agent drops 31.5% of the issues in SWE-bench Lite.") == []


@pytest.mark.parametrize(("text", "metric"), [
    ("In a user study, radiologists accepted 91.5% of the generated reports.",
     "acceptance rate"),
    ("Our classifier is capable of detecting 88% of the jailbreak attacks.", "detection rate"),
])
def test_a_share_accepted_or_detected_is_a_rate(text: str, metric: str) -> None:
    rs = results_of("We fine-tune a language model. " + text)
    assert [(r.metric, r.unit) for r in rs] == [(metric, "%")]
    # flagged items may be false alarms: no rate of its own
    assert results_of("We fine-tune a language model. The filter flags 12% of the "
                      "benign prompts.") == []


def test_a_gain_of_no_named_metric_is_an_improvement() -> None:
    rs = results_of("Across the suites, our prompt optimiser shows a mean gain of +9.4 pp.")
    assert [(r.metric, r.value, r.kind) for r in rs] == [("improvement", 9.4, "relative")]


def test_a_change_in_a_named_quantity_takes_that_name() -> None:
    # a factor of a metric its clause names: the metric and the direction (as the Hugging Face
    # day's gold names it, ../shared/gold)
    rs = results_of("Our video model shows a 2x improvement in Rigid Motion Consistency over "
                    "layout-conditioned baselines.")
    assert [(r.metric, r.value, r.unit, r.kind) for r in rs] == [
        ("Rigid Motion Consistency improvement", 2.0, "x", "relative")]
    # a percentage change of a quality metric keeps the metric's name
    rs = results_of("We train a deep neural network for click-through rate prediction. In "
                    "online A/B tests, it improves CTR by 2.81%.")
    assert [(r.metric, r.value, r.unit) for r in rs] == [("CTR", 2.81, "%")]


def test_a_resampling_factor_and_a_bare_ratio_are_settings() -> None:
    assert results_of("The diffusion model reads tokens from a 16x downsampled image.") == []
    assert results_of("Our diffusion model edits masks with average ratios of 6.4% and 9%.") == []


def test_a_year_closing_a_sentence_and_a_version_before_a_colon_are_not_values() -> None:
    rs = results_of("Our retrieval model got a private mAP of 0.36 in the Landmark Challenge 2020.")
    assert [r.value for r in rs] == [0.36]
    rs = results_of("Our tokenizer has a low rFID on ImageNet (ours: 0.12 vs. SD-VAE 3.5: 0.19).")
    assert sorted(r.value for r in rs) == [0.12, 0.19]


def test_a_comparison_sign_after_an_article_and_a_glued_times() -> None:
    rs = results_of("The distilled diffusion model delivers a >12times acceleration in sampling.")
    assert [(r.metric, r.value, r.unit) for r in rs] == [("speedup", 12.0, "x")]


def test_these_gains_keep_each_metric_on_its_dataset() -> None:
    text = ("Our upsampler improves by +2.1 mIoU on Cityscapes and +4.2 PCK@0.10 on SPair-71k. "
            "With a larger backbone, these gains increase to +3.4 mIoU and +8.1 PCK@0.10.")
    assert [(r.metric, r.value, r.dataset) for r in results_of(text)] == [
        ("mIoU", 2.1, "Cityscapes"), ("PCK@0.10", 4.2, "SPair-71k"),
        ("mIoU", 3.4, "Cityscapes"), ("PCK@0.10", 8.1, "SPair-71k")]


def test_values_listed_before_an_unnamed_dataset_value_share_its_usual_metric() -> None:
    # Phi-3's abstract (the extraction issue): two models' MMLU and MT-bench numbers
    text = ("We also provide some initial parameter-scaling results with a 7B and 14B models "
            "trained for 4.8T tokens, called phi-3-small and phi-3-medium, both significantly "
            "more capable than phi-3-mini (e.g., respectively 75% and 78% on MMLU, and 8.7 and "
            "8.9 on MT-bench).")
    assert _triples(text) == [("accuracy", 75.0, "MMLU"), ("accuracy", 78.0, "MMLU"),
                              ("score", 8.7, "MT-Bench"), ("score", 8.9, "MT-Bench")]
    assert _triples("The models reach 75% and 78% on MMLU.") == [
        ("accuracy", 75.0, "MMLU"), ("accuracy", 78.0, "MMLU")]
    # two values before two datasets, no "respectively": still paired in order
    assert _triples("It improves accuracy by 2.1% and 3.4% on CIFAR-10 and ImageNet.") == [
        ("accuracy", 2.1, "CIFAR-10"), ("accuracy", 3.4, "ImageNet")]


def test_a_dataset_written_with_its_resolution_keeps_the_resolution_apart() -> None:
    # DiT's abstract (the extraction issue): "the latter" is 256x256, and the dataset is
    # ImageNet, not the Papers with Code name "ImageNet 512x512"
    (r,) = results_of("Our largest models outperform all prior diffusion models on the "
                      "class-conditional ImageNet 512x512 and 256x256 benchmarks, achieving a "
                      "state-of-the-art FID of 2.27 on the latter.")
    assert (r.metric, r.value, r.dataset, r.resolution) == ("FID", 2.27, "ImageNet", 256)
    (a, b) = results_of("We reach FID 1.2 on ImageNet 64x64 and 2.3 on CelebA-HQ 256x256.")
    assert [(a.dataset, a.resolution), (b.dataset, b.resolution)] == [
        ("ImageNet", 64), ("CelebA-HQ", 256)]


def test_a_level_a_system_exceeds_is_not_a_gain() -> None:
    # a benchmark paper on the systems it evaluates (the extraction issue): "exceeds 42%" is
    # a level with no metric named, not a 42% improvement of the paper's own method
    assert results_of("We find that no open-weight model exceeds 42% on the benchmark, "
                      "while GPT-4o reaches 62%.") == []
    assert _triples("Our model surpasses the baseline by 4.2% on ImageNet.") == [
        ("improvement", 4.2, "ImageNet")]
    assert _triples("Our method exceeds 90% accuracy on MNIST.") == [("accuracy", 90.0, "MNIST")]


def test_a_plain_number_after_a_gain_and_by_is_a_change() -> None:
    # the Transformer's abstract: "by over 2 BLEU" is how much it improves, not a prior score
    rows = results_of("Our model achieves 28.4 BLEU on the WMT 2014 English-to-German "
                      "translation task, improving over the existing best results, including "
                      "ensembles, by over 2 BLEU.")
    assert [(r.metric, r.value, r.kind, r.role) for r in rows] == [
        ("BLEU", 28.4, "absolute", "proposed"), ("BLEU", 2.0, "relative", "proposed")]
    rows = results_of("Our method reduces the FID by 1.2 on CIFAR-10 and reaches an FID of 2.1.")
    assert [(r.value, r.kind) for r in rows] == [(1.2, "relative"), (2.1, "absolute")]


def test_two_values_each_with_its_own_metric_share_the_dataset_after_them() -> None:
    # Swin Transformer's abstract: both AP figures are on COCO, not on the ImageNet before
    text = ("It reaches 87.3 top-1 accuracy on ImageNet-1K and object detection results "
            "(58.7 box AP and 51.1 mask AP on COCO test-dev).")
    assert [(r.value, r.dataset) for r in results_of(text)] == [
        (87.3, "ImageNet"), (58.7, "MS-COCO"), (51.1, "MS-COCO")]
    # a list of values before one metric: both on the dataset after it
    assert [(r.value, r.dataset) for r in results_of(
        "It reaches 81.2% and 67.4% accuracy on CIFAR-100.")] == [
        (81.2, "CIFAR-100"), (67.4, "CIFAR-100")]


def test_ap_at_an_iou_threshold_is_not_ap() -> None:
    # YOLOv4's abstract writes "43.5% AP (65.7% AP50)": two metrics, not two values of one
    rows = results_of("It reaches 40.1 AP, 58.2 AP50 and 43.0 AP75 on COCO.")
    assert [(r.metric, r.value) for r in rows] == [
        ("mAP", 40.1), ("mAP@0.5", 58.2), ("mAP@0.75", 43.0)]
    assert [(r.metric, r.value) for r in results_of("It reaches an AP50 of 61.0 on COCO.")] == [
        ("mAP@0.5", 61.0)]


def test_a_level_with_its_gain_in_an_aside_is_still_a_level() -> None:
    # BERT's abstract: 80.5 is the GLUE score reached, 7.7 its gain; 86.7 an accuracy
    rows = results_of("It obtains new state-of-the-art results on eleven natural language "
                      "processing tasks, including pushing the GLUE score to 80.5% (7.7% point "
                      "absolute improvement), MultiNLI accuracy to 86.7% (4.6% absolute "
                      "improvement).")
    assert [(r.metric, r.value, r.kind, r.dataset) for r in rows] == [
        ("score", 80.5, "absolute", "GLUE"), ("score", 7.7, "relative", "GLUE"),
        ("accuracy", 86.7, "absolute", "MNLI"), ("accuracy", 4.6, "relative", "MNLI")]


def test_an_unnamed_change_on_a_dataset_is_a_change_of_its_metric_reported_there() -> None:
    # a facial-emotion paper: the improvements are of the accuracies the sentence before gives
    rows = results_of("Training with these datasets achieves accuracies of 96.47% on FER2013 "
                      "and 99.23% on RAF-DB. These findings show an absolute improvement of "
                      "16.68% in FER2013, 4.47% in RAF-DB.")
    assert [(r.metric, r.value, r.kind, r.dataset) for r in rows] == [
        ("accuracy", 96.47, "absolute", "FER2013"), ("accuracy", 99.23, "absolute", "RAF-DB"),
        ("accuracy", 16.68, "relative", "FER2013"), ("accuracy", 4.47, "relative", "RAF-DB")]
    # two metrics reported on the dataset before: which one changed is not said
    rows = results_of("It reaches 81.0% accuracy and 0.79 F1 on FER2013. This is an "
                      "improvement of 3.1% on FER2013.")
    assert [r.metric for r in rows if r.kind == "relative"] == ["improvement"]
    # the one metric reported on the dataset after the change names it too
    rows = results_of("Our LLM agent improves over a base agent by 18.0 percentage points on "
                      "ARC-AGI-3, where it reaches 76.1% pass@1 on ARC-AGI-3.")
    assert ("pass@1", 18.0, "relative") in [(r.metric, r.value, r.kind) for r in rows]


def test_a_generic_name_before_the_abbreviation_of_a_metric_is_that_metric() -> None:
    # "mean average accuracy (mAP)": the authors name mAP; "accuracy" is only its head word
    rows = results_of("The method improves the mean average accuracy (mAP) on the DIOR and "
                      "RSOD datasets by 1.7% and 2.1%, respectively.")
    assert [(r.metric, r.value, r.dataset) for r in rows] == [
        ("mAP", 1.7, "DIOR"), ("mAP", 2.1, "RSOD")]
    # the long name of the abbreviation names it as before
    rows = results_of("It reaches a mean Intersection over Union (mIoU) of 45.2% on ADE20K.")
    assert [(r.metric, r.value) for r in rows] == [("mIoU", 45.2)]


def test_only_a_level_with_no_dataset_in_its_sentence_takes_the_abstracts_one_dataset() -> None:
    # a Conformer ASR paper: the word error rate is on CHiME-4, the only dataset; the relative
    # gain keeps none (a change was tried on the one dataset too: a wash on the seen sets, and
    # it put a misread FID ratio on ImageNet 256)
    rows = results_of("The proposed system is evaluated on the monaural ASR task of the CHiME-4 "
                      "corpus. Our model achieves 6.25% word error rate, which outperforms "
                      "WRBN by 8.4% relatively.")
    assert [(r.value, r.kind, r.dataset) for r in rows] == [
        (6.25, "absolute", "CHiME-4"), (8.4, "relative", None)]
    # two datasets in the abstract: a level with none in its sentence stays without one
    rows = results_of("We evaluate on CIFAR-10 and ImageNet. Our method reaches 81.2% accuracy.")
    assert [r.dataset for r in rows] == [None]


def test_datasets_named_after_namely_take_a_respectively_list_in_order() -> None:
    # RV-GAN's abstract: three values on three datasets listed after "datasets, namely"
    rows = results_of("It achieves an area under the curve (AUC) of 0.9887, 0.9914, and 0.9887 "
                      "from three publicly available datasets, namely DRIVE, CHASE-DB1, and "
                      "STARE, respectively.")
    assert [(r.value, r.dataset) for r in rows] == [
        (0.9887, "DRIVE"), (0.9914, "CHASE_DB1"), (0.9887, "STARE")]


def test_a_pattern_of_metrics_repeated_once_per_dataset_follows_the_datasets() -> None:
    # a person re-identification abstract: one mAP / rank-1 pair per dataset, in order
    rows = results_of("Our model achieves state-of-the-art results on CUHK03 labeled, CUHK03 "
                      "detected, and Market-1501 with 85.1% mAP / 87.2% rank1, 82.4% mAP / "
                      "84.9% rank1, and 91.5% mAP / 96.3% rank1, respectively.")
    assert [(r.metric, r.value, r.dataset) for r in rows] == [
        ("mAP", 85.1, "CUHK03 labeled"), ("rank-1 accuracy", 87.2, "CUHK03 labeled"),
        ("mAP", 82.4, "CUHK03 detected"), ("rank-1 accuracy", 84.9, "CUHK03 detected"),
        ("mAP", 91.5, "Market-1501"), ("rank-1 accuracy", 96.3, "Market-1501")]
    # two pairs but three datasets: which pair is on which is not said, so the first pair is
    # not put on the first dataset
    rows = results_of("Our model is evaluated on CUHK03, DukeMTMC and Market-1501 with 85.1% "
                      "mAP / 87.2% rank1 and 91.5% mAP / 96.3% rank1, respectively.")
    assert len(rows) == 4 and "CUHK03" not in {r.dataset for r in rows}


def test_rank_at_k_in_retrieval_is_recall_at_k() -> None:
    # a text-video retrieval abstract writes Recall@1 as "Rank@1"
    rows = results_of("HCMI achieves new state-of-the-art results, e.g., Rank@1 of 55.0% and "
                      "58.2% on MSR-VTT and MSVD, respectively.")
    assert [(r.metric, r.value, r.dataset) for r in rows] == [
        ("Recall@1", 55.0, "MSR-VTT"), ("Recall@1", 58.2, "MSVD")]


@pytest.mark.parametrize(("text", "names"), [
    # one capitalised word inside a sentence right before "dataset": a proper name
    ("GraphAny trained on the Wisconsin dataset with only 120 labeled nodes generalises.",
     ["Wisconsin"]),
    ("The average precision on the Severstal steel defect dataset improves to 66.1%.",
     ["Severstal"]),
    # a "-Bench" name with a capitalised tail ("FuncBenchGen"), not a word that goes on
    ("We present FuncBenchGen, a unified framework, and compare with Benchmarking tools.",
     ["FuncBenchGen"]),
    # a name listed after "in"/"on" with a known dataset; not a metric written "F1=..."
    ("Experiments in LIBERO-PRO and MolmoSpaces show that the skills transfer.",
     ["LIBERO-PRO", "MolmoSpaces"]),
    ("We achieve EPE=1.4 on KITTI 2012 and F1=9.38% on KITTI 2015.",
     ["KITTI 2012", "KITTI 2015"]),
    ("Experiments across GSM8K, Math 500, and AIME 2024 show gains.",
     ["GSM8K", "MATH-500", "AIME 2024"]),
    # a capitalised word glued before a known name makes another name ("Multi-LCB"), not
    # before a name that needs its context ("Pangu-Weather", a model)
    ("We introduce Multi-LCB, a benchmark for LLMs. Pangu-Weather is a weather model.",
     ["Multi-LCB"]),
    # a list of "Name (value)" items that holds a known dataset: its other names too
    ("Our EfficientNets transfer well: CIFAR-100 (91.7%), Flowers (98.8%), and FooCars (92.2%).",
     ["CIFAR-100", "Flowers", "FooCars"]),
    # a language, or a word of the sentence's own, is not
    ("We test on the Spanish dataset and on the Proposed dataset.", []),
    # a name coordinated with a known dataset by "and"/"or", wherever the list stands; not a
    # bare acronym (as often a method), a lower-case word, a number, or a name after a mere
    # comma ("At Pinterest, FooRank"), nor beside a known name inside a word ("Pangu-Weather")
    # (COIL-20 is the PwC name "Coil-20", a name that needs its context)
    ("We repurpose and extend dSprites and COIL-20 with more transformation dimensions.",
     ["dSprites", "Coil-20"]),
    ("We repurpose and extend dSprites and FooSet-20 with more transformation dimensions.",
     ["dSprites", "FooSet-20"]),
    ("We extend CIFAR-10 and SCT, and zero-shot and real-world variants.", ["CIFAR-10"]),
    ("On CIFAR-10, FooRank does well.", ["CIFAR-10"]),
    ("Models (Pangu-Weather and GraphCast) are compared.", []),
])
def test_one_proper_word_before_dataset_is_a_dataset(text: str, names: list[str]) -> None:
    ex = extract_paper(Paper("p", "", (), text, "f", "x", 1))
    assert [d.dataset for d in ex.dataset_mentions] == names


def test_numbers_on_a_benchmark_papers_own_benchmark_are_the_evaluated_systems() -> None:
    # a benchmark paper: what its benchmark measures is reached by the systems it evaluates
    title = "VitaBench: Benchmarking LLM Agents with Versatile Interactive Tasks"
    ex = extract_paper(Paper("p", title, (), "Even the most advanced models achieve only a "
                             "30.0% success rate on VitaBench.", "f", "x", 1))
    assert [(r.value, r.dataset, r.role) for r in ex.results] == [(30.0, "VitaBench", "baseline")]
    # unless the sentence credits a method of the paper's own
    ex = extract_paper(Paper("p", title, (), "Our proposed agent framework achieves a 41.5% "
                             "success rate on VitaBench.", "f", "x", 1))
    assert [(r.value, r.role) for r in ex.results] == [(41.5, "proposed")]
    # a paper that does not announce a benchmark keeps its own numbers
    ex = extract_paper(Paper("p", "A Better Agent", (), "It achieves a 30.0% success rate on "
                             "VitaBench.", "f", "x", 1))
    assert [r.role for r in ex.results] == ["proposed"]


@pytest.mark.parametrize(("text", "want"), [
    # "than LLMs" compares the parameter counts; "our model achieves" starts the paper's claim
    ("With 15x fewer parameters than LLMs, our model achieves 1.5/3.3% WER on LibriSpeech "
     "test-clean/other.", [(1.5, "proposed"), (3.3, "proposed")]),
    # the compared subject going on: "than PraNet while achieving" (a polyp segmenter)
    ("Our segmentation model employs 30 times fewer parameters than PraNet while achieving "
     "91.2% Dice on Kvasir-SEG.", [(91.2, "proposed")]),
    # a value right after the comparison is still the compared one
    ("Our model achieves 1.4% WER on LibriSpeech, lower than the 2.1% WER of the baseline.",
     [(1.4, "proposed"), (2.1, "baseline")]),
    # "while demonstrating ... by reaching": the paper's own system still speaks
    ("Our system reaches an FID of 1.35 on ImageNet 256x256 while demonstrating training "
     "efficiency by reaching an FID of 2.11 in just 64 epochs.",
     [(1.35, "proposed"), (2.11, "proposed")]),
    # "while existing methods reach": a comparison
    ("Our model reaches 80.1% accuracy on ImageNet while existing methods reach 75.2% accuracy.",
     [(80.1, "proposed"), (75.2, "baseline")]),
])
def test_a_comparison_makes_a_baseline_only_of_what_it_compares(
        text: str, want: list[tuple[float, str]]) -> None:
    rows = results_of(text)
    assert [(r.value, r.role) for r in rows if r.metric in ("WER", "Dice", "FID", "accuracy")] \
        == want


def test_a_speed_is_on_a_dataset_only_when_the_dataset_follows_it() -> None:
    # an infrared detector: the datasets before are where its accuracy was measured
    rows = results_of("Our detector outperforms existing methods on the NUDT-SIRST and "
                      "IRSTD-1K datasets, and its detection speed could reach up to 70 FPS.")
    assert [(r.metric, r.value, r.dataset) for r in rows] == [("FPS", 70.0, None)]
    rows = results_of("Our detector reaches 52.1% mAP and 45 FPS on KITTI.")
    assert [(r.metric, r.dataset) for r in rows] == [("mAP", "KITTI"), ("FPS", "KITTI")]


def test_respectively_lists_take_the_datasets_listed_just_before_them() -> None:
    # dynamic evaluation's abstract: two lists, each with its own datasets before its values
    rows = results_of("Dynamic evaluation improves the word-level perplexities on the Penn "
                      "Treebank and WikiText-2 datasets to 51.1 and 44.3 respectively, and the "
                      "character-level cross-entropies on the text8 and Hutter Prize datasets "
                      "to 1.19 bits/char and 1.08 bits/char respectively.")
    assert [(r.value, r.dataset) for r in rows] == [
        (51.1, "Penn Treebank"), (44.3, "WikiText-2"), (1.19, "text8"), (1.08, "Hutter Prize")]


def test_a_value_after_a_list_of_datasets_is_on_none_of_them_alone() -> None:
    # "across GSM8K, Math 500, and AIME 2024 ... by 19.4-42.4%": over all three, not on AIME
    rows = results_of("Experiments across GSM8K, Math 500, and AIME 2024 show that STOP reduces "
                      "generated tokens by 19.4% while preserving accuracy.")
    assert [(r.value, r.dataset) for r in rows] == [(19.4, None)]
    # one dataset before the value: on it
    rows = results_of("Experiments on GSM8K show that STOP reaches 81.2% accuracy.")
    assert [(r.value, r.dataset) for r in rows] == [(81.2, "GSM8K")]


def test_a_signed_change_in_brackets_belongs_to_the_value_before_it() -> None:
    text = ("Our tagger raises entity F1 to 71.3% (+2.4%) on WNUT-17, 64.8% (+1.9%) on "
            "Larkspur-NER and 90.2% (+0.7%) on CoNLL03.")
    got = [(r.value, r.kind, r.dataset) for r in results_of(text)]
    assert got == [(71.3, "absolute", "WNUT-17"), (2.4, "relative", "WNUT-17"),
                   (64.8, "absolute", "Larkspur-NER"), (1.9, "relative", "Larkspur-NER"),
                   (90.2, "absolute", "CoNLL-2003"), (0.7, "relative", "CoNLL-2003")]
    assert {r.metric for r in results_of(text)} == {"F1"}
    # unsigned numbers in brackets are not changes, and a bracket far from a value is not one
    plain = [(r.value, r.kind) for r in results_of(
        "Our model reaches an AUROC of 0.91 (0.88 on the old split) on MIMIC-III.")]
    assert (0.88, "relative") not in plain


def test_a_change_from_a_to_b_on_a_dataset_takes_the_datasets_usual_metric() -> None:
    got = [(r.metric, r.value, r.dataset, r.role) for r in results_of(
        "Our reader improves the state of the art on LAMBADA from 7.3% to 49%.")]
    assert got == [("accuracy", 7.3, "LAMBADA", "baseline"),
                   ("accuracy", 49.0, "LAMBADA", "proposed")]
    # with no verb of result or gain before the dataset, a range is not a claim
    assert results_of("Sentences on LAMBADA range from 7.3% to 49% of the context.") == []


def test_a_dataset_name_ending_in_a_number_is_found_in_its_other_spellings() -> None:
    from pipeline.extract.resources import number_variants
    assert number_variants("SUN397") == ["SUN 397", "SUN-397"]
    assert number_variants("CIFAR-10") == ["CIFAR10", "CIFAR 10"]
    assert number_variants("Human3.6M") == [] and number_variants("R2") == []
    got = _triples("Our network reaches 77.3% on SUN 397 and 60.1% on Places 2.")
    assert got == [("accuracy", 77.3, "SUN397"), ("accuracy", 60.1, "Places365")]


def test_a_percentage_does_not_take_a_usual_metric_that_is_no_percentage() -> None:
    # Places365's usual metric in the PwC-derived table is FID, which no percentage can be
    got = _triples("Our network reaches 60.1% on Places365.")
    assert got == [("accuracy", 60.1, "Places365")]
    assert _triples("Our generator reaches 7.1 on Places365.") == [("FID", 7.1, "Places365")]


def test_slash_qualifiers_of_one_metric_name_it_for_a_slash_pair_of_values() -> None:
    got = _triples("The segmenter obtains a 44.2/39.0 box/mask AP on COCO.")
    assert got == [("mAP", 44.2, "MS-COCO"), ("mAP", 39.0, "MS-COCO")]
    # a qualifier that does not name the metric with its head is not part of the name
    got = _triples("The segmenter obtains a 44.2 pixel/mask AP on COCO.")
    assert got == []


def test_a_comparison_word_inside_a_metric_name_compares_nothing() -> None:
    got = [(r.metric, r.role) for r in results_of(
        "Our model reaches a Dice of 0.87 and a mean Intersection over Union of 0.80 on "
        "Kvasir-SEG.")]
    assert got == [("Dice", "proposed"), ("mIoU", "proposed")]
    # outside a metric name the same word still marks the compared method's number
    got = [(r.value, r.role) for r in results_of(
        "Our model reaches a Dice of 0.87 on Kvasir-SEG, an improvement over U-Net (0.80).")]
    assert (0.87, "proposed") in got


def test_names_in_a_name_colon_value_list_beside_a_known_dataset_are_datasets() -> None:
    text = ("Our model reaches human level on three exams. Kestrel-Bar: 61.5%, MedMCQA: "
            "62.7% and PubMedQA: 78.2%.")
    assert _triples(text) == [("accuracy", 61.5, "Kestrel-Bar"), ("accuracy", 62.7, "MedMCQA"),
                              ("accuracy", 78.2, "PubMedQA")]
    # with no known name in the list, "Name: value" pairs name nothing
    assert _triples("Settings were as follows. Alpha: 0.5, Beta: 0.7 and Gamma: 2.") == []


def test_the_share_of_performance_a_smaller_model_keeps_is_a_result() -> None:
    rows = results_of("Our method achieves a 78% compression rate while preserving 96.7% of the "
                      "original models' performance on average. Retaining only 2% of visual "
                      "tokens preserves 90.1% of baseline accuracy across benchmarks.")
    assert [(r.metric, r.value, r.unit) for r in rows if r.metric == "performance retained"] == [
        ("performance retained", 96.7, "%"), ("performance retained", 90.1, "%")]
    # a share of something else that is kept is no result
    assert results_of("We keep 50% of the tokens and retain 20% of the training data.") == []


@pytest.mark.parametrize(("text", "want"), [
    # a name the metric table lacks, said to be achieved "of" a value
    ("Our design achieves a state-of-the-art sequence recovery of 0.59 on CATH 4.2.",
     [("sequence recovery", 0.59)]),
    ("The planner reaches a task completion of 71.2% on WebShop.", [("task completion", 71.2)]),
    # generic nouns are not metric names
    ("We achieve a total of 45 points.", []),
    # or right after the value: a name of two or three words ("50 lines" is a count)
    ("The planner reaches 71.2% task completion on WebShop.", [("task completion", 71.2)]),
    ("It obtains 0.59 sequence recovery on CATH 4.2.", [("sequence recovery", 0.59)]),
    ("A longer-trained model reaches 50 lines.", []),
])
def test_a_name_achieved_of_a_value_is_its_metric(text: str,
                                                   want: list[tuple[str, float]]) -> None:
    rs = results_of("We train a deep neural network for this task. " + text)
    assert [(r.metric, r.value) for r in rs] == want


@pytest.mark.parametrize("text", [
    "It outperforms CLIPScore in accuracy by a large margin of 39.6% on OHD-Caps.",
    "It outperforms CLIPScore by a margin of 39.6% in accuracy on OHD-Caps.",
])
def test_a_lead_by_a_margin_is_a_result_a_loss_margin_is_not(text: str) -> None:
    rs = results_of("We train a deep neural network for this task. " + text)
    assert [(r.metric, r.value, r.kind) for r in rs] == [("accuracy", 39.6, "relative")]
    rs = results_of("We train a deep neural network with a triplet margin of 0.3 on OHD-Caps.")
    assert rs == []


def test_a_factor_of_n_is_a_relative_factor_not_a_level() -> None:
    rs = results_of("We train a deep neural network for this task. Our results reduce the error "
                    "rate by a factor of 2 on CIFAR-10.")
    assert [(r.metric, r.value, r.unit, r.kind) for r in rs] == [
        ("error rate reduction", 2.0, "x", "relative")]
    # a name with "factor" in it is not a factor
    rs = results_of("We train a deep neural network for speech enhancement. It achieves a "
                    "real-time-factor of 0.19 on a CPU.")
    assert [(r.value, r.unit) for r in rs] == [(0.19, None)]


@pytest.mark.parametrize(("text", "want"), [
    # a signed number, or one followed by a gain word, is a change in the metric's own units
    ("It reaches +2.07 mIoU on Cityscapes.", [("mIoU", 2.07, "relative")]),
    ("It brings a 1.29 mIoU improvement on Cityscapes.", [("mIoU", 1.29, "relative")]),
    ("It reaches 74.4 mIoU on Cityscapes.", [("mIoU", 74.4, "absolute")]),
    # a gain whose metric is not named
    ("It delivers an 18.8 improvement on RefCOCO.", [("improvement", 18.8, "relative")]),
])
def test_a_change_in_points_is_relative(text: str, want: list[tuple[str, float, str]]) -> None:
    rs = results_of("We train a deep neural network for this task. " + text)
    assert [(r.metric, r.value, r.kind) for r in rs] == want


def test_more_accurate_by_a_share_is_a_relative_accuracy_gain() -> None:
    rs = results_of("We train a deep neural network for this task. Our model is 3-17% more "
                    "accurate than graph RNNs.")
    assert [(r.metric, r.value, r.kind) for r in rs] == [
        ("accuracy", 3.0, "relative"), ("accuracy", 17.0, "relative")]
    # how many of the datasets it wins on is a count, not an accuracy
    rs = results_of("We train a deep neural network for this task. It is more accurate than "
                    "graph kernels on 4 out of 6 real-world datasets.")
    assert rs == []


def test_gains_in_brackets_after_names_take_the_metric_the_list_ends_with() -> None:
    rs = results_of("We train a deep neural network for this task. It sets a new state of the "
                    "art on ScanNet (+4.5) and S3DIS (+20.5) in mAP, and on MSVD (+3.6) in "
                    "CIDEr.")
    assert [(r.metric, r.value, r.dataset, r.kind) for r in rs] == [
        ("mAP", 4.5, "ScanNet", "relative"), ("mAP", 20.5, "S3DIS", "relative"),
        ("CIDEr", 3.6, "MSVD", "relative")]


def test_predictive_values_are_metrics_of_their_own() -> None:
    rs = results_of("We train a deep neural network for arrhythmia detection. It reaches a "
                    "positive predictive value of 98.68% and sensitivity of 97.40% for class "
                    "F, and a PPV of 0.82 and an NPV of 0.91 for class V.")
    assert [(r.metric, r.value) for r in rs] == [
        ("PPV", 98.68), ("sensitivity", 97.4), ("PPV", 0.82), ("NPV", 0.91)]


@pytest.mark.parametrize("verb", ["ranges", "varies"])
def test_a_range_is_not_a_change_from_a_baseline(verb: str) -> None:
    rs = results_of("We train a deep neural network for this task. Its accuracy "
                    f"{verb} from 80.1% to 99.2% across the tasks.")
    assert [(r.value, r.role) for r in rs] == [(80.1, "proposed"), (99.2, "proposed")]
    rs = results_of("We train a deep neural network for this task. It improves accuracy "
                    "from 80.1% to 99.2% on MNIST.")
    assert [(r.value, r.role) for r in rs] == [(80.1, "baseline"), (99.2, "proposed")]
    # gains stated as a range are gains at both ends
    rs = results_of("We train a deep neural network for this task. It brings accuracy "
                    "improvements ranging from 10.3% to 35.8% across the tasks.")
    assert [(r.value, r.kind) for r in rs] == [(10.3, "relative"), (35.8, "relative")]



def test_an_acronym_naming_a_kind_of_system_is_not_a_metric() -> None:
    # "ASR models" are speech recognisers: the gains are of the WER named before them
    got = _triples("PAC reduces relative Word Error Rate (WER) by 30.2% compared to pre-trained "
                   "LLM-based ASR models, and achieves 31.8% relative reductions in biased WER.")
    assert [(m, v) for m, v, _d in got] == [("WER", 30.2), ("WER", 31.8)]
    # the attack success rate itself is still one
    assert [(m, v) for m, v, _d in _triples("The attack reaches an ASR of 45% on GPT-4o.")] \
        == [("attack success rate", 45.0)]


@pytest.mark.parametrize(("text", "metric"), [
    ("We propose Task Completion Rate (TCR), a stricter metric for LLM agents. "
     "Our agent reaches 61.5% TCR, while the best baseline stays at 40.2% TCR.", "TCR"),
    ("We report the false rejection rate (FRR) of an LLM detector. It keeps 61.5% FRR "
     "where a rule-based filter has 40.2% FRR.", "FRR"),
])
def test_an_acronym_the_abstract_defines_as_a_metric_names_its_values(text: str,
                                                                     metric: str) -> None:
    found = [(r.metric, r.value) for r in results_of(text)]
    assert (metric, 61.5) in found and (metric, 40.2) in found


def test_an_acronym_defined_as_a_method_is_not_a_metric() -> None:
    # "Masked Image Consistency" is not a metric head the definitions read
    text = ("We propose Masked Image Consistency (MIC), a module for LLM adaptation. "
            "MIC improves accuracy to 71.2% on the test set.")
    assert "MIC" not in [r.metric for r in results_of(text)]


def test_a_metric_acronym_the_abstract_defines_as_something_else_is_not_that_metric() -> None:
    text = ("Our automatic speech recognition (ASR) system wins 3 of 4 tracks, and the ASR "
            "reaches 61.2 on the noisy track.")
    assert "attack success rate" not in [r.metric for r in results_of(text)]
    text = "Against the attack success rate (ASR) of 61.2% for GCG, ours reaches 12.4% ASR."
    assert ("attack success rate", 12.4) in [(r.metric, r.value) for r in results_of(text)]
    # a long form ending in a metric word is that metric, named or not in the table
    text = ("Our tracker reaches a Multi-Object Tracking Accuracy (MOTA) of 61.2 and 75.1 "
            "MOTA on MOT17.")
    assert ("MOTA", 75.1) in [(r.metric, r.value) for r in results_of(text)]


@pytest.mark.parametrize(("text", "value"), [
    # correlations are often written times 100 ("a Spearman correlation of 58.47")
    ("Our LLM judge reaches a Spearman correlation of 58.47 with human ratings.", 58.47),
    ("Our LLM judge reaches a Spearman correlation of 0.81 with human ratings.", 0.81),
])
def test_correlations_written_in_hundredths_are_results(text: str, value: float) -> None:
    assert ("Spearman correlation", value) in [(r.metric, r.value) for r in results_of(text)]


def test_question_answering_is_an_ml_context() -> None:
    text = ("For literature question answering, the final system scores 0.920 multiple-choice "
            "accuracy on the held-out split.")
    assert [(r.metric, r.value) for r in results_of(text)] == [("accuracy", 0.92)]


def test_a_known_model_before_its_value_in_brackets_is_that_values_model() -> None:
    text = ("On our jailbreak benchmark, Claude reaches the lowest attack success rate (41.5%), "
            "followed by GPT-5 (52.0%) and Gemini (58.5%).")
    found = {r.value: r.model for r in results_of(text)}
    assert found[52.0] == "GPT-5" and found[58.5] == "Gemini"


def test_both_approaches_take_the_metric_of_the_sentence_before() -> None:
    text = ("With 404 demonstrations, the distilled LLM agent reaches a 72.4% success rate on "
            "ALFWorld. With twice the data, both approaches reach 76.9%.")
    assert ("success rate", 76.9) in [(r.metric, r.value) for r in results_of(text)]


def test_a_capitalised_metric_phrase_with_its_acronym_names_a_measured_value() -> None:
    # a registration paper: "Error" written with a capital, the acronym in brackets, a unit
    text = ("On the lung CT benchmark, our network returns an average Target Registration "
            "Error (TRE) of 0.83 mm, a 13% error reduction over the best deep learning result.")
    assert ("TRE", 0.83) in [(r.metric, r.value) for r in results_of(text)]


def test_the_performance_improved_to_takes_the_metric_and_dataset_before() -> None:
    text = ("Our lip-reading model reaches a classification accuracy of 93.4% on the LRW "
            "dataset. The performance can be further improved to 94.1% by pre-training on "
            "additional data.")
    assert ("accuracy", 94.1, "LRW") in [(r.metric, r.value, r.dataset)
                                        for r in results_of(text)]
