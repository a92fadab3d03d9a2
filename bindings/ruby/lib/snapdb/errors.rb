# frozen_string_literal: true

module SnapDB
  # Error is every failure the library reports: #code is the SNAP_ERR_*
  # status code of snap.h (failures the binding detects itself, such as
  # ClosedError and ForkError, carry the code of the status they stand
  # for), #message the library's message naming the file, table or SQL
  # position at fault. Each status code has its own subclass,
  # so `rescue SnapDB::QueryError` catches exactly SNAP_ERR_QUERY.
  class Error < StandardError
    CODE = nil

    # The status code (Integer), as in snap.h; nil only for an Error made
    # without one.
    attr_reader :code

    # The JSON document the call still produced along with the error,
    # parsed (the report of a failed #verify), or nil.
    attr_reader :report

    def initialize(message = nil, code: self.class::CODE, report: nil)
      super(message || SnapDB.status_name(code))
      @code = code
      @report = report
    end

    # The short name of #code ("query error", "bad handle", ...).
    def status
      SnapDB.status_name(code)
    end

    # The Error subclass for a status code: Error itself for a code this
    # binding does not know.
    def self.for_code(code)
      CLASSES.fetch(code, Error)
    end
  end

  class InvalidArgumentError < Error; CODE = 1; end  # SNAP_ERR_INVALID_ARGUMENT
  class BadHandleError < Error; CODE = 2; end        # SNAP_ERR_BAD_HANDLE
  class NotFoundError < Error; CODE = 3; end         # SNAP_ERR_NOT_FOUND
  class IOError < Error; CODE = 4; end               # SNAP_ERR_IO
  class IntegrityError < Error; CODE = 5; end        # SNAP_ERR_INTEGRITY
  class QueryError < Error; CODE = 6; end            # SNAP_ERR_QUERY
  class ReadOnlyError < Error; CODE = 7; end         # SNAP_ERR_READ_ONLY
  class NoNLPError < Error; CODE = 8; end            # SNAP_ERR_NO_NLP
  class UnsupportedError < Error; CODE = 9; end      # SNAP_ERR_UNSUPPORTED
  class ExistsError < Error; CODE = 10; end          # SNAP_ERR_EXISTS
  class InternalError < Error; CODE = 11; end        # SNAP_ERR_INTERNAL

  # ClosedError is a call on a DB after #close: the Ruby side of
  # SNAP_ERR_BAD_HANDLE (a BadHandleError, code 2), raised before the call
  # reaches the library.
  class ClosedError < BadHandleError; end

  # ForkError is a call in a child forked after libsnap.so was loaded: the
  # Go runtime inside it does not survive fork(), so the binding refuses
  # instead of hanging. Load the library (the first SnapDB call) after
  # forking. It is an InternalError (#code 11, SNAP_ERR_INTERNAL): as after
  # a panic inside the library, nothing in this process may call it again.
  # (Python's binding raises SnapInternalError in the same case.)
  class ForkError < InternalError; end

  class Error
    CLASSES = [InvalidArgumentError, BadHandleError, NotFoundError, IOError, IntegrityError,
               QueryError, ReadOnlyError, NoNLPError, UnsupportedError, ExistsError,
               InternalError].to_h { |c| [c::CODE, c] }.freeze
  end

  STATUS_NAMES = {
    0 => "ok", 1 => "invalid argument", 2 => "bad handle", 3 => "not found", 4 => "I/O error",
    5 => "integrity error", 6 => "query error", 7 => "read-only", 8 => "no NLP automaton",
    9 => "unsupported", 10 => "exists", 11 => "internal error"
  }.freeze

  # status_name(code) is the short name of a status code, as
  # snap_status_name gives it, without loading the library.
  def self.status_name(code)
    code.nil? ? "no status code" : STATUS_NAMES.fetch(code, "unknown status")
  end
end
