# frozen_string_literal: true

require "json"
require_relative "snapdb/version"
require_relative "snapdb/errors"
require_relative "snapdb/native"
require_relative "snapdb/db"

# SnapDB opens immutable, verified database snapshots (Parquet tables and a
# manifest), answers read-only SQL over them, and finds entity names in
# text, through libsnap.so (include/snap.h).
#
#   SnapDB.open("demo") do |db|
#     db.query("SELECT symbol, chrom FROM genes WHERE symbol = ?", ["BRCA2"])
#     # => [{"symbol"=>"BRCA2", "chrom"=>"13"}]
#   end
#
# Errors are SnapDB::Error, with a subclass per status code of snap.h.
# DB#save and DB#load return the snapshot's summary as a Hash:
# "format_version", "table_count", "row_count", "byte_count", "root_hash"
# (64 hex digits) and "wal_lsn" (nil unless the snapshot was taken at a
# write-ahead-log position).
#
# libsnap.so is found at $SNAPDB_LIBRARY, else in the gem's lib directory,
# else by the dynamic loader, and loaded by the first call that needs it.
module SnapDB
  class << self
    # open opens the snapshot at path (a directory holding manifest.json, a
    # .snap file, or a parquet:/// or snap:/// URI). It reads only the
    # manifest and the Parquet footers unless verify: true, which re-hashes
    # every file first (IntegrityError when one disagrees). threads bounds
    # the row groups a query decodes at once per table (0: one per CPU).
    #
    # With a block, yields the DB, closes it when the block ends and
    # returns the block's value; without one, returns the DB (close it).
    def open(path, verify: false, threads: 0)
      raise TypeError, "snapdb: threads must be an Integer, not #{threads.class}" unless threads.is_a?(Integer)

      opts = Native::OpenOptions.new
      opts[:struct_version] = Native::OPEN_OPTIONS_VERSION
      opts[:flags] = verify ? Native::OPEN_VERIFY : 0
      opts[:threads] = threads
      cpath = Native.cstring(path)
      out = FFI::MemoryPointer.new(:uint64)
      Native.call(:snap_db_open, cpath, opts.pointer, out)
      db = DB.new(out.read(:uint64), path.respond_to?(:to_path) ? path.to_path : path)
      return db unless block_given?

      begin
        yield db
      ensure
        db.close
      end
    end

    # The version of the loaded libsnap.so, such as "0.1.0".
    def library_version
      Native.load!.snap_version
    end

    # What the library holds right now: {"handles" => open handles,
    # "streams" => Arrow streams not yet released, "arrowBytes" => Arrow
    # memory not yet freed}. For leak checks.
    def stats
      JSON.parse(Native.call_json(:snap_stats))
    end

    # Whether libsnap.so has been loaded into this process.
    def loaded?
      Native.loaded?
    end

    # utf8 is str as UTF-8 (a copy when it had to be transcoded), checked
    # to be valid.
    def utf8(str, what) # :nodoc:
      s = case str.encoding
          when Encoding::UTF_8 then str
          when Encoding::BINARY, Encoding::US_ASCII then str.dup.force_encoding(Encoding::UTF_8)
          else str.encode(Encoding::UTF_8)
          end
      raise ArgumentError, "snapdb: #{what} is not valid UTF-8: #{str.inspect[0, 60]}" unless s.valid_encoding?

      s
    end

    INT64 = (-2**63..(2**63) - 1).freeze

    # encode_params is the JSON array snap_db_query_json takes, or nil for
    # none.
    def encode_params(params) # :nodoc:
      raise TypeError, "snapdb: params must be an Array, not #{params.class}" unless params.is_a?(Array)
      return nil if params.empty?

      items = params.each_with_index.map do |v, i|
        case v
        when Integer
          raise RangeError, "snapdb: query parameter #{i + 1} (#{v}) does not fit in a BIGINT" unless INT64.cover?(v)

          v.to_s
        when Float
          raise ArgumentError, "snapdb: query parameter #{i + 1} is #{v}; want a finite number" unless v.finite?

          JSON.generate(v)
        when String
          JSON.generate(utf8(v, "query parameter #{i + 1}"))
        when true, false, nil
          JSON.generate(v)
        else
          raise TypeError, "snapdb: query parameter #{i + 1} is a #{v.class} (#{v.inspect[0, 40]}); " \
                           "want an Integer, Float, String, true, false or nil"
        end
      end
      "[#{items.join(',')}]"
    end
  end
end
