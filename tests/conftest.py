import pytest

@pytest.fixture(autouse=True)
def _tinyzero_cache(tmp_path_factory, monkeypatch):
    "Built models go to one temporary cache for the whole session, never the user's."
    monkeypatch.setenv("TINYZERO_CACHE", str(tmp_path_factory.getbasetemp() / "tinyzero-cache"))
