// Package export writes a snapdb snapshot from a live SQL database:
// PostgreSQL (through github.com/jackc/pgx/v5) or SQLite (through
// modernc.org/sqlite, no cgo). It lives apart from package snapshot so that
// programs that only read snapshots do not link the database drivers.
//
// # Basics
//
// Export reads every selected table of the source at one point in time and
// streams it, chunk by chunk, into snapshot.Create / WriteTable / Commit:
//
//	meta, err := export.Export(ctx, "postgres://reader@db.internal/igem", "snap-2026-11-01", &export.Options{
//		Exclude: []string{"audit_log"},
//		Workers: 2,
//	})
//
// ExportReport does the same and also returns per-table figures (rows,
// bytes, time, columns exported as text). The source is one of (see
// ParseSource):
//
//   - postgres://… or postgresql://…: the ordinary and partitioned tables
//     of every schema but the system ones (partitions are read through
//     their parent). A table of schema public is named by its name, any
//     other as "schema.table".
//   - sqlite:///abs/path.db, sqlite:rel/path.db, or a path ending in .db,
//     .sqlite or .sqlite3: the tables of sqlite_master (not sqlite_% and
//     not virtual tables). The file is opened read-only.
//
// A table called alembic_version gives the manifest's schema_revision (its
// version_num; several heads are joined with ",") unless
// Options.SchemaRevision is set, and is not exported unless named in
// Options.Tables. The manifest's source records the engine and the
// database name only (for SQLite, the file's base name), never a host,
// user, password or path, plus the server version and the columns exported
// as text.
//
// Column types map as docs/export.md tabulates: integers, floats, booleans,
// text, bytea/BLOB, dates, times and timestamps keep native Arrow types;
// numeric(p,s) with p ≤ 38 becomes decimal128(p,s) and any other numeric a
// string in PostgreSQL's own text form; interval a struct of months, days
// and microseconds; uuid, json, jsonb and enums strings; one-dimensional
// arrays and pgvector vectors lists. A PostgreSQL type with no mapping is
// exported as its text form; it and every numeric exported as text are
// listed in the manifest (source.text_columns) and in the report. SQLite columns map by the affinity of their declared
// type, and a value that does not fit (the text 'abc' in an INTEGER column)
// is an error naming table, column, row and rowid. NULLs are kept.
//
// # Consistency
//
// PostgreSQL: one REPEATABLE READ, READ ONLY transaction; with Workers > 1
// the other connections join it through pg_export_snapshot and SET
// TRANSACTION SNAPSHOT, so every table is read as of the same instant. The
// tables are locked in ACCESS SHARE mode for the duration, as pg_dump does:
// INSERT, UPDATE and DELETE go on unhindered, while ALTER, DROP and
// TRUNCATE of an exported table wait for the export. SQLite: one read
// transaction on one connection.
//
// # Caveats
//
//   - Memory grows with Options.ChunkSize (rows per batch: about three
//     batches per table being read) and the snapshot writer's row group
//     (snapshot.DefaultRowGroupRows rows per table being written), never
//     with table size. Very wide rows call for a smaller ChunkSize. With
//     Options.Mem nil, the buffers of batches already written are kept for
//     the next ones, up to 64 MB per export.
//   - Workers parallelise across tables, not within one: a single large
//     table is read by one connection. Its decoding still overlaps with its
//     Parquet encoding, and the encoding of its columns with each other
//     (tables with only flat columns): GOMAXPROCS goroutines for a remote
//     server, GOMAXPROCS minus the tables read at once for a source on the
//     same machine, whose server needs its cores. Splitting a table into
//     ranges would interleave its row order and, on a small machine,
//     compete with the server for the same cores.
//   - SQLite always reads with one connection, whatever Workers says: a
//     second connection would be a second transaction. In WAL mode writers
//     go on during the export; in rollback-journal mode a writer cannot
//     commit until the export ends (its busy timeout may run out).
//   - ±infinity dates and timestamps keep PostgreSQL's own sentinels, the
//     extreme values of the Arrow type. Multi-dimensional arrays are
//     refused (the error names the row); array lower bounds are not kept.
//     NaN and ±Infinity do not fit decimal128 and are refused the same way
//     (numeric without a precision becomes text and keeps them).
//   - Cancelling ctx stops the export promptly: nothing is left at the
//     target (a snapshot already there is untouched), no temporary
//     directory remains, and the server sessions end.
package export
