# frozen_string_literal: true

require "ffi"

module SnapDB
  # Native is the raw C API of include/snap.h through ruby-ffi: one
  # declaration per function (FUNCTIONS, checked against the header by the
  # tests), the structs, and the helpers the Ruby API calls them with.
  #
  # The library is loaded on first use (Native.load!), not by
  # `require "snapdb"`: libsnap.so embeds the Go runtime, which does not
  # survive fork(), so a preloading server may require the gem and fork
  # as long as no SnapDB call happened before the fork.
  module Native
    extend FFI::Library

    typedef :uint64, :snap_db

    # snap_error: a status code and a message owned by the error.
    class SnapError < FFI::Struct
      layout :code, :int32,
             :message, :pointer
    end

    OPEN_OPTIONS_VERSION = 1 # SNAP_OPEN_OPTIONS_VERSION
    OPEN_VERIFY = 1          # SNAP_OPEN_VERIFY

    # snap_open_options.
    class OpenOptions < FFI::Struct
      layout :struct_version, :uint32,
             :flags, :uint32,
             :threads, :int32
    end

    SNAPSHOT_META_VERSION = 1 # SNAP_SNAPSHOT_META_VERSION
    SAVE_OVERWRITE = 1        # SNAP_SAVE_OVERWRITE
    MATCH_ALL = 1             # SNAP_MATCH_ALL

    # snap_snapshot_meta.
    class SnapshotMeta < FFI::Struct
      layout :struct_version, :uint32,
             :format_version, :uint32,
             :table_count, :uint64,
             :row_count, :uint64,
             :byte_count, :uint64,
             :root_hash, [:char, 65],
             :has_wal_lsn, :int32,
             :wal_lsn, :uint64

      # A zeroed meta with struct_version set, for the library to fill in.
      def self.for_call
        m = new
        m[:struct_version] = SNAPSHOT_META_VERSION
        m
      end

      # The summary as a Hash with String keys named as the struct's
      # fields; "wal_lsn" is nil unless has_wal_lsn.
      def to_h
        {
          "format_version" => self[:format_version],
          "table_count" => self[:table_count],
          "row_count" => self[:row_count],
          "byte_count" => self[:byte_count],
          "root_hash" => self[:root_hash].to_ptr.read_string.force_encoding(Encoding::UTF_8),
          "wal_lsn" => self[:has_wal_lsn] == 1 ? self[:wal_lsn] : nil
        }
      end
    end

    # The Arrow C data and stream interfaces, verbatim from the Arrow spec.
    # The Ruby API returns JSON-decoded rows; these are for callers that
    # hand the stream to an Arrow library, and for the tests.
    class ArrowSchema < FFI::Struct
      layout :format, :pointer, :name, :pointer, :metadata, :pointer,
             :flags, :int64, :n_children, :int64, :children, :pointer,
             :dictionary, :pointer, :release, :pointer, :private_data, :pointer
    end

    class ArrowArray < FFI::Struct
      layout :length, :int64, :null_count, :int64, :offset, :int64,
             :n_buffers, :int64, :n_children, :int64, :buffers, :pointer,
             :children, :pointer, :dictionary, :pointer, :release, :pointer,
             :private_data, :pointer
    end

    class ArrowArrayStream < FFI::Struct
      layout :get_schema, :pointer, :get_next, :pointer, :get_last_error, :pointer,
             :release, :pointer, :private_data, :pointer

      # release calls the stream's release callback, once; a stream whose
      # release is NULL (already released, or never initialised) is left
      # alone.
      def release
        fp = self[:release]
        return if fp.null?

        FFI::Function.new(:void, [:pointer], fp).call(to_ptr)
      end
    end

    # Every function of snap.h: name, argument types, return type, and
    # whether the call may take long (blocking: true releases Ruby's GVL so
    # that other Ruby threads run meanwhile).
    FUNCTIONS = [
      [:snap_version, [], :string, false],
      [:snap_status_name, [:int], :string, false],
      [:snap_free, [:pointer], :void, false],
      [:snap_error_free, [:pointer], :void, false],
      [:snap_stats, %i[pointer pointer pointer], :int, false],
      [:snap_db_open, %i[pointer pointer pointer pointer], :int, true],
      [:snap_db_close, %i[snap_db pointer], :int, false],
      [:snap_db_info, %i[snap_db pointer pointer pointer], :int, false],
      [:snap_db_tables, %i[snap_db pointer pointer pointer], :int, false],
      [:snap_db_query, %i[snap_db pointer size_t pointer size_t pointer pointer], :int, true],
      [:snap_db_query_json, %i[snap_db pointer size_t pointer size_t pointer pointer pointer], :int, true],
      [:snap_db_save_snapshot, %i[snap_db pointer uint32 pointer pointer], :int, true],
      [:snap_db_load_snapshot, %i[snap_db pointer pointer pointer], :int, true],
      [:snap_db_verify, %i[snap_db pointer pointer pointer], :int, true],
      [:snap_nlp_match, %i[snap_db pointer size_t uint32 pointer pointer pointer], :int, true],
      [:snap_nlp_match_arrow, %i[snap_db pointer size_t uint32 pointer pointer], :int, true],
      [:snap_debug_panic, [:pointer], :int, false]
    ].freeze

    LOAD_LOCK = Mutex.new
    @loaded_path = nil
    @pid = nil

    class << self
      # The path of the loaded library, or nil before the first call.
      attr_reader :loaded_path

      # library_path is where libsnap.so is looked for: $SNAPDB_LIBRARY,
      # else a libsnap.so in the gem's lib directory, else the system's
      # (the dynamic loader's search path).
      def library_path
        env = ENV.fetch("SNAPDB_LIBRARY", "")
        return env unless env.empty?

        name = "libsnap.#{FFI::Platform::LIBSUFFIX}"
        bundled = File.expand_path("../#{name}", __dir__)
        File.file?(bundled) ? bundled : name
      end

      def loaded?
        !@loaded_path.nil?
      end

      # load! loads the library and attaches every function, once; later
      # calls only check that this process did not fork since.
      def load!
        if @loaded_path
          check_fork!
          return self
        end
        LOAD_LOCK.synchronize do
          next if @loaded_path

          path = library_path
          begin
            ffi_lib path
          rescue LoadError => e
            raise LoadError, "snapdb: cannot load libsnap (#{path}): #{e.message}; " \
                             "set SNAPDB_LIBRARY to the path of a built libsnap.so (make lib)"
          end
          begin
            FUNCTIONS.each do |name, args, ret, blocking|
              attach_function name, args, ret, blocking: blocking
            end
          rescue FFI::NotFoundError => e
            raise LoadError, "snapdb: #{path} is not the libsnap this binding needs: #{e.message}"
          end
          @pid = Process.pid
          @loaded_path = path
        end
        self
      end

      # check_fork! refuses calls in a child forked after loading: the Go
      # runtime's threads did not survive the fork.
      def check_fork!
        return if @pid.nil? || @pid == Process.pid

        raise ForkError, "snapdb: libsnap.so was loaded in process #{@pid}, before this process " \
                         "(#{Process.pid}) forked from it; the Go runtime does not survive fork(): " \
                         "load it after forking (make the first SnapDB call in the child)"
      end

      # Whether calling into the library is safe in this process: loaded,
      # and not in a forked child.
      def usable?
        !@pid.nil? && @pid == Process.pid
      end

      # call runs a fallible function with a fresh snap_error** as its last
      # argument and raises the matching Error when it fails.
      def call(name, *args)
        load!
        errp = FFI::MemoryPointer.new(:pointer)
        status = public_send(name, *args, errp)
        raise error(status, errp.read_pointer, nil) unless status.zero?

        status
      end

      # call_json runs a function whose last arguments are char **out_json,
      # size_t *out_len and snap_error **err, and returns the JSON text (as
      # a UTF-8 String); the library's buffer is freed. A failure raises,
      # with a JSON document written along with it parsed into the error's
      # #report.
      def call_json(name, *args)
        load!
        out = FFI::MemoryPointer.new(:pointer)
        len = FFI::MemoryPointer.new(:size_t)
        errp = FFI::MemoryPointer.new(:pointer)
        status = public_send(name, *args, out, len, errp)
        text = take_string(out.read_pointer, len.read(:size_t))
        unless status.zero?
          report = begin
            text && JSON.parse(text)
          rescue JSON::ParserError
            nil
          end
          raise error(status, errp.read_pointer, report)
        end
        raise InternalError.new("#{name} succeeded without output", code: 11) if text.nil?

        text
      end

      # buffer copies a Ruby String into memory the Ruby GC neither moves
      # nor frees during a call that releases the GVL.
      def buffer(str)
        mp = FFI::MemoryPointer.new(:char, str.bytesize + 1)
        mp.put_bytes(0, str)
        mp
      end

      # cstring is a path for the library: a NUL-terminated copy.
      def cstring(path)
        path = path.to_path if path.respond_to?(:to_path)
        raise TypeError, "snapdb: a path must be a String or Pathname, not #{path.class}" unless path.is_a?(String)
        raise ArgumentError, "snapdb: a path must not contain a NUL byte: #{path.inspect}" if path.include?("\0")

        # Paths are bytes: UTF-8 and binary ones go as they are, others
        # are transcoded to UTF-8.
        path = path.encode(Encoding::UTF_8) unless [Encoding::UTF_8, Encoding::BINARY, Encoding::US_ASCII].include?(path.encoding)
        buffer(path)
      end

      private

      def take_string(ptr, len)
        return nil if ptr.null?

        ptr.read_string(len).force_encoding(Encoding::UTF_8)
      ensure
        snap_free(ptr) unless ptr.null?
      end

      def error(status, ep, report)
        code = status
        message = nil
        unless ep.null?
          e = SnapError.new(ep)
          code = e[:code]
          message = e[:message].null? ? nil : e[:message].read_string.force_encoding(Encoding::UTF_8)
          snap_error_free(ep)
        end
        message ||= "#{snap_status_name(status)} (status #{status})"
        Error.for_code(code).new(message, code: code, report: report)
      end
    end
  end
end
