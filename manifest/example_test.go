package manifest_test

import (
	"fmt"
	"log"
	"os"
	"time"

	"github.com/snapdb/snapdb/manifest"
)

func ExampleParse() {
	data := []byte(`{
  "format": "snapdb",
  "format_version": 1,
  "snapshot_version": "2025-03-01",
  "exported_at": "2025-03-01T13:00:00+01:00",
  "tables": {
    "genes": {
      "file": "genes.parquet",
      "rows": 3,
      "bytes": 1024,
      "blake3": "1465d7cc6bd2486601abc49c22255017ade14ae98bca4ae454ebb050e537c224",
      "columns": [{"name": "id", "type": "int64", "nullable": false}, {"name": "symbol", "type": "utf8"}]
    }
  },
  "x_owner": "data team"
}`)
	m, err := manifest.Parse(data)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Dialect, m.FormatVersion, m.SnapshotVersion, m.ExportedAt)
	for _, t := range m.Tables {
		fmt.Println(t.Name, t.File, t.Rows)
		for _, c := range t.Columns {
			fmt.Printf("  %s %s nullable=%v\n", c.Name, c.Type, c.Nullable)
		}
	}
	fmt.Println("kept:", string(m.Extra["x_owner"]))
	// Output:
	// snapdb 1 2025-03-01 2025-03-01 12:00:00 +0000 UTC
	// genes genes.parquet 3
	//   id int64 nullable=false
	//   symbol utf8 nullable=true
	// kept: "data team"
}

func ExampleManifest_RootHash() {
	m := &manifest.Manifest{
		Dialect:         manifest.DialectSnapDB,
		SnapshotVersion: "2025-03-01",
		ExportedAt:      time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
		Tables: []manifest.Table{{
			Name:   "genes",
			File:   "genes.parquet",
			Rows:   3,
			Bytes:  1024,
			BLAKE3: "1465d7cc6bd2486601abc49c22255017ade14ae98bca4ae454ebb050e537c224",
		}},
	}
	h, err := m.RootHash()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(h), h)
	// Output:
	// 64 f3c358bbd8b2cdf9af9fc7bc03f62a3425da79566200983cd2b7e93cfc3ca32f
}

func ExampleManifest_Write() {
	m := &manifest.Manifest{
		Dialect:         manifest.DialectSnapDB,
		SnapshotVersion: "2025-03-01",
		Tables: []manifest.Table{{
			Name:    "genes",
			File:    "genes.parquet",
			Rows:    3,
			Bytes:   1024,
			BLAKE3:  "1465d7cc6bd2486601abc49c22255017ade14ae98bca4ae454ebb050e537c224",
			Columns: []manifest.Column{{Name: "id", Type: "int64"}},
		}},
	}
	if err := m.Write(os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// {
	//   "duration_seconds": 0,
	//   "format": "snapdb",
	//   "format_version": 1,
	//   "snapshot_version": "2025-03-01",
	//   "tables": {
	//     "genes": {
	//       "blake3": "1465d7cc6bd2486601abc49c22255017ade14ae98bca4ae454ebb050e537c224",
	//       "bytes": 1024,
	//       "columns": [
	//         {
	//           "name": "id",
	//           "nullable": false,
	//           "type": "int64"
	//         }
	//       ],
	//       "file": "genes.parquet",
	//       "rows": 3
	//     }
	//   }
	// }
}
