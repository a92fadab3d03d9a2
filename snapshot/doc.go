// Package snapshot writes, opens, verifies, copies and serves snapdb
// snapshots: immutable, point-in-time sets of tables stored as Parquet with
// a manifest (see package manifest) that records every file's size, row
// count and hashes.
//
// # Basics
//
// A snapshot is a directory (manifest.json plus one <table>.parquet per
// table, and optionally nlp/) or a single .snap container file holding the
// same bytes (docs/container.md). Open accepts either, or a parquet:/// or
// snap:/// URI, and reads only the manifest and the Parquet footers, so it
// takes milliseconds whatever the size of the data:
//
//	db, err := snapshot.Open("/data/igem-2026-11-01", nil)
//	defer db.Close()
//	rdr, err := db.ReadTable(ctx, "genes", []string{"symbol"}, 0) // an array.RecordReader
//
// Create writes a new snapshot: WriteTable streams Arrow record batches into
// Parquet (zstd by default), hashing the bytes as they are written; Commit
// makes the snapshot appear at its path in one rename, manifest included.
// Verify and VerifyPath re-hash every file. Save writes an open snapshot
// elsewhere (a directory or a .snap, all tables or some), Pack and Unpack
// convert between the two forms, Restore copies a snapshot onto local
// storage verifying it as it goes, and Load swaps the snapshot a DB serves
// for another.
//
// # Caveats
//
// A DB is safe for concurrent use; a record reader is for one goroutine. A
// reader keeps the snapshot it reads open until it is released, even after
// Load or Close, so release readers promptly. Every write to disk is atomic:
// a crash leaves at the target either what was there before or the
// complete new snapshot, and temporary files of a killed writer (named
// .<name>.snapdb-tmp-<pid>-<random>) are removed by the next writer to the
// same target. Nothing ever overwrites a directory or file that is not a
// snapshot. Open checks sizes and row counts but does not re-hash the data:
// use Options.VerifyOnOpen or Verify for that.
package snapshot
