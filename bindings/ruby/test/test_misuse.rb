# frozen_string_literal: true

require_relative "test_helper"

class TestMisuse < SnapTest
  N = SnapDB::Native

  def test_every_method_after_close_raises_closed_error
    db = SnapDB.open(DEMO)
    assert_nil db.close
    assert db.closed?
    assert_match(/closed/, db.inspect)
    calls = {
      info: -> { db.info }, tables: -> { db.tables }, query: -> { db.query("SELECT 1") },
      save: -> { db.save(File.join(tmpdir, "x")) }, load: -> { db.load(DEMO) },
      verify: -> { db.verify }, nlp_match: -> { db.nlp_match("BRCA2") }, handle: -> { db.handle }
    }
    calls.each do |name, call|
      e = assert_raises(SnapDB::ClosedError, name) { call.call }
      assert_kind_of SnapDB::BadHandleError, e
      assert_equal 2, e.code
      assert_equal "snapdb: the database #{DEMO} is closed", e.message
    end
    refute File.exist?(File.join(tmpdir, "x"))
  end

  def test_close_is_idempotent
    db = SnapDB.open(DEMO)
    assert_nil db.close
    assert_nil db.close
    SnapDB.open(DEMO) do |db2|
      db2.close # closing inside the block: the block's own close is a no-op
    end
  end

  def test_the_c_api_rejects_closed_zero_and_foreign_handles
    db = SnapDB.open(DEMO)
    h = db.handle
    db.close
    e = assert_raises(SnapDB::BadHandleError) { N.call_json(:snap_db_tables, h) }
    assert_match(/closed/, e.message)
    e = assert_raises(SnapDB::BadHandleError) { N.call(:snap_db_close, h) } # a second C close
    assert_equal 2, e.code
    e = assert_raises(SnapDB::BadHandleError) { N.call_json(:snap_db_info, 0) }
    assert_match(/0 is never a valid handle/, e.message)
    assert_raises(SnapDB::BadHandleError) { N.call_json(:snap_db_info, 12_345) }
    assert_raises(SnapDB::BadHandleError) { N.call_json(:snap_db_info, 2**64 - 1) }
  end

  def test_null_arguments_are_invalid_arguments
    with_demo do |db|
      out = FFI::MemoryPointer.new(:uint64)
      e = assert_raises(SnapDB::InvalidArgumentError) { N.call(:snap_db_open, nil, nil, out) }
      assert_match(/path is NULL/, e.message)
      assert_raises(SnapDB::InvalidArgumentError) { N.call(:snap_db_open, N.cstring(DEMO), nil, nil) }
      assert_raises(SnapDB::InvalidArgumentError) { N.call(:snap_db_info, db.handle, nil, nil) }
      assert_raises(SnapDB::InvalidArgumentError) { N.call_json(:snap_db_query_json, db.handle, nil, 0, nil, 0) }
      sql = "SELECT 1"
      assert_raises(SnapDB::InvalidArgumentError) do
        N.call_json(:snap_db_query_json, db.handle, N.buffer(sql), sql.bytesize, nil, 3)
      end
      assert_raises(SnapDB::InvalidArgumentError) { N.call_json(:snap_nlp_match, db.handle, nil, 5, 0) }
      assert_raises(SnapDB::InvalidArgumentError) { N.call(:snap_db_save_snapshot, db.handle, nil, 0, nil) }
      assert_equal [], JSON.parse(N.call_json(:snap_nlp_match, db.handle, nil, 0, 0)) # NULL text of length 0
      # Freeing NULL is a no-op; a NULL err pointer is allowed.
      N.snap_free(nil)
      N.snap_error_free(nil)
      assert_equal 1, N.snap_db_info(db.handle, nil, nil, nil)
    end
  end

  def test_bad_params_json_from_the_c_side
    with_demo do |db|
      sql = "SELECT ? AS x FROM genes LIMIT 1"
      ["{}", "[1", "[{\"a\":1}]", "[1] 2", "null", "[1e999]"].each do |params|
        e = assert_raises(SnapDB::InvalidArgumentError, params) do
          N.call_json(:snap_db_query_json, db.handle, N.buffer(sql), sql.bytesize, N.buffer(params), params.bytesize)
        end
        assert_match(/parameter/, e.message)
      end
    end
  end

  def test_struct_versions_and_flags
    with_demo do |db|
      opts = N::OpenOptions.new
      opts[:struct_version] = 99
      out = FFI::MemoryPointer.new(:uint64)
      e = assert_raises(SnapDB::UnsupportedError) { N.call(:snap_db_open, N.cstring(DEMO), opts.pointer, out) }
      assert_equal 9, e.code
      opts[:struct_version] = N::OPEN_OPTIONS_VERSION
      opts[:flags] = 0x10
      assert_raises(SnapDB::InvalidArgumentError) { N.call(:snap_db_open, N.cstring(DEMO), opts.pointer, out) }

      meta = N::SnapshotMeta.new # struct_version 0
      assert_raises(SnapDB::UnsupportedError) do
        N.call(:snap_db_save_snapshot, db.handle, N.cstring(File.join(tmpdir, "x")), 0, meta.pointer)
      end
      assert_raises(SnapDB::UnsupportedError) { N.call(:snap_db_load_snapshot, db.handle, N.cstring(DEMO), meta.pointer) }
      assert_raises(SnapDB::InvalidArgumentError) do
        N.call(:snap_db_save_snapshot, db.handle, N.cstring(File.join(tmpdir, "x")), 0x10, nil)
      end
      refute File.exist?(File.join(tmpdir, "x"))
      e = assert_raises(SnapDB::InvalidArgumentError) { N.call_json(:snap_nlp_match, db.handle, N.buffer("x"), 1, 0x10) }
      assert_match(/unknown flags/, e.message)
    end
  end

  def test_error_without_message_object
    e = SnapDB::Error.for_code(6).new("x", code: 6)
    assert_instance_of SnapDB::QueryError, e
    assert_equal SnapDB::Error, SnapDB::Error.for_code(42)
    assert_equal "unknown status", SnapDB::Error.new(nil, code: 42).message
    assert_equal "integrity error", SnapDB::IntegrityError.new.message
    assert_equal 5, SnapDB::IntegrityError.new.code
    # The errors the binding raises itself carry a status code too.
    assert_equal 2, SnapDB::ClosedError.new("closed").code
    fork_error = SnapDB::ForkError.new("forked")
    assert_equal 11, fork_error.code
    assert_kind_of SnapDB::InternalError, fork_error
    assert_equal "internal error", fork_error.status
  end
end
