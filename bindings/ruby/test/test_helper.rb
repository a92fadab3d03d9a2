# frozen_string_literal: true

# The tests need:
#   SNAPDB_LIBRARY  a built libsnap.so (make lib)
#   SNAPDB_DEMO     a demo snapshot with a stored NLP automaton
#                   (snapdb demo --dir D --scale 0.05 && snapdb nlp build D)
#   SNAPDB_CLI      optional: a snapdb binary (else `go run ./cmd/snapdb`)
# bindings/ruby/test.sh sets them up.

$LOAD_PATH.unshift File.expand_path("../lib", __dir__)
require "minitest/autorun"
require "fileutils"
require "json"
require "open3"
require "rbconfig"
require "tmpdir"
require "snapdb"

module SnapTestEnv
  ROOT = File.expand_path("../../..", __dir__) # the repository
  RUBY_LIB = File.expand_path("../lib", __dir__)

  def self.demo
    d = ENV.fetch("SNAPDB_DEMO", "")
    abort "SNAPDB_DEMO must name a demo snapshot directory (see test/test_helper.rb)" if d.empty? || !File.directory?(d)
    File.expand_path(d)
  end

  DEMO = demo

  # The CLI as an argv prefix.
  def self.cli
    c = ENV.fetch("SNAPDB_CLI", "")
    c.empty? ? %w[go run ./cmd/snapdb] : [File.expand_path(c)]
  end

  # cli_json runs `snapdb query SNAP SQL --format json` (one JSON object
  # per line) and returns the rows.
  def self.cli_rows(snap, sql, *args)
    out, err, st = Open3.capture3(*cli, "query", snap, sql, "--format", "json", *args, chdir: ROOT)
    raise "snapdb query #{sql.inspect} failed: #{err}" unless st.success?

    out.each_line.reject { |l| l.strip.empty? }.map { |l| JSON.parse(l) }
  end

  # run_ruby runs code in a fresh ruby process (never fork: the Go runtime
  # does not survive it) with the gem on the load path; returns stdout,
  # stderr and the status. It is killed after timeout seconds.
  def self.run_ruby(code, timeout: 30, env: {}, lib: RUBY_LIB)
    cmd = [RbConfig.ruby, "-I", lib, "-e", code]
    Open3.popen3(env, *cmd) do |stdin, stdout, stderr, wait|
      stdin.close
      out_reader = Thread.new { stdout.read }
      err_reader = Thread.new { stderr.read }
      unless wait.join(timeout)
        Process.kill("KILL", wait.pid)
        wait.join
        raise "ruby subprocess timed out after #{timeout}s: #{err_reader.value}"
      end
      [out_reader.value, err_reader.value, wait.value]
    end
  end
end

# SnapTest is the base of every test: after each test nothing the library
# handed out may still be held: no handles, no Arrow streams, no Arrow
# memory (snap_stats all 0).
class SnapTest < Minitest::Test
  DEMO = SnapTestEnv::DEMO

  def teardown
    super
    # Releasing a stream frees its memory before it returns (engine scans
    # wait for their workers), so the counts are checked at once.
    assert_equal({ "handles" => 0, "streams" => 0, "arrowBytes" => 0 }, SnapDB.stats, "leak after #{name}")
  end

  def with_demo(&block)
    SnapDB.open(DEMO, &block)
  end

  def tmpdir
    @tmpdir ||= Dir.mktmpdir("snapdb-rb-")
  end

  def after_teardown
    FileUtils.rm_rf(@tmpdir) if @tmpdir
    super
  end
end
