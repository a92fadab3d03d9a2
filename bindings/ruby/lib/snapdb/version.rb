# frozen_string_literal: true

module SnapDB
  # The version of this gem (libsnap.so's is SnapDB.library_version).
  VERSION = "0.1.0"
end
