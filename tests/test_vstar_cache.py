"""The V* cache under a kill mid-write, concurrent readers, and bad files."""
import os, signal, subprocess, sys, textwrap, time, warnings
from tinyzero.vstar_cache import VStarCache

WRITER = textwrap.dedent("""
    import sys
    from tinyzero.vstar_cache import VStarCache
    c = VStarCache(sys.argv[1])
    i = 0
    while True:
        c.put(f"key-{i}", [float(i)] * 64, [True] * 64)
        print(i, flush=True)     # written and committed
        i += 1
""")


def test_cache_survives_kill_during_writes(tmp_path):
    path = tmp_path / "v.sqlite"
    p = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    reader = None
    done = -1
    deadline = time.time() + 60
    while done < 300 and time.time() < deadline:
        done = int(p.stdout.readline())
        if done == 50:       # a concurrent reader sees committed entries while the writer goes on
            reader = VStarCache(path)
            assert reader.get("key-10") == ([10.0] * 64, [True] * 64)
    os.kill(p.pid, signal.SIGKILL); p.wait()
    assert done >= 300
    c = VStarCache(path)
    assert c.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert len(c) >= done + 1                      # every entry reported as committed is there
    assert all(c.get(f"key-{i}") == ([float(i)] * 64, [True] * 64) for i in range(done + 1))
    reader.close()


def test_truncated_cache_is_moved_aside_and_rebuilt(tmp_path):
    path = tmp_path / "v.sqlite"
    c = VStarCache(path)
    for i in range(200): c.put(f"k{i}", [1.0] * 50, [True] * 50)
    c.db.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()
    data = path.read_bytes(); path.write_bytes(data[:100] + b"\x00garbage" * 500)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        c = VStarCache(path)
    assert any("not usable" in str(x.message) for x in w)
    assert len(c) == 0
    c.put("new", [0.5], [False]); assert c.get("new") == ([0.5], [False])
    assert [p for p in tmp_path.iterdir() if ".bad-" in p.name]   # the damaged file is kept, not deleted
