# frozen_string_literal: true

require_relative "test_helper"

class TestNLP < SnapTest
  TEXT = "Café study: BRCA2 mutations, tumor necrosis factor and breast cancer risk."

  def test_match
    with_demo do |db|
      ms = db.nlp_match(TEXT)
      assert_equal ["BRCA2", "tumor necrosis factor", "breast cancer"], ms.map(&:text)
      ms.each do |m|
        assert_instance_of SnapDB::Mention, m
        assert_equal m.text, TEXT.byteslice(m.start, m.end - m.start), "byte offsets of #{m.text}"
        assert_equal m.text, TEXT[m.start_rune...m.end_rune], "rune offsets of #{m.text}"
        refute_empty m.candidates
        m.candidates.each do |c|
          assert_instance_of SnapDB::Candidate, c
          assert_kind_of Integer, c.entity_id
          assert_includes %w[gene disease chemical], c.entity_type
          assert_kind_of String, c.alias_type
          assert_kind_of String, c.alias
        end
      end
      brca2 = ms.first
      assert_equal [13, 18, 12, 17], [brca2.start, brca2.end, brca2.start_rune, brca2.end_rune]
      assert_equal ["gene"], brca2.candidates.map(&:entity_type)
      id = db.query("SELECT entity_id FROM genes WHERE symbol = 'BRCA2'").first["entity_id"]
      assert_equal id, brca2.candidates.first.entity_id
    end
  end

  def test_match_equals_the_cli
    out, err, st = Open3.capture3(*SnapTestEnv.cli, "nlp", "match", DEMO, TEXT, "--json", chdir: SnapTestEnv::ROOT)
    assert st.success?, err
    want = JSON.parse(out)
    with_demo do |db|
      got = db.nlp_match(TEXT).map do |m|
        { "start" => m.start, "end" => m.end, "startRune" => m.start_rune, "endRune" => m.end_rune,
          "text" => m.text,
          "candidates" => m.candidates.map do |c|
            { "entityId" => c.entity_id, "entityType" => c.entity_type, "aliasType" => c.alias_type,
              "alias" => c.alias }
          end }
      end
      assert_equal want, got
    end
  end

  def test_match_all_includes_overlaps
    with_demo do |db|
      longest = db.nlp_match(TEXT)
      all = db.nlp_match(TEXT, all: true)
      assert_operator all.size, :>=, longest.size
      longest.each { |m| assert_includes all, m }
    end
  end

  def test_empty_and_odd_text
    with_demo do |db|
      assert_equal [], db.nlp_match("")
      assert_equal [], db.nlp_match("nothing to see here")
      # Invalid bytes act as spaces.
      ms = db.nlp_match("\xFFBRCA2\xFF".b)
      assert_equal [["BRCA2", 1, 6]], ms.map { |m| [m.text, m.start, m.end] }
      # Other encodings are transcoded: offsets are into the UTF-8 text.
      latin1 = "caf\xE9 BRCA2".dup.force_encoding(Encoding::ISO_8859_1)
      m = db.nlp_match(latin1).first
      assert_equal [6, 11, 5, 10], [m.start, m.end, m.start_rune, m.end_rune]
      assert_raises(TypeError) { db.nlp_match(nil) }
      assert_raises(TypeError) { db.nlp_match(:BRCA2) }
    end
  end

  def test_no_usable_automaton
    dir = File.join(tmpdir, "badnlp")
    with_demo { |db| db.save(dir) }
    automaton = File.join(dir, "nlp", "automaton.bin")
    File.open(automaton, "r+b") { |f| f.write("NOTANAUT") }
    SnapDB.open(dir) do |db|
      e = assert_raises(SnapDB::NoNLPError) { db.nlp_match("BRCA2") }
      assert_equal 8, e.code
      assert_includes e.message, "automaton"
      # The rest of the snapshot still works.
      assert_equal 1, db.query("SELECT symbol FROM genes WHERE symbol = 'BRCA2'").size
    end
  end

  # snap.h: SNAP_ERR_NO_NLP "when the snapshot has no usable automaton". A
  # snapshot with neither a stored automaton nor an alias table to build one
  # from has none (not SNAP_ERR_NOT_FOUND, as libsnap reported before
  # d9131f0).
  def test_no_alias_table_is_no_nlp
    dir = File.join(tmpdir, "noaliases")
    with_demo { |db| db.save(dir) }
    manifest = JSON.parse(File.read(File.join(dir, "manifest.json")))
    manifest.delete("nlp")
    file = manifest["tables"].delete("entity_aliases")["file"] || "entity_aliases.parquet"
    File.write(File.join(dir, "manifest.json"), JSON.pretty_generate(manifest))
    FileUtils.rm_rf([File.join(dir, "nlp"), File.join(dir, file)])
    SnapDB.open(dir) do |db|
      refute_includes db.tables, "entity_aliases"
      e = assert_raises(SnapDB::Error) { db.nlp_match("BRCA2") }
      assert_includes e.message, "entity_aliases"
      assert_instance_of SnapDB::NoNLPError, e
    end
  end

  # The raw Arrow entry point of matching.
  def test_match_arrow_stream_release
    with_demo do |db|
      n = SnapDB::Native
      stream = n::ArrowArrayStream.new
      n.call(:snap_nlp_match_arrow, db.handle, n.buffer(TEXT), TEXT.bytesize, 0, stream.pointer)
      assert_equal 1, SnapDB.stats["streams"]
      stream.release
      assert_equal 0, SnapDB.stats["streams"]
    end
  end
end
