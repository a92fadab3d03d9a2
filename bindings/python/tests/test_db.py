"""Save, load, verify, NLP matching."""

import os
import shutil

import pytest

import snapdb


def test_save_dir_and_file(db, tmp_path):
    info = db.info()
    m = db.save(tmp_path / "copy")
    assert m["root_hash"] == info["rootHash"]
    assert m["format_version"] == 1
    assert m["table_count"] == 6
    assert m["row_count"] == sum(t["rows"] for t in info["tables"])
    assert m["byte_count"] > 0
    assert m["wal_lsn"] is None
    m2 = db.save(str(tmp_path / "one.snap"))
    assert m2["root_hash"] == m["root_hash"]
    with snapdb.open(tmp_path / "one.snap") as c:
        assert c.query("SELECT count(*) AS n FROM genes").to_pylist() == [{"n": 3000}]


def test_wal_lsn(demo, tmp_path):
    """A snapshot whose manifest records source.wal_lsn (as an export
    from PostgreSQL does) reports it through snap_snapshot_meta, from a
    directory and from the .snap saved from it (whose header carries it)."""
    import json

    src = tmp_path / "src"
    shutil.copytree(demo, src)
    mpath = src / "manifest.json"
    m = json.loads(mpath.read_text())
    m.setdefault("source", {})["wal_lsn"] = "16/B374D848"
    mpath.write_text(json.dumps(m))
    with snapdb.open(demo) as d:
        meta = d.load(src)
        assert meta["wal_lsn"] == 0x16_B374D848
        saved = d.save(tmp_path / "lsn.snap")
        assert saved["wal_lsn"] == 0x16_B374D848
        assert d.load(tmp_path / "lsn.snap")["wal_lsn"] == 0x16_B374D848
        assert d.load(demo)["wal_lsn"] is None


def test_save_refuses_to_replace(db, tmp_path):
    db.save(tmp_path / "copy")
    with pytest.raises(snapdb.SnapExistsError) as e:
        db.save(tmp_path / "copy")
    assert e.value.code == 10
    db.save(tmp_path / "copy", overwrite=True)
    (tmp_path / "file").write_text("not a snapshot")
    with pytest.raises(snapdb.SnapExistsError):
        db.save(tmp_path / "file", overwrite=True)
    assert (tmp_path / "file").read_text() == "not a snapshot"


def test_load_swaps(db, tmp_path, demo):
    db.save(tmp_path / "copy")
    before = db.info()["rootHash"]
    m = db.load(tmp_path / "copy")
    assert m["root_hash"] == before
    assert db.info()["path"] != demo
    with pytest.raises(snapdb.SnapNotFoundError):
        db.load(tmp_path / "nothing-here")
    # The loaded snapshot keeps serving.
    assert db.query("SELECT count(*) AS n FROM genes").to_pylist() == [{"n": 3000}]


def test_verify(db):
    rep = db.verify()
    assert rep["ok"] is True
    assert rep["rootHash"] == db.info()["rootHash"]
    assert {f["file"] for f in rep["files"]} >= {"genes.parquet", "exposures.parquet"}
    assert all(f["ok"] for f in rep["files"])


def test_verify_corrupt(demo, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(demo, bad)
    f = bad / "genes.parquet"
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0xFF
    f.write_bytes(bytes(data))
    with snapdb.open(bad) as d:
        with pytest.raises(snapdb.SnapIntegrityError) as e:
            d.verify()
        assert e.value.code == 5
        rep = e.value.report
        assert rep["ok"] is False and rep["problems"]
        assert [f["file"] for f in rep["files"] if not f["ok"]] == ["genes.parquet"]
    with pytest.raises(snapdb.SnapIntegrityError):
        snapdb.open(bad, verify=True)


def test_open_errors(tmp_path):
    with pytest.raises(snapdb.SnapNotFoundError) as e:
        snapdb.open(tmp_path / "missing")
    assert e.value.code == 3 and e.value.status == "not found"
    assert isinstance(e.value, snapdb.SnapError)


def test_open_options(demo):
    with snapdb.open(demo, verify=True, threads=1) as d:
        assert d.query("SELECT count(*) AS n FROM exposures").to_pylist() == [{"n": 10000}]


def test_match(db):
    text = "BRCA2 mutations raise the risk of breast cancer; TP53 too."
    ms = db.nlp.match(text)
    assert [m.text for m in ms][:1] == ["BRCA2"]
    for m in ms:
        assert isinstance(m, snapdb.Mention)
        assert text.encode()[m.start : m.end].decode() == m.text
        assert text[m.start_rune : m.end_rune] == m.text
        assert m.candidates and isinstance(m.candidates[0], snapdb.Candidate)
    genes = {c.alias for m in ms for c in m.candidates if c.entity_type == "gene"}
    assert {"BRCA2", "TP53"} <= genes
    everything = db.nlp.match(text, all=True)
    assert len(everything) >= len(ms)


def test_match_runes(db):
    text = "Über TP53 – ja"
    (m,) = [m for m in db.nlp.match(text) if m.text == "TP53"]
    assert (m.start, m.end) == (6, 10)
    assert (m.start_rune, m.end_rune) == (5, 9)
    assert text[m.start_rune : m.end_rune] == "TP53"


def test_match_edge_cases(db):
    assert db.nlp.match("") == []
    assert db.nlp.match("nothing to see") == []
    assert db.nlp.match(b"BRCA2 \xff\xfe TP53")[0].text == "BRCA2"
    with pytest.raises(TypeError):
        db.nlp.match(42)


def test_match_arrow_equals_match(db):
    text = "TNF and IFNG in asthma, BRCA2"
    t = db.nlp.match_arrow(text)
    ms = db.nlp.match(text)
    assert t.column("text").to_pylist() == [m.text for m in ms]
    assert t.column("start_rune").to_pylist() == [m.start_rune for m in ms]
    ids = [[c["entity_id"] for c in cs] for cs in t.column("candidates").to_pylist()]
    assert ids == [[c.entity_id for c in m.candidates] for m in ms]


@pytest.fixture(scope="session")
def no_nlp(cli, demo, tmp_path_factory):
    import subprocess

    d = tmp_path_factory.mktemp("nonlp") / "genes"  # genes alone: no automaton goes along
    subprocess.run([cli, "save", demo, str(d), "--tables", "genes"], check=True, capture_output=True)
    return str(d)


def test_match_without_automaton(no_nlp):
    with snapdb.open(no_nlp) as d:
        with pytest.raises(snapdb.SnapNoNLPError) as e:
            d.nlp.match("BRCA2")
        assert e.value.code == 8
        with pytest.raises(snapdb.SnapNoNLPError):
            d.nlp.match_arrow("BRCA2")


def test_error_mid_scan(demo, tmp_path):
    # open reads only footers: corrupt data pages surface while reading.
    bad = tmp_path / "bad"
    shutil.copytree(demo, bad)
    with snapdb.open(bad) as d:
        f = bad / "exposures.parquet"
        data = bytearray(f.read_bytes())
        for i in range(100, len(data) // 2, 7):
            data[i] ^= 0x5A
        f.write_bytes(bytes(data))
        # A page that fails to decode is an integrity error, not I/O.
        with pytest.raises(snapdb.SnapIntegrityError) as e:
            d.query("SELECT * FROM exposures")
        assert e.value.code == 5 and "exposures" in str(e.value)
        with pytest.raises(OSError) as e:  # EIO from get_next
            with d.query_reader("SELECT * FROM exposures") as r:
                r.read_all()
        assert str(e.value).startswith("SNAP_ERR_INTEGRITY (5): ")
        assert isinstance(snapdb.error_from_arrow(e.value), snapdb.SnapIntegrityError)
        # The library is fine: other tables still answer.
        assert d.query("SELECT count(*) AS n FROM genes").to_pylist() == [{"n": 3000}]
