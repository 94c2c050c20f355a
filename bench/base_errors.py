"""Where the tiny base model's greedy errors come from: the habit its corpus teaches, stopping early, or anything else.

    python bench/base_errors.py

For each row (task, level, split; 100 problems), greedy responses are compared with the clean trace (no habit) and the
habit trace (the habit taken wherever it applies): `correct`; `habit` (multiplication: exactly the habit trace;
countdown: the clean search with the line before the hit copied into the answer); `early stop` (countdown: a prefix of
the clean search that stops before the target); `other`. The table in BENCHMARKS.md comes from this script.
"""
import random
from collections import Counter
from tinyzero.data import eval_set, training_pools, make_prompt
from tinyzero.generate import generate
from tinyzero.models import load_model, load_tokenizer, resolve_model
from tinyzero.rewards import score, split_format
from tinyzero.tiny import mult_trace, countdown_trace

def category(p, text: str) -> str:
    "Which kind of response `text` is for problem `p`."
    if score(text, p).correct: return "correct"
    parts = split_format(text)
    think, answer = parts if parts else (text, None)
    if p.task == "multiplication":
        return "habit" if think == mult_trace(p, random.Random(0), 1.0)[0] else "other"
    clean, slipped = countdown_trace(p, random.Random(0), 0.0)[0], countdown_trace(p, random.Random(0), 1.0)[1]
    if think == clean and answer == slipped: return "habit"
    if clean.startswith(think) and think != clean: return "early stop"
    return "other"

if __name__ == "__main__":
    path = resolve_model("tiny-base")
    model, tok = load_model(path).eval(), load_tokenizer(path)
    print("| row | correct | habit | early stop | other |\n|---|---|---|---|---|")
    for task, level, split in [("multiplication", "easy", "eval"), ("multiplication", "easy", "train"),
                               ("countdown", "very_easy", "eval"), ("countdown", "easy", "eval")]:
        problems = eval_set([task], [level], 100) if split == "eval" else training_pools([task], [level], 100)[(task, level)]
        texts = generate(model, tok, [make_prompt(p, 0) for p in problems], max_new_tokens=200, greedy=True).texts
        counts = Counter(category(p, t) for p, t in zip(problems, texts))
        print(f"| {task}, {level}, {'held-out' if split == 'eval' else 'training puzzles'} | "
              + " | ".join(str(counts[k]) for k in ("correct", "habit", "early stop", "other")) + " |")
