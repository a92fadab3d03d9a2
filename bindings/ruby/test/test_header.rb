# frozen_string_literal: true

require_relative "test_helper"

# The ruby-ffi declarations against include/snap.h, the contract: every
# function with its argument and return types, the constants, and the
# structs' layouts (by compiling the header when a C compiler is there).
class TestHeader < SnapTest
  HEADER = File.join(SnapTestEnv::ROOT, "include", "snap.h")

  def header
    skip "no include/snap.h at #{HEADER} (installed gem)" unless File.file?(HEADER)
    File.read(HEADER)
  end

  # C type of snap.h -> ruby-ffi type of Native::FUNCTIONS.
  def ffi_type(c)
    c = c.gsub(/\s+/, " ").strip
    return :pointer if c.include?("*")

    { "int" => :int, "void" => :void, "size_t" => :size_t, "uint32_t" => :uint32,
      "snap_db" => :snap_db }.fetch(c) { flunk "snap.h type #{c.inspect} has no mapping" }
  end

  def header_functions
    protos = header[/#ifndef SNAP_NO_PROTOTYPES(.*)#endif \/\* SNAP_NO_PROTOTYPES/m, 1]
    refute_nil protos, "snap.h has no SNAP_NO_PROTOTYPES section"
    protos = protos.gsub(%r{/\*.*?\*/}m, "")
    protos.scan(/^([\w ]+?\**)\s*(snap_\w+)\(([^)]*)\);/m).map do |ret, name, args|
      ret = ret.strip
      args = args.strip == "void" ? [] : args.split(",").map { |a| ffi_type(a.sub(/\w+\s*\z/, "")) }
      [name.to_sym, args, ret == "const char*" ? :string : ffi_type(ret)]
    end
  end

  def test_every_function_declared_as_in_the_header
    want = header_functions
    assert_operator want.size, :>=, 17
    got = SnapDB::Native::FUNCTIONS.map { |name, args, ret, _| [name, args, ret] }
    assert_equal want.map(&:first), got.map(&:first), "functions (in the header's order)"
    want.zip(got).each do |w, g|
      assert_equal w, g, "declaration of #{w[0]}"
    end
  end

  def test_long_calls_release_the_gvl
    blocking = SnapDB::Native::FUNCTIONS.select { |*, b| b }.map(&:first)
    %i[snap_db_open snap_db_query snap_db_query_json snap_db_save_snapshot snap_db_load_snapshot
       snap_db_verify snap_nlp_match snap_nlp_match_arrow].each do |f|
      assert_includes blocking, f
    end
  end

  def test_every_function_is_attached
    SnapDB::Native.load!
    SnapDB::Native::FUNCTIONS.each do |name, *|
      assert_respond_to SnapDB::Native, name
    end
  end

  def test_constants
    defs = header.scan(/^#define (SNAP_\w+) (\d+)u?\b/).to_h { |k, v| [k, Integer(v)] }
    errs = defs.select { |k, _| k.start_with?("SNAP_ERR_") }
    assert_equal 11, errs.size
    errs.each do |k, v|
      cls = SnapDB::Error.for_code(v)
      refute_equal SnapDB::Error, cls, "#{k} has no Error subclass"
      assert_equal v, cls::CODE
      assert_equal SnapDB::Native.load!.snap_status_name(v), SnapDB.status_name(v), k
    end
    assert_equal 0, defs.fetch("SNAP_OK")
    n = SnapDB::Native
    assert_equal defs.fetch("SNAP_OPEN_OPTIONS_VERSION"), n::OPEN_OPTIONS_VERSION
    assert_equal defs.fetch("SNAP_OPEN_VERIFY"), n::OPEN_VERIFY
    assert_equal defs.fetch("SNAP_SNAPSHOT_META_VERSION"), n::SNAPSHOT_META_VERSION
    assert_equal defs.fetch("SNAP_SAVE_OVERWRITE"), n::SAVE_OVERWRITE
    assert_equal defs.fetch("SNAP_MATCH_ALL"), n::MATCH_ALL
    assert_equal "unknown status", SnapDB.status_name(99)
    assert_equal "unknown status", n.snap_status_name(99)
  end

  STRUCTS = {
    "snap_error" => [SnapDB::Native::SnapError, %w[code message]],
    "snap_open_options" => [SnapDB::Native::OpenOptions, %w[struct_version flags threads]],
    "snap_snapshot_meta" => [SnapDB::Native::SnapshotMeta,
                             %w[struct_version format_version table_count row_count byte_count
                                root_hash has_wal_lsn wal_lsn]],
    "struct ArrowArrayStream" => [SnapDB::Native::ArrowArrayStream,
                                  %w[get_schema get_next get_last_error release private_data]],
    "struct ArrowSchema" => [SnapDB::Native::ArrowSchema,
                             %w[format name metadata flags n_children children dictionary release
                                private_data]],
    "struct ArrowArray" => [SnapDB::Native::ArrowArray,
                            %w[length null_count offset n_buffers n_children buffers children
                               dictionary release private_data]]
  }.freeze

  def test_struct_layouts_match_the_compiled_header
    header
    cc = ENV.fetch("CC", "cc")
    skip "no C compiler" unless system("command -v #{cc} >/dev/null 2>&1")
    src = +"#include <stdio.h>\n#include <stddef.h>\n#include \"snap.h\"\nint main(void) {\n"
    STRUCTS.each do |ctype, (_, fields)|
      src << %(  printf("#{ctype} size %zu\\n", sizeof(#{ctype}));\n)
      fields.each { |f| src << %(  printf("#{ctype} #{f} %zu\\n", offsetof(#{ctype}, #{f}));\n) }
    end
    src << "  return 0;\n}\n"
    File.write(File.join(tmpdir, "layout.c"), src)
    exe = File.join(tmpdir, "layout")
    _, err, st = Open3.capture3(cc, "-I", File.dirname(HEADER), "-o", exe, File.join(tmpdir, "layout.c"))
    assert st.success?, "compiling the layout probe: #{err}"
    want = `#{exe}`.lines.to_h { |l| k, v = l.strip.rpartition(" ").values_at(0, 2); [k, Integer(v)] }
    STRUCTS.each do |ctype, (cls, fields)|
      assert_equal want.fetch("#{ctype} size"), cls.size, "sizeof(#{ctype})"
      assert_equal fields.map(&:to_sym), cls.members, "fields of #{ctype}"
      fields.each do |f|
        assert_equal want.fetch("#{ctype} #{f}"), cls.offset_of(f.to_sym), "offsetof(#{ctype}, #{f})"
      end
    end
  end
end
