"""Task groups (id shapes, paths) and hashed text features."""

from __future__ import annotations

from acrouter.policy.features import id_shape, task_path, text_features


def test_id_shape_keeps_structure_and_drops_problem_numbers():
    assert id_shape("dim2_lcb_abc351_d", "dim2_lcb") == "abc#_d"
    assert id_shape("dim2_lcb_3344", "dim2_lcb") == "#"
    assert id_shape("dim7_hex_go_Go/12", "dim7_hex") == "go_Go/#"
    assert id_shape("dim9_lcb_testgen_abc346_d", "dim9_lcb") == "testgen_abc#_d"
    # at most three tokens: a function name does not make a group per problem
    assert id_shape("dim7_multiple_rs_HumanEval_93_encode", "dim7_multiple") == "rs_HumanEval_#"
    assert id_shape("old112::django__django-11099", "old112") == "django__django-#"
    assert id_shape("req-123", None) is None
    assert id_shape("other_x", "dim1_bcb") is None


def test_paths_for_benchmark_editor_and_ood_tasks():
    bench = task_path("algorithm", "dim2_lcb_abc351_d", {"source": "dim2_lcb"}, None)
    assert bench == [
        ("all", "*"),
        ("kind", "algorithm"),
        ("source", "dim2_lcb"),
        ("shape", "dim2_lcb:abc#_d"),
    ]
    editor = task_path("bug_fixing", "a1b2c3", {"workspace_id": "w"}, "w")
    assert editor == [("all", "*"), ("kind", "bug_fixing"), ("workspace", "w:bug_fixing")]
    ood = task_path("bug_fixing", "new64::x_1", {"source": "new64", "bench": "swe_ci"}, None)
    assert ("sub", "new64:swe_ci") in ood
    # a shape group with exactly its source's tasks is skipped
    alias = ("shape", "dim4_cruxeval:#")
    assert alias not in task_path(
        "code_completion", "dim4_cruxeval_7", {"source": "dim4_cruxeval"}, None, {alias}
    )


def test_text_features_are_stable_hashes_of_words_code_language_and_metadata():
    a = text_features("Fix the off-by-one error in `range(n)`", "python", {"difficulty": "hard"})
    b = text_features("Fix the off-by-one error in `range(n)`", "python", {"difficulty": "hard"})
    assert a == b and a == tuple(sorted(set(a)))
    assert all(0 <= f < 2**22 for f in a)
    c = text_features("Fix the off-by-one error in `range(n)`", "python", {"difficulty": "easy"})
    assert set(a) != set(c) and len(set(a) & set(c)) >= len(a) - 2
    unrelated = text_features("Write unit tests for the JSON schema loader", "python", {})
    assert len(set(a) & set(unrelated)) < len(a) // 2
    assert text_features("", None, {}) == ()
    assert text_features("", "go", {}) != ()  # the language alone is a feature
