# frozen_string_literal: true

require_relative "test_helper"

# What needs a process of its own: a panic poisons the library for good,
# finalizers run at GC or exit, and fork. Every child is a fresh `ruby`
# (never a fork of this process: the Go runtime does not survive fork).
class TestProcess < SnapTest
  def ruby(code)
    out, err, st = SnapTestEnv.run_ruby("require 'snapdb'\nDEMO = #{DEMO.dump}\n#{code}")
    [out, err, st]
  end

  def assert_clean_exit(out, err, st)
    assert st.success?, "child failed (#{st.inspect}): #{err}\n#{out}"
    refute_match(/goroutine|panic:|SIGSEGV/, err)
  end

  def test_require_does_not_load_the_library
    out, err, st = ruby(<<~RUBY)
      puts SnapDB.loaded?
      SnapDB.stats
      puts SnapDB.loaded?
      puts SnapDB::Native.loaded_path
    RUBY
    assert_clean_exit(out, err, st)
    assert_equal ["false", "true", ENV.fetch("SNAPDB_LIBRARY")], out.lines.map(&:chomp)
  end

  def test_missing_library_is_a_clear_load_error
    out, err, st = SnapTestEnv.run_ruby(<<~RUBY)
      ENV["SNAPDB_LIBRARY"] = "/nonexistent/libsnap.so"
      require "snapdb"
      begin
        SnapDB.stats
      rescue LoadError => e
        puts e.message
      end
    RUBY
    assert st.success?, err
    assert_match(%r{cannot load libsnap \(/nonexistent/libsnap.so\).*SNAPDB_LIBRARY}, out)
  end

  def test_a_library_without_the_symbols_is_a_load_error
    other = Dir["/{usr/,}lib/{x86_64-linux-gnu/,}libz.so.1"].first
    skip "no libz.so.1 to stand in for a foreign library" unless other
    out, err, st = SnapTestEnv.run_ruby(<<~RUBY, env: { "SNAPDB_LIBRARY" => other })
      require "snapdb"
      begin
        SnapDB.stats
      rescue LoadError => e
        puts e.message
      end
    RUBY
    assert st.success?, err
    assert_match(/is not the libsnap this binding needs: .*snap_version/, out)
  end

  # Where libsnap.so is looked for: $SNAPDB_LIBRARY, else lib/libsnap.so
  # in the gem, else the dynamic loader's search path.
  def test_library_search_order
    lib = File.join(tmpdir, "gem", "lib")
    FileUtils.mkdir_p(lib)
    FileUtils.cp_r(Dir[File.join(SnapTestEnv::RUBY_LIB, "*")], lib)
    code = "require 'snapdb'; SnapDB.stats; puts SnapDB::Native.loaded_path"
    no_env = { "SNAPDB_LIBRARY" => nil, "LD_LIBRARY_PATH" => nil }

    # Nothing bundled, nothing on the loader's path: a clear LoadError
    # (unless a libsnap.so is installed system-wide, make install).
    out, err, st = SnapTestEnv.run_ruby(code, env: no_env, lib: lib)
    if st.success?
      assert_equal "libsnap.so", out.chomp
    else
      assert_match(/cannot load libsnap \(libsnap.so\).*SNAPDB_LIBRARY/, err)
    end

    # The system's: found by the dynamic loader.
    sys = File.join(tmpdir, "sys")
    FileUtils.mkdir_p(sys)
    File.symlink(ENV.fetch("SNAPDB_LIBRARY"), File.join(sys, "libsnap.so"))
    out, err, st = SnapTestEnv.run_ruby(code, env: no_env.merge("LD_LIBRARY_PATH" => sys), lib: lib)
    assert st.success?, err
    assert_equal "libsnap.so", out.chomp

    # Bundled in the gem's lib directory: preferred to the system's.
    File.symlink(ENV.fetch("SNAPDB_LIBRARY"), File.join(lib, "libsnap.so"))
    out, err, st = SnapTestEnv.run_ruby(code, env: no_env.merge("LD_LIBRARY_PATH" => sys), lib: lib)
    assert st.success?, err
    assert_equal File.join(lib, "libsnap.so"), out.chomp

    # $SNAPDB_LIBRARY: preferred to both.
    out, err, st = SnapTestEnv.run_ruby(code, env: { "LD_LIBRARY_PATH" => sys }, lib: lib)
    assert st.success?, err
    assert_equal ENV.fetch("SNAPDB_LIBRARY"), out.chomp
  end

  # A long call releases the GVL (blocking: true): snap_db_open of a
  # snapshot whose manifest is a FIFO waits inside the library until
  # another Ruby thread writes the manifest, which it can only do while the
  # GVL is free. Holding the GVL would deadlock (the child is killed).
  def test_long_calls_let_other_ruby_threads_run
    skip "no mkfifo" unless File.respond_to?(:mkfifo)
    snap = File.join(tmpdir, "fifo")
    FileUtils.mkdir_p(snap)
    Dir.children(DEMO).reject { |f| f == "manifest.json" }.each do |f|
      File.symlink(File.join(DEMO, f), File.join(snap, f))
    end
    File.mkfifo(File.join(snap, "manifest.json"))
    out, err, st = SnapTestEnv.run_ruby(<<~RUBY, timeout: 20)
      require "snapdb"
      SnapDB.stats # loaded
      opener = Thread.new { SnapDB.open(#{snap.dump}) { |db| db.tables.size } }
      File.open(#{File.join(snap, 'manifest.json').dump}, "w") do |f|
        f.write(File.read(#{File.join(DEMO, 'manifest.json').dump}))
      end
      puts opener.value
    RUBY
    assert st.success?, err
    assert_equal "6", out.chomp
  rescue RuntimeError => e
    raise unless e.message.include?("timed out")

    flunk "snap_db_open held the GVL: #{e.message}"
  end

  def test_debug_panic_is_contained
    out, err, st = ruby(<<~RUBY)
      db = SnapDB.open(DEMO)
      puts db.query("SELECT count(*) AS n FROM genes").first["n"] > 0
      begin
        SnapDB::Native.call(:snap_debug_panic)
      rescue SnapDB::InternalError => e
        puts "panic: code \#{e.code}" if e.message.include?("requested by the caller")
      end
      [-> { db.query("SELECT 1") }, -> { db.tables }, -> { SnapDB.stats },
       -> { SnapDB.open(DEMO) }, -> { db.close }].each do |call|
        begin
          call.call
          puts "no error"
        rescue SnapDB::InternalError => e
          puts e.message.include?("restart the process") ? "refused" : e.message
        end
      end
      puts db.closed?
      db.close # idempotent, even now
      puts "exit"
    RUBY
    assert_clean_exit(out, err, st)
    assert_equal ["true", "panic: code 11", "refused", "refused", "refused", "refused", "refused", "true", "exit"],
                 out.lines.map(&:chomp)
  end

  def test_finalizer_closes_dropped_dbs
    out, err, st = ruby(<<~RUBY)
      Thread.new { 3.times { SnapDB.open(DEMO).tables } }.join
      before = SnapDB.stats["handles"]
      10.times do
        GC.start(full_mark: true, immediate_sweep: true)
        break if SnapDB.stats["handles"].zero?
      end
      puts before, SnapDB.stats["handles"]
      SnapDB.open(DEMO) # left open at exit: the exit-time finalizer closes it
    RUBY
    assert_clean_exit(out, err, st)
    before, after = out.lines.map(&:to_i)
    assert_operator before, :<=, 3
    assert_operator after, :<, 3, "GC collected none of the dropped DBs"
  end

  def test_forked_child_is_refused_not_hung
    skip "no fork" unless Process.respond_to?(:fork)
    out, err, st = ruby(<<~RUBY)
      db = SnapDB.open(DEMO)
      $stdout.sync = true
      pid = fork do
        begin
          db.tables
          puts "child: no error"
        rescue SnapDB::ForkError => e
          puts "child: \#{e.class} \#{e.code}" if e.message.include?("fork")
        end
        begin
          SnapDB.stats
        rescue SnapDB::ForkError
          puts "child: stats refused"
        end
        # A normal exit: the DB's finalizer must not call into the library.
      end
      Process.wait(pid)
      puts "child exit \#{$?.exitstatus}"
      puts "parent: \#{db.tables.size} tables"
      db.close
    RUBY
    assert_clean_exit(out, err, st)
    assert_equal ["child: SnapDB::ForkError 11", "child: stats refused", "child exit 0", "parent: 6 tables"],
                 out.lines.map(&:chomp)
  end
end
