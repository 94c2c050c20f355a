"""Fuzzing the parsers: untrusted text through extract_answer, safe_eval and score (hypothesis)."""
import time
from fractions import Fraction
from hypothesis import given, settings, strategies as st, HealthCheck
from tinyzero.data import Problem
from tinyzero.rewards import extract_answer, safe_eval, score

FUZZ = settings(max_examples=2500, deadline=None, suppress_health_check=list(HealthCheck))
PROBLEMS = [Problem("multiplication", "hard", (67, 89), 5963), Problem("countdown", "very_easy", (2, 5, 3), 8),
            Problem("countdown", "hard", (25, 50, 3, 7, 9, 11), 347)]

atoms = st.sampled_from(["<think>", "</think>", "<answer>", "</answer>", "=", "+", "-", "*", "/", "**", "//", "%",
                         "(", ")", " ", "\n", "1", "9", "5963", "5,963", "347", "x", "__import__", ".", "'", "é", "🙂",
                         "9" * 40, "lambda", "[", "]", ","])
tag_soup = st.lists(atoms, max_size=60).map("".join)
numbers = st.integers(min_value=-10**30, max_value=10**30).map(str)
expr = st.recursive(st.integers(0, 10**12).map(str) | st.sampled_from(["x", "1.5", "True", "'a'"]),
                    lambda c: st.tuples(c, st.sampled_from(["+", "-", "*", "/", "**", "//", "%", "<", "and"]), c)
                    .map(lambda t: f"({t[0]} {t[1]} {t[2]})") | c.map(lambda e: f"-{e}"), max_leaves=30)
texts = st.text(max_size=300) | tag_soup | numbers | expr


def _timed(f, *a):
    t = time.perf_counter(); out = f(*a); assert time.perf_counter() - t < 0.05; return out


@FUZZ
@given(texts)
def test_safe_eval_only_value_error(s):
    try: v = _timed(safe_eval, s)
    except ValueError: return
    assert isinstance(v, Fraction)


@FUZZ
@given(texts)
def test_extract_answer_is_last_block(s):
    a = extract_answer(s)
    assert a is None or (a == a.strip() and "</answer>" not in a)
    assert extract_answer(s + "<answer> 42 </answer>") == "42"


@FUZZ
@given(texts, st.sampled_from(PROBLEMS), st.sampled_from(["process", "binary"]))
def test_score_never_raises(s, problem, scheme):
    r = score(s, problem, scheme)
    allowed = {0.0, 0.3, 0.5, 0.6, 0.8, 1.0} if scheme == "process" else {0.0, 0.1, 1.0}
    assert r.score in allowed
    assert not r.correct or r.answer is not None
    assert r.correct == (r.reason == "")                 # every answer that is not correct says why


@FUZZ
@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_safe_eval_matches_exact_arithmetic(a, b):
    assert safe_eval(f"{a} * {b} - ({a} + -{b})") == a * b - (a - b)
    if b: assert safe_eval(f"{a} / {b}") == Fraction(a, b)


def test_wrapped_answers_are_scored_correctly():
    # a correct answer wrapped by random junk before it is still read as the last answer block
    p = PROBLEMS[0]
    assert score("junk <answer>1</answer> <think>67 * 89 = 5963</think><answer>5,963</answer>", p).correct


def megabyte_responses():
    "Hostile responses of about 1 MB: long reasoning chains, tag soup, deep parentheses, numbers spelled oddly."
    mb = 1_000_000
    return {"multiplication chain": ("<think>" + "12*34*56*78*" * 90_000)[:mb],
            "repeated steps": ("<think>" + "7 * 15 = 105, " * 80_000)[:mb] + "</think><answer>105</answer>",
            "tag soup": ("<think>" + "1 + " * 100_000 + "</answer><answer>" * 10_000 + "(" * 50_000)[:mb],
            "open tags": "<answer>" * 125_000,
            "digits": "9" * mb,
            "parentheses": "(" * (mb // 2) + ")" * (mb // 2),
            "near-step soup": ("(-1 * (2 + " * 100_000)[:mb] + " = ",
            "odd numbers": ("0xf * 2 1_5 3e1 " * 70_000)[:mb] + "<answer>0xf * 2</answer>",
            "white space": "<think>15 * 2 = 30</think><answer>(15" + " " * (mb - 60) + "* 2 ** 2)</answer>",
            "long sum": "<answer>" + "1 + " * 250_000 + "1</answer>"}


def test_megabyte_responses_are_scored_within_50ms():
    for name, text in megabyte_responses().items():
        for p in PROBLEMS + [Problem("countdown", "easy", (15, 2), 30)]:
            for scheme in ("process", "binary"):
                t = time.perf_counter(); r = score(text, p, scheme); dt = time.perf_counter() - t
                assert dt < 0.05, f"{name}: {dt * 1000:.0f} ms"
                assert not r.correct or name == "repeated steps", name


def test_numbers_are_plain_decimal_integers():
    c = Problem("countdown", "easy", (15, 2), 30)
    for bad in ["0xf * 2", "1_5 * 2", "0b1111 * 2", "15.0 * 2", "3e1"]:
        assert not score(f"<think>15 * 2 = 30</think><answer>{bad}</answer>", c).correct, bad
    m = Problem("multiplication", "easy", (7, 87), 609)
    assert not score("<think>7 * 87 = 609</think><answer>6_09</answer>", m).correct
