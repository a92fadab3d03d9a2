# frozen_string_literal: true

require_relative "test_helper"

class TestSnapshot < SnapTest
  META_KEYS = %w[format_version table_count row_count byte_count root_hash wal_lsn].freeze

  def assert_meta(meta, info)
    assert_equal META_KEYS, meta.keys
    assert_equal 1, meta["format_version"]
    assert_equal info["tables"].size, meta["table_count"]
    assert_equal info["rows"], meta["row_count"]
    assert_operator meta["byte_count"], :>, 0
    assert_match(/\A\h{64}\z/, meta["root_hash"])
    assert_nil meta["wal_lsn"] # the demo is not taken at a WAL position
  end

  def test_save_directory_and_file_then_load_round_trip
    dir = File.join(tmpdir, "copy")
    file = File.join(tmpdir, "copy.snap")
    with_demo do |db|
      info = db.info
      want = db.query("SELECT * FROM genes ORDER BY entity_id LIMIT 20")

      m1 = db.save(dir)
      assert_meta(m1, info)
      assert File.file?(File.join(dir, "manifest.json"))
      m2 = db.save(file)
      assert_meta(m2, info)
      assert File.file?(file)
      assert_equal m1["root_hash"], m2["root_hash"]

      SnapDB.open(dir) do |copy|
        assert_equal db.tables, copy.tables
        assert_equal want, copy.query("SELECT * FROM genes ORDER BY entity_id LIMIT 20")
        assert_equal m1["root_hash"], copy.info["rootHash"]
      end

      # load: the same handle now serves the .snap file.
      loaded = db.load(file)
      assert_equal m2, loaded
      assert_equal m2["root_hash"], db.info["rootHash"]
      assert_equal want, db.query("SELECT * FROM genes ORDER BY entity_id LIMIT 20")
      assert_equal DEMO, db.path
      refute_empty db.nlp_match("BRCA2 and breast cancer")
    end
  end

  def test_save_refuses_to_replace_without_overwrite
    dir = File.join(tmpdir, "copy")
    with_demo do |db|
      first = db.save(dir)
      e = assert_raises(SnapDB::ExistsError) { db.save(dir) }
      assert_equal 10, e.code
      assert_includes e.message, dir
      again = db.save(dir, overwrite: true)
      assert_equal first["root_hash"], again["root_hash"]

      # Anything that is not a snapshot is never replaced.
      other = File.join(tmpdir, "other")
      FileUtils.mkdir_p(other)
      File.write(File.join(other, "precious.txt"), "keep me")
      assert_raises(SnapDB::ExistsError) { db.save(other, overwrite: true) }
      assert_equal "keep me", File.read(File.join(other, "precious.txt"))
    end
  end

  def test_load_failure_keeps_the_old_snapshot
    with_demo do |db|
      root = db.info["rootHash"]
      e = assert_raises(SnapDB::NotFoundError) { db.load(File.join(tmpdir, "missing")) }
      assert_includes e.message, "missing"
      assert_equal root, db.info["rootHash"]
      assert_equal 1, db.query("SELECT symbol FROM genes WHERE symbol = 'BRCA2'").size
    end
  end

  def test_paths_are_bytes
    with_demo do |db|
      binary = File.join(tmpdir, "caf\xE9.snap").b # not UTF-8: a valid Linux file name
      meta = db.save(binary)
      assert File.file?(binary)
      SnapDB.open(binary) { |copy| assert_equal meta["root_hash"], copy.info["rootHash"] }
      latin1 = File.join(tmpdir, "caf\xE9-latin1.snap").b.force_encoding(Encoding::ISO_8859_1)
      db.save(latin1)
      assert File.file?(File.join(tmpdir, "café-latin1.snap")), "a Latin-1 path is saved under its UTF-8 name"
    end
  end

  def test_bad_paths
    with_demo do |db|
      assert_raises(TypeError) { db.save(nil) }
      assert_raises(TypeError) { db.load(42) }
      assert_raises(ArgumentError) { db.save("a\0b") }
      e = assert_raises(SnapDB::InvalidArgumentError) { db.save("") }
      assert_equal 1, e.code
      assert_raises(SnapDB::InvalidArgumentError) { db.load("") }
      assert_raises(SnapDB::InvalidArgumentError) { SnapDB.open("") }
      assert_raises(TypeError) { SnapDB.open(nil) }
      assert_raises(TypeError) { SnapDB.open(DEMO, threads: "2") }
      assert_raises(SnapDB::InvalidArgumentError) { SnapDB.open(DEMO, threads: -1) }
    end
  end

  def test_verify
    with_demo do |db|
      report = db.verify
      assert_equal true, report["ok"]
      assert_match(/\A\h{64}\z/, report["rootHash"])
      files = report["files"].map { |f| f["file"] }
      assert_includes files, "genes.parquet"
      assert_includes files, "nlp/automaton.bin"
      assert(report["files"].all? { |f| f["ok"] })
      assert_empty report["problems"] || []
    end
  end

  # A page that fails to decode mid-scan fails the query with an
  # IntegrityError (the snapshot opened: only the footers were read), and
  # frees what the query held; other tables still answer.
  def test_corrupt_pages_fail_the_query_not_the_process
    dir = File.join(tmpdir, "pages")
    with_demo { |db| db.save(dir) }
    path = File.join(dir, "genes.parquet")
    bytes = File.binread(path)
    (100...(bytes.bytesize / 2)).step(7) { |i| bytes.setbyte(i, bytes.getbyte(i) ^ 0x55) }
    File.binwrite(path, bytes)
    SnapDB.open(dir) do |db|
      e = assert_raises(SnapDB::IntegrityError) { db.query("SELECT * FROM genes") }
      assert_equal 5, e.code
      assert_includes e.message, "genes"
      assert_equal [{ "n" => 1500 }], db.query("SELECT count(*) AS n FROM chemicals")
    end
  end

  def test_verify_reports_a_corrupt_file
    dir = File.join(tmpdir, "corrupt")
    with_demo { |db| db.save(dir) }
    path = File.join(dir, "genes.parquet")
    bytes = File.binread(path)
    mid = bytes.bytesize / 2
    bytes.setbyte(mid, bytes.getbyte(mid) ^ 0xff)
    File.binwrite(path, bytes)

    SnapDB.open(dir) do |db| # only the footers are read: this opens
      e = assert_raises(SnapDB::IntegrityError) { db.verify }
      assert_equal 5, e.code
      refute_nil e.report, "the report comes with the error"
      assert_equal false, e.report["ok"]
      refute_empty e.report["problems"]
      bad = e.report["files"].find { |f| f["file"] == "genes.parquet" }
      assert_equal false, bad["ok"]
    end
    e = assert_raises(SnapDB::IntegrityError) { SnapDB.open(dir, verify: true) }
    assert_includes e.message, "genes"
  end
end
