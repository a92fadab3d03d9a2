# frozen_string_literal: true

require_relative "test_helper"

class TestDB < SnapTest
  def test_open_block_form_closes_and_returns_the_block_value
    seen = nil
    got = SnapDB.open(DEMO) do |db|
      seen = db
      refute db.closed?
      assert_equal 1, SnapDB.stats["handles"]
      :value
    end
    assert_equal :value, got
    assert seen.closed?
    assert_equal 0, SnapDB.stats["handles"]
  end

  def test_open_block_form_closes_when_the_block_raises
    seen = nil
    assert_raises(RuntimeError) do
      SnapDB.open(DEMO) do |db|
        seen = db
        raise "boom"
      end
    end
    assert seen.closed?
  end

  def test_open_without_block_returns_an_open_db
    db = SnapDB.open(DEMO)
    assert_instance_of SnapDB::DB, db
    assert_equal DEMO, db.path
    assert_match(/SnapDB::DB .*demo|#{Regexp.escape(DEMO)}/, db.inspect)
    refute db.closed?
  ensure
    db&.close
  end

  def test_open_takes_a_pathname_and_options
    require "pathname"
    SnapDB.open(Pathname.new(DEMO), verify: true, threads: 2) do |db|
      assert_equal DEMO, db.path
      assert_equal [{ "n" => 1 }], db.query("SELECT count(*) AS n FROM genes WHERE symbol = 'BRCA2'")
    end
  end

  def test_info
    with_demo do |db|
      info = db.info
      assert_kind_of Hash, info
      assert_equal true, info["readOnly"]
      assert_equal 1, info["formatVersion"]
      assert_match(/\A\h{64}\z/, info["rootHash"])
      names = info["tables"].map { |t| t["name"] }
      assert_equal db.tables, names.sort
      assert_equal info["tables"].sum { |t| t["rows"] }, info["rows"]
      genes = info["tables"].find { |t| t["name"] == "genes" }
      assert_equal db.query("SELECT count(*) AS n FROM genes").first["n"], genes["rows"]
    end
  end

  def test_info_equals_the_cli
    out, err, st = Open3.capture3(*SnapTestEnv.cli, "info", "--json", DEMO, chdir: SnapTestEnv::ROOT)
    assert st.success?, err
    with_demo do |db|
      want = JSON.parse(out)
      got = db.info
      # The CLI adds nothing the library does not have; compare what both say.
      %w[formatVersion snapshotVersion producer rootHash rows bytes tables].each do |k|
        assert_equal want[k], got[k], k
      end
    end
  end

  def test_tables
    with_demo do |db|
      assert_equal %w[chemicals diseases entity_aliases entity_types exposures genes], db.tables
    end
  end

  def test_versions_and_status_names
    assert_match(/\A\d+\.\d+\.\d+/, SnapDB.library_version)
    assert_match(/\A\d+\.\d+\.\d+\z/, SnapDB::VERSION)
    assert_equal "query error", SnapDB.status_name(6)
    assert SnapDB.loaded?
  end

  def test_open_missing_snapshot
    e = assert_raises(SnapDB::NotFoundError) { SnapDB.open(File.join(tmpdir, "nope")) }
    assert_equal 3, e.code
    assert_equal "not found", e.status
    assert_includes e.message, "nope"
    assert_kind_of SnapDB::Error, e
  end

  def test_open_a_directory_that_is_not_a_snapshot
    e = assert_raises(SnapDB::Error) { SnapDB.open(tmpdir) }
    assert_includes [3, 4], e.code, e.message
  end
end
