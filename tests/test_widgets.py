"""The widgets, headless: build them, set values, click buttons, assert on state (outside any Output context)."""
import json, random
from tinyzero.data import make_problem
from tinyzero.widgets import RewardPlayground, SampleInspector, example_response, reward_table, show_curves


def test_playground_scores_what_is_typed():
    pg = RewardPlayground(seed=3)
    pg.task.value = "countdown"; pg.difficulty.value = "easy"; pg.new.click()
    pg.examples["correct"].click()
    assert dict(reward_table(pg.response.value, pg.problem))["score (process)"] == "1.0"
    assert "1.0" in pg.result.value
    pg.examples["unformatted"].click(); assert "score (process)</b></td><td>0.6" in pg.result.value
    pg.numbers.value, pg.target.value = "2, 5, 3", 8          # a typed problem
    pg.response.value = "<think>5 + 3 = 8</think><answer>5 + 3</answer>"
    assert "score (process)</b></td><td>1.0" in pg.result.value
    pg.response.value = "<think>5 + 3 = 8</think><answer>5 + 5</answer>"
    assert "correct</b></td><td>no" in pg.result.value


def test_example_responses_score_as_labelled():
    rng = random.Random(0)
    for task in ("multiplication", "countdown"):
        p = make_problem(task, "medium", rng)
        got = {k: dict(reward_table(example_response(p, k), p))["score (process)"] for k in ("correct", "wrong", "unformatted")}
        assert got == {"correct": "1.0", "wrong": "0.3", "unformatted": "0.6"}, (task, got)


def test_inspector_follows_a_growing_file(tmp_path):
    row = lambda s, ok: dict(step=s, task="countdown", difficulty="easy", prompt="p", response="<think>1+1=2</think><answer>1 + 1</answer>",
                             score=1.0 if ok else 0.3, correct=ok, formatted=True, reasoned=True, vstar=0.5, advantage=0.1)
    f = tmp_path / "samples.jsonl"
    f.write_text("".join(json.dumps(row(s, s % 2 == 0)) + "\n" for s in range(3)))
    si = SampleInspector(tmp_path)
    assert len(si.shown) == 3 and "advantage +0.100" in si.view.value
    with open(f, "a") as fh: fh.write(json.dumps(row(3, True)) + "\n" + '{"step": 4, "tor')   # still writing
    si.refresh_btn.click()
    assert len(si.rows) == 4 and si.steps.value == (0, 3)
    si.correct.value = "incorrect"; assert [r["step"] for r in si.shown] == [1]
    si.correct.value = "all"; si.next.click(); si.next.click(); assert si.i == 2


def test_curves_come_from_metrics(tmp_path):
    (tmp_path / "metrics.jsonl").write_text("".join(json.dumps(dict(step=s, reward=s / 4, loss=1.0, kl=0.1)) + "\n" for s in range(4)))
    assert set(show_curves(tmp_path)) == {"reward", "loss", "kl"}
