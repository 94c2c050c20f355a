"""Render README.md from nbs/index.ipynb (nbdev_readme needs Quarto, which these machines cannot install)."""
import json, pathlib

root = pathlib.Path(__file__).resolve().parent.parent
nb = json.loads((root / "nbs" / "index.ipynb").read_text())
parts = []
for cell in nb["cells"]:
    src = "".join(cell["source"]).strip()
    if not src or src.startswith("#| hide"): continue
    parts.append(src if cell["cell_type"] == "markdown" else f"```python\n{src}\n```")
text = "\n\n".join(parts) + "\n"
text = text.replace("](../", "](")   # links written relative to nbs/ point from the root
(root / "README.md").write_text(text)
