# frozen_string_literal: true

# genes.rb: a short tour of the Ruby binding on the demo snapshot. It opens
# the snapshot, asks SQL questions (one with a parameter), finds entity
# names in a sentence and joins them back to their tables, then saves the
# snapshot as a single .snap file and serves the copy from the same handle.
#
#   SNAPDB_LIBRARY=build/libsnap.so ruby -I bindings/ruby/lib \
#     examples/ruby/genes.rb DEMO_SNAPSHOT [OUT.snap]

require "snapdb"
require "tmpdir"

def tour(snap, out)
  SnapDB.open(snap) do |db|
    info = db.info
    puts "#{info['path']}: #{db.tables.size} tables, #{info['rows']} rows, root #{info['rootHash'][0, 12]}…"

    puts "\nLargest chromosomes by gene count:"
    db.query("SELECT chrom, count(*) AS genes FROM genes GROUP BY chrom ORDER BY 2 DESC, chrom LIMIT 3").each do |r|
      puts format("  chr%-3s %5d", r["chrom"], r["genes"])
    end

    gene = db.query("SELECT entity_id, symbol, name, chrom, start FROM genes WHERE symbol = ?", ["BRCA2"]).first
    puts "\n#{gene['symbol']} (#{gene['name']}) is on chr#{gene['chrom']} at #{gene['start']}"

    text = "Exposure to tumor necrosis factor inhibitors and BRCA2 status in breast cancer."
    puts "\nEntities in: #{text}"
    db.nlp_match(text).each do |m|
      c = m.candidates.first
      table = { "gene" => "genes", "disease" => "diseases", "chemical" => "chemicals" }.fetch(c.entity_type)
      row = db.query("SELECT name FROM #{table} WHERE entity_id = ?", [c.entity_id]).first
      puts format("  %-22s chars %2d-%-2d %-8s %-8d %s", m.text, m.start_rune, m.end_rune, c.entity_type,
                  c.entity_id, row && row["name"])
    end

    begin
      db.query("DELETE FROM genes")
    rescue SnapDB::ReadOnlyError => e
      puts "\nRefused (#{e.status}): #{e.message}"
    end

    meta = db.save(out, overwrite: true)
    puts "\nSaved #{out}: #{meta['table_count']} tables, #{meta['row_count']} rows, #{meta['byte_count']} bytes"
    loaded = db.load(out)
    raise "root hash changed" unless loaded["root_hash"] == meta["root_hash"]

    n = db.query("SELECT count(*) AS n FROM exposures WHERE score > ?", [0.9]).first["n"]
    puts "Serving the copy (root #{loaded['root_hash'][0, 12]}…): #{n} exposures score above 0.9"
  end
end

snap = ARGV.fetch(0) { abort "usage: genes.rb SNAPSHOT [OUT.snap]" }
if ARGV[1]
  tour(snap, ARGV[1])
else
  Dir.mktmpdir("snapdb-example-") { |dir| tour(snap, File.join(dir, "demo.snap")) }
end
