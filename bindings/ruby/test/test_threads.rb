# frozen_string_literal: true

require_relative "test_helper"

class TestThreads < SnapTest
  QUERIES = [
    ["SELECT chrom, count(*) AS n FROM genes GROUP BY chrom ORDER BY chrom", []],
    ["SELECT * FROM genes WHERE symbol = ?", ["BRCA2"]],
    ["SELECT effect, avg(score) AS mean FROM exposures GROUP BY effect ORDER BY effect", []],
    ["SELECT name FROM chemicals WHERE molecular_weight > ? ORDER BY name LIMIT 10", [500.0]]
  ].freeze

  def test_threads_query_one_db
    with_demo do |db|
      want = QUERIES.map { |sql, params| db.query(sql, params) }
      text = "BRCA2 and breast cancer"
      want_match = db.nlp_match(text)
      threads = 4.times.map do |t|
        Thread.new do
          12.times.map do |i|
            k = (t + i) % QUERIES.size
            got = db.query(*QUERIES[k])
            [got == want[k], db.nlp_match(text) == want_match]
          end
        end
      end
      results = threads.flat_map(&:value)
      assert_equal 48, results.size
      assert(results.all? { |q, m| q && m }, "a thread saw different rows or mentions")
    end
  end

  def test_close_while_other_threads_query
    db = SnapDB.open(DEMO)
    started = Queue.new
    threads = 3.times.map do
      Thread.new do
        n = 0
        begin
          loop do
            db.query("SELECT count(*) AS n FROM exposures WHERE score > 0.5")
            n += 1
            started << true if n == 1
          end
        rescue SnapDB::BadHandleError => e # ClosedError, or the C side's "is closed"
          [n, e.class]
        end
      end
    end
    3.times { started.pop }
    db.close
    results = threads.map(&:value)
    results.each do |n, cls|
      assert_operator n, :>=, 1
      assert_includes [SnapDB::ClosedError, SnapDB::BadHandleError], cls
    end
  end
end
