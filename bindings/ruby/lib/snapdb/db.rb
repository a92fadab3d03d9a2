# frozen_string_literal: true

require "json"

module SnapDB
  # A candidate entity of a Mention: the entity's ID and type, and the
  # alias (and its type, such as "preferred") that matched.
  Candidate = Struct.new(:entity_id, :entity_type, :alias_type, :alias)

  # Mention is one entity name found by DB#nlp_match. start and end are
  # byte offsets into the text's UTF-8 bytes (text.byteslice(start,
  # end - start) == mention.text); start_rune and end_rune are character
  # offsets (text[start_rune...end_rune] == mention.text). candidates is an
  # Array of Candidate, at least one.
  Mention = Struct.new(:start, :end, :start_rune, :end_rune, :text, :candidates)

  # DB is an open snapshot. Make one with SnapDB.open; every method may be
  # called from any thread, concurrently. After #close every method but
  # #close and #closed? raises ClosedError.
  class DB
    # The path the snapshot was opened from.
    attr_reader :path

    # Use SnapDB.open.
    def initialize(handle, path) # :nodoc:
      @path = path
      @handle = Handle.new(handle)
      ObjectSpace.define_finalizer(self, @handle)
    end

    # close releases the snapshot. It is idempotent: closing a closed DB
    # does nothing. Returns nil.
    def close
      h = @handle.take
      return nil if h.nil?

      ObjectSpace.undefine_finalizer(self)
      Native.call(:snap_db_close, h)
      nil
    end

    def closed?
      @handle.value.nil?
    end

    # info is the snapshot's description (`snapdb info --json`): versions,
    # source, tables with row counts and sizes, root hash. A Hash with
    # String keys as in the JSON.
    def info
      JSON.parse(Native.call_json(:snap_db_info, handle))
    end

    # tables is the table names, sorted.
    def tables
      JSON.parse(Native.call_json(:snap_db_tables, handle))
    end

    # query runs one read-only SELECT and returns every row as a Hash from
    # column name to value: integers and floats as Integer and Float,
    # booleans as true/false, NULL as nil, anything else (strings,
    # decimals, dates, timestamps in UTC) as a String. The rows come as
    # JSON, without types: a float with an integral value (3.0) arrives as
    # an Integer (3), and of two columns with the same name the last one
    # wins. The whole result is held in memory.
    #
    # params binds $1, $2, ... or ?: Integer (BIGINT), Float (DOUBLE),
    # String, true, false or nil; anything else is a TypeError.
    #
    # Raises QueryError (syntax; unknown table or column: the message gives
    # the position and what exists), ReadOnlyError (INSERT, UPDATE, ...),
    # InvalidArgumentError.
    def query(sql, params = [])
      raise TypeError, "snapdb: the SQL must be a String, not #{sql.class}" unless sql.is_a?(String)

      s = SnapDB.utf8(sql, "the SQL")
      p = SnapDB.encode_params(params)
      sbuf = Native.buffer(s)
      pbuf = p && Native.buffer(p)
      JSON.parse(Native.call_json(:snap_db_query_json, handle, sbuf, s.bytesize, pbuf, p ? p.bytesize : 0))
    end

    # save writes the snapshot this DB serves to path: a single .snap file
    # when path ends in ".snap", a directory otherwise, atomically. An
    # existing snapshot at path is replaced only with overwrite: true;
    # anything else there is never replaced (ExistsError). Returns the
    # saved snapshot's summary (its keys are in SnapDB's doc).
    def save(path, overwrite: false)
      meta = Native::SnapshotMeta.for_call
      flags = overwrite ? Native::SAVE_OVERWRITE : 0
      Native.call(:snap_db_save_snapshot, handle, Native.cstring(path), flags, meta.pointer)
      meta.to_h
    end

    # load makes this DB serve the snapshot at path instead; on failure the
    # old one keeps serving. Returns the new snapshot's summary. (#path
    # stays the path the DB was opened from.)
    def load(path)
      meta = Native::SnapshotMeta.for_call
      Native.call(:snap_db_load_snapshot, handle, Native.cstring(path), meta.pointer)
      meta.to_h
    end

    # verify re-hashes every file of the snapshot and returns the report
    # (files checked, bytes, problems). When a file disagrees with the
    # manifest it raises IntegrityError, whose #report is the report.
    def verify
      JSON.parse(Native.call_json(:snap_db_verify, handle))
    end

    # nlp_match finds the entity names of the snapshot's automaton in text
    # and returns an Array of Mention: leftmost-longest and
    # non-overlapping, or with all: true every candidate mention, overlaps
    # included. Raises NoNLPError when the snapshot has no usable
    # automaton.
    def nlp_match(text, all: false)
      raise TypeError, "snapdb: the text must be a String, not #{text.class}" unless text.is_a?(String)

      t = text.encoding == Encoding::UTF_8 || text.encoding == Encoding::BINARY ? text : text.encode(Encoding::UTF_8)
      flags = all ? Native::MATCH_ALL : 0
      js = Native.call_json(:snap_nlp_match, handle, Native.buffer(t), t.bytesize, flags)
      JSON.parse(js).map do |m|
        cands = m["candidates"].map do |c|
          Candidate.new(c["entityId"], c["entityType"], c["aliasType"], c["alias"])
        end
        Mention.new(m["start"], m["end"], m["startRune"], m["endRune"], m["text"], cands)
      end
    end

    def inspect
      "#<#{self.class} #{@path}#{closed? ? ' (closed)' : ''}>"
    end
    alias to_s inspect

    # The C handle, for callers of SnapDB::Native; raises ClosedError after
    # #close.
    def handle
      h = @handle.value
      raise ClosedError, "snapdb: the database #{@path} is closed" if h.nil?

      Native.check_fork!
      h
    end

    # Handle holds a DB's C handle; it is also the DB's finalizer, so it
    # must not refer to the DB. The finalizer closes a handle the program
    # dropped without #close, ignoring errors (there is no one to report
    # them to), and never in a child forked after the library was loaded.
    class Handle # :nodoc:
      def initialize(handle)
        @value = handle
        @lock = Mutex.new
      end

      attr_reader :value

      # take returns the handle and forgets it, once.
      def take
        @lock.synchronize do
          h = @value
          @value = nil
          h
        end
      end

      def call(_object_id)
        h = @value
        @value = nil
        return if h.nil? || !Native.usable?

        Native.snap_db_close(h, nil)
      rescue StandardError
        nil
      end
    end
  end
end
