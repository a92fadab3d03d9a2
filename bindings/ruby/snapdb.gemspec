# frozen_string_literal: true

require_relative "lib/snapdb/version"

Gem::Specification.new do |s|
  s.name = "snapdb"
  s.version = SnapDB::VERSION
  s.summary = "Ruby binding of snapdb: immutable database snapshots, read-only SQL, entity matching"
  s.description = "Opens snapdb snapshots (Parquet tables and a manifest) through libsnap.so " \
                  "(include/snap.h) with ruby-ffi: read-only SQL with parameters, info, verify, " \
                  "save and load, and entity-name matching with the snapshot's automaton."
  s.authors = ["snapdb authors"]
  s.homepage = "https://github.com/snapdb/snapdb"
  s.required_ruby_version = ">= 3.1"
  s.files = Dir["lib/**/*.rb"] + Dir["lib/libsnap.so"] + ["README.md"]
  s.require_paths = ["lib"]
  s.add_dependency "ffi", ">= 1.15"
  s.add_development_dependency "minitest", ">= 5.17"
end
