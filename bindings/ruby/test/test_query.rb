# frozen_string_literal: true

require_relative "test_helper"

class TestQuery < SnapTest
  # Queries whose rows must equal the CLI's (`snapdb query --format json`):
  # every column type of the demo (int64, utf8, float64, date32), NULLs,
  # aggregates, a join, an empty result.
  CLI_QUERIES = [
    "SELECT * FROM genes ORDER BY entity_id LIMIT 40",
    "SELECT * FROM exposures WHERE disease_id IS NULL ORDER BY id LIMIT 25",
    "SELECT * FROM chemicals WHERE cas_number IS NULL OR molecular_weight IS NULL ORDER BY entity_id LIMIT 25",
    "SELECT chrom, count(*) AS n, avg(score) AS mean, min(start) AS lo, max(score) AS hi " \
    "FROM genes GROUP BY chrom ORDER BY chrom",
    "SELECT c.name, c.formula, count(x.id) AS records FROM chemicals c LEFT JOIN exposures x " \
    "ON x.chemical_id = c.entity_id WHERE c.molecular_weight > 600 GROUP BY c.name, c.formula " \
    "ORDER BY records DESC, c.name LIMIT 5",
    "SELECT effect, count(DISTINCT gene_id) AS genes, sum(score) AS total FROM exposures " \
    "WHERE observed_on >= '2018-01-01' GROUP BY effect ORDER BY effect",
    "SELECT alias_value, alias_type FROM entity_aliases WHERE alias_value LIKE 'BRCA%' ORDER BY id",
    "SELECT * FROM genes WHERE symbol = 'NO SUCH GENE'"
  ].freeze

  # Column aggregates read Parquet pages directly (engine/colagg.go); they
  # once left their column chunk readers open, leaking page buffers.
  def test_column_aggregates_free_their_arrow_memory
    SnapDB.open(DEMO) { |db| db.query("SELECT chrom, avg(score) AS mean FROM genes GROUP BY chrom") }
    assert_equal 0, SnapDB.stats["arrowBytes"]
  end

  def test_rows_equal_the_cli
    with_demo do |db|
      CLI_QUERIES.each do |sql|
        want = SnapTestEnv.cli_rows(DEMO, sql)
        got = db.query(sql)
        assert_equal want, got, sql
        assert_equal want.map(&:keys), got.map(&:keys), "column order of #{sql}"
      end
    end
  end

  def test_rows_with_a_parameter_equal_the_cli
    sql = "SELECT * FROM genes WHERE symbol = ?"
    with_demo do |db|
      got = db.query(sql, ["BRCA2"])
      assert_equal 1, got.size
      assert_equal SnapTestEnv.cli_rows(DEMO, sql, "--param", "BRCA2"), got
    end
  end

  def test_value_types
    with_demo do |db|
      row = db.query("SELECT * FROM exposures ORDER BY id LIMIT 1").first
      assert_kind_of Integer, row["id"]
      assert_kind_of Float, row["score"]
      assert_kind_of String, row["effect"]
      assert_match(/\A\d{4}-\d{2}-\d{2}\z/, row["observed_on"])
      assert_equal Encoding::UTF_8, row["effect"].encoding
      null = db.query("SELECT disease_id FROM exposures WHERE disease_id IS NULL LIMIT 1").first
      assert_equal({ "disease_id" => nil }, null)
    end
  end

  # snap.h: "NULL as null", also for a column of Arrow type null (a NULL
  # literal, an untyped NULL parameter), which has no validity bitmap.
  def test_null_typed_column_is_nil
    with_demo do |db|
      got = db.query("SELECT NULL AS x, ? AS y FROM genes LIMIT 1", [nil]).first
      assert_equal({ "x" => nil, "y" => nil }, got)
    end
  end

  def test_params_of_every_type
    with_demo do |db|
      assert_equal [{ "symbol" => "BRCA2" }], db.query("SELECT symbol FROM genes WHERE entity_id = ?", [29])
      assert_equal db.query("SELECT count(*) AS n FROM genes WHERE start > 1000000 AND chrom = '13'"),
                   db.query("SELECT count(*) AS n FROM genes WHERE start > $1 AND chrom = $2", [1_000_000, "13"])
      assert_equal db.query("SELECT count(*) AS n FROM exposures WHERE score > 0.5"),
                   db.query("SELECT count(*) AS n FROM exposures WHERE score > ?", [0.5])
      assert_equal 1, db.query("SELECT symbol FROM genes WHERE ? LIMIT 1", [true]).size
      assert_equal 0, db.query("SELECT symbol FROM genes WHERE ? LIMIT 1", [false]).size
      assert_equal 1, db.query("SELECT symbol FROM genes WHERE ? IS NULL LIMIT 1", [nil]).size
      assert_equal 0, db.query("SELECT symbol FROM genes WHERE ? IS NULL LIMIT 1", [1]).size
      assert_equal [{ "observed_on" => "2017-10-31" }],
                   db.query("SELECT observed_on FROM exposures WHERE observed_on = ? LIMIT 1", ["2017-10-31"])
    end
  end

  def test_params_round_trip
    tricky = "it's \"quoted\" \\ back\nslash, ü, 🎉, \u2028"
    with_demo do |db|
      row = db.query("SELECT ? AS s, ? AS t, ? AS f, ? AS big, ? AS neg, ? AS x FROM genes LIMIT 1",
                     [tricky, true, false, 2**62, -(2**63), 0.125]).first
      assert_equal({ "s" => tricky, "t" => true, "f" => false, "big" => 2**62, "neg" => -(2**63), "x" => 0.125 }, row)
      latin1 = "caf\xE9".dup.force_encoding(Encoding::ISO_8859_1)
      assert_equal "café", db.query("SELECT ? AS s FROM genes LIMIT 1", [latin1]).first["s"]
      assert_equal "BRCA2", db.query("SELECT ? AS s FROM genes LIMIT 1", ["BRCA2".b]).first["s"]
    end
  end

  def test_bad_params
    with_demo do |db|
      sql = "SELECT ? AS x FROM genes LIMIT 1"
      [:sym, Object.new, [1], { a: 1 }, Time.now, 1r, 2i].each do |v|
        e = assert_raises(TypeError) { db.query(sql, [v]) }
        assert_includes e.message, "parameter 1"
      end
      assert_raises(TypeError) { db.query(sql, "BRCA2") }
      assert_raises(TypeError) { db.query(sql, nil) }
      assert_raises(RangeError) { db.query(sql, [2**63]) }
      assert_raises(RangeError) { db.query(sql, [-(2**63) - 1]) }
      [Float::NAN, Float::INFINITY, -Float::INFINITY].each do |f|
        assert_raises(ArgumentError) { db.query(sql, [f]) }
      end
      assert_raises(ArgumentError) { db.query(sql, ["\xFF".b]) }
      e = assert_raises(SnapDB::QueryError) { db.query(sql, [1, 2]) }
      assert_match(/1 parameters?, 2 values/, e.message)
      assert_raises(SnapDB::QueryError) { db.query(sql) }
    end
  end

  def test_syntax_error_gives_the_position
    with_demo do |db|
      e = assert_raises(SnapDB::QueryError) { db.query("SELEC symbol FROM genes") }
      assert_equal 6, e.code
      assert_match(/syntax error at 1:1 near "SELEC"/, e.message)
      e = assert_raises(SnapDB::QueryError) { db.query("SELECT symbol\nFROM genes WHERE") }
      assert_match(/at 2:17/, e.message)
      e = assert_raises(SnapDB::QueryError) { db.query("SELECT 1; SELECT 2") }
      assert_match(/at 1:11/, e.message)
      assert_raises(SnapDB::QueryError) { db.query("") }
      # The handle is fine after errors.
      assert_equal 1, db.query("SELECT symbol FROM genes WHERE symbol = 'TNF'").size
    end
  end

  def test_unknown_table_and_column
    with_demo do |db|
      e = assert_raises(SnapDB::QueryError) { db.query("SELECT * FROM nope") }
      assert_match(/unknown table "nope"/, e.message)
      assert_includes e.message, "genes" # what exists
      assert_match(/at 1:15/, e.message)
      e = assert_raises(SnapDB::QueryError) { db.query("SELECT start_pos FROM genes") }
      assert_match(/unknown column start_pos/, e.message)
      assert_includes e.message, "symbol"
    end
  end

  def test_statements_that_would_write_are_refused
    with_demo do |db|
      ["INSERT INTO genes VALUES (1)", "UPDATE genes SET score = 1", "DELETE FROM genes",
       "DROP TABLE genes", "CREATE TABLE x (a int)"].each do |sql|
        e = assert_raises(SnapDB::ReadOnlyError, sql) { db.query(sql) }
        assert_equal 7, e.code
        assert_match(/read-only/, e.message)
      end
      assert_equal 1, db.query("SELECT symbol FROM genes WHERE symbol = 'TNF'").size
    end
  end

  def test_sql_must_be_a_string
    with_demo do |db|
      assert_raises(TypeError) { db.query(nil) }
      assert_raises(TypeError) { db.query(:genes) }
      assert_raises(ArgumentError) { db.query("SELECT '\xFF'".b) }
      latin1 = "SELECT count(*) AS n FROM genes WHERE symbol = 'caf\xE9'".dup.force_encoding(Encoding::ISO_8859_1)
      assert_equal [{ "n" => 0 }], db.query(latin1)
    end
  end

  # The raw Arrow entry point through the declared structs: the schema's
  # columns, the batches' rows, and the stream counted in snap_stats until
  # its release callback runs.
  def test_arrow_stream_read_and_release
    with_demo do |db|
      n = SnapDB::Native
      stream = n::ArrowArrayStream.new
      sql = "SELECT entity_id, symbol, score FROM genes WHERE entity_id <= ? ORDER BY entity_id"
      params = "[5]"
      n.call(:snap_db_query, db.handle, n.buffer(sql), sql.bytesize, n.buffer(params), params.bytesize, stream.pointer)
      refute stream[:release].null?
      assert_equal 1, SnapDB.stats["streams"]

      schema = n::ArrowSchema.new
      get_schema = FFI::Function.new(:int, %i[pointer pointer], stream[:get_schema])
      assert_equal 0, get_schema.call(stream.pointer, schema.pointer)
      assert_equal "+s", schema[:format].read_string
      assert_equal 3, schema[:n_children]
      kids = schema[:children].read_array_of_pointer(3).map { |p| n::ArrowSchema.new(p) }
      assert_equal %w[entity_id symbol score], kids.map { |k| k[:name].read_string }
      assert_equal %w[l u g], kids.map { |k| k[:format].read_string } # int64, utf8, float64
      FFI::Function.new(:void, [:pointer], schema[:release]).call(schema.pointer)
      assert schema[:release].null?

      get_next = FFI::Function.new(:int, %i[pointer pointer], stream[:get_next])
      rows = 0
      loop do
        batch = n::ArrowArray.new
        assert_equal 0, get_next.call(stream.pointer, batch.pointer)
        break if batch[:release].null? # the end

        assert_equal 3, batch[:n_children]
        rows += batch[:length]
        FFI::Function.new(:void, [:pointer], batch[:release]).call(batch.pointer)
      end
      assert_equal 5, rows
      stream.release
      assert stream[:release].null?
      assert_equal 0, SnapDB.stats["streams"]
    end
  end

  # An error while the rows are read: a CAST that fails row by row is a
  # QueryError through the Ruby API; through the raw stream, get_next
  # returns EINVAL and get_last_error's message starts with the status
  # code ("SNAP_ERR_QUERY (6): ").
  def test_error_while_reading
    sql = "SELECT CAST(symbol AS INTEGER) AS n FROM genes"
    with_demo do |db|
      e = assert_raises(SnapDB::QueryError) { db.query(sql) }
      assert_equal 6, e.code
      assert_includes e.message, "could not convert"

      n = SnapDB::Native
      stream = n::ArrowArrayStream.new
      n.call(:snap_db_query, db.handle, n.buffer(sql), sql.bytesize, nil, 0, stream.pointer)
      get_next = FFI::Function.new(:int, %i[pointer pointer], stream[:get_next])
      get_last_error = FFI::Function.new(:string, %i[pointer], stream[:get_last_error])
      rc = 0
      loop do
        batch = n::ArrowArray.new
        rc = get_next.call(stream.pointer, batch.pointer)
        break if rc != 0 || batch[:release].null?

        FFI::Function.new(:void, [:pointer], batch[:release]).call(batch.pointer)
      end
      assert_equal Errno::EINVAL::Errno, rc
      assert_match(/\ASNAP_ERR_QUERY \(6\): .*could not convert/, get_last_error.call(stream.pointer))
      stream.release
      assert_equal 0, SnapDB.stats["streams"]
    end
  end

  # A stream released unread, and a failed query's zeroed stream.
  def test_arrow_stream_release_unread
    with_demo do |db|
      n = SnapDB::Native
      stream = n::ArrowArrayStream.new
      sql = "SELECT * FROM genes LIMIT 5"
      n.call(:snap_db_query, db.handle, n.buffer(sql), sql.bytesize, nil, 0, stream.pointer)
      assert_equal 1, SnapDB.stats["streams"]
      stream.release
      assert_equal 0, SnapDB.stats["streams"]
      failed = n::ArrowArrayStream.new
      assert_raises(SnapDB::QueryError) do
        n.call(:snap_db_query, db.handle, n.buffer("SELEC"), 5, nil, 0, failed.pointer)
      end
      assert failed[:release].null?
    end
  end
end
