"""Where the tiny base model's greedy errors come from: the habit its corpus teaches, stopping early, or anything else.

    python bench/base_errors.py

For each row (task, level, split; 100 problems), greedy responses are compared with the clean trace (no habit) and the
habit trace (the habit taken wherever it applies): `correct`, `habit` (exactly the habit trace), `early stop` (countdown:
a prefix of the clean search that is not the habit trace), `other`. The table in BENCHMARKS.md comes from this script.
"""
import random
from collections import Counter
from tinyzero.data import problem_set, make_prompt
from tinyzero.models import load_model, load_tokenizer, generate
from tinyzero.rewards import score
from tinyzero.tiny import tiny_base_path, mult_trace, countdown_trace

path = str(tiny_base_path())
model, tok = load_model(path).eval(), load_tokenizer(path)

def trace(p, habit: float) -> str:
    rng = random.Random(0)
    return (mult_trace(p, rng, habit) if p.task == "multiplication" else countdown_trace(p, rng, habit))[0]

print("| row | correct | habit | early stop | other |\n|---|---|---|---|---|")
for task, level, split in [("multiplication", "easy", "eval"), ("multiplication", "easy", "train"),
                           ("countdown", "very_easy", "eval"), ("countdown", "easy", "eval")]:
    problems = problem_set([task], [level], 100, seed=10_000 if split == "eval" else 0, split=split)
    texts = generate(model, tok, [make_prompt(p, 0) for p in problems], max_new_tokens=160, greedy=True).texts
    counts = Counter()
    for p, text in zip(problems, texts):
        think = text.split("<think>")[-1].split("</think>")[0]
        if score(text, p).correct: counts["correct"] += 1
        elif think == trace(p, 1.0): counts["habit"] += 1
        elif task == "countdown" and trace(p, 0.0).startswith(think): counts["early stop"] += 1
        else: counts["other"] += 1
    print(f"| {task}, {level}, {'held-out' if split == 'eval' else 'training puzzles'} | "
          + " | ".join(str(counts[k]) for k in ("correct", "habit", "early stop", "other")) + " |")
