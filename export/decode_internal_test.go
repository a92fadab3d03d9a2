package export

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// numericBytes encodes a binary numeric the way numeric_send does.
func numericBytes(weight int16, sign uint16, dscale int16, digits ...int16) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(len(digits)))
	b = binary.BigEndian.AppendUint16(b, uint16(weight))
	b = binary.BigEndian.AppendUint16(b, sign)
	b = binary.BigEndian.AppendUint16(b, uint16(dscale))
	for _, d := range digits {
		b = binary.BigEndian.AppendUint16(b, uint16(d))
	}
	return b
}

func TestNumeric(t *testing.T) {
	cases := []struct {
		name        string
		v           []byte
		prec, scale int32
		text        string
		dec         string // "" when the decimal conversion must fail
	}{
		{"zero", numericBytes(0, numericPos, 2), 10, 2, "0.00", "0.00"},
		{"1.5", numericBytes(0, numericPos, 1, 1, 5000), 10, 2, "1.5", "1.50"},
		{"-12.34", numericBytes(0, numericNeg, 2, 12, 3400), 10, 2, "-12.34", "-12.34"},
		{"10000", numericBytes(1, numericPos, 0, 1), 10, 0, "10000", "10000"},
		{"0.0001", numericBytes(-1, numericPos, 4, 1), 10, 4, "0.0001", "0.0001"},
		{"0.00000001", numericBytes(-2, numericPos, 8, 1), 10, 8, "0.00000001", "0.00000001"},
		{"38 nines", numericBytes(9, numericPos, 0, 99, 9999, 9999, 9999, 9999, 9999, 9999, 9999, 9999, 9999), 38, 0,
			"99999999999999999999999999999999999999", "99999999999999999999999999999999999999"},
		{"too wide", numericBytes(2, numericPos, 0, 1), 8, 0, "100000000", ""},
		{"too many fractional digits", numericBytes(-1, numericPos, 4, 1), 10, 2, "0.0001", ""},
		{"NaN", numericBytes(0, numericNaN, 0), 10, 2, "NaN", ""},
		{"Infinity", numericBytes(0, numericPInf, 0), 10, 2, "Infinity", ""},
		{"-Infinity", numericBytes(0, numericNInf, 0), 10, 2, "-Infinity", ""},
		{"big integer then fraction", numericBytes(4, numericPos, 10, 1234, 5678, 9012, 3456, 7890, 123, 4567, 8900), 38, 10,
			"12345678901234567890.0123456789", "12345678901234567890.0123456789"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text, err := numericText(nil, c.v, nil)
			if err != nil {
				t.Fatalf("numericText = %v", err)
			}
			if got, want := string(text), c.text; got != want {
				t.Errorf("numericText = %q, want %q", got, want)
			}
			d, err := numericDecimal(c.v, c.prec, c.scale, nil)
			if c.dec == "" {
				if err == nil {
					t.Errorf("numericDecimal(%d, %d) = %s, want an error", c.prec, c.scale, d.ToString(c.scale))
				}
				return
			}
			if err != nil {
				t.Fatalf("numericDecimal(%d, %d) = %v", c.prec, c.scale, err)
			}
			if got, want := d.ToString(c.scale), c.dec; got != want {
				t.Errorf("numericDecimal(%d, %d) = %s, want %s", c.prec, c.scale, got, want)
			}
		})
	}
}

func TestNumericKind(t *testing.T) {
	typmod := func(p, s int32) int32 { return (p<<16 | s&0x7ff) + 4 }
	cases := []struct {
		typmod int32
		want   pgKind
	}{
		{-1, pgKind{id: pgNumericText}},
		{typmod(10, 2), pgKind{id: pgDecimal, prec: 10, scale: 2}},
		{typmod(38, 38), pgKind{id: pgDecimal, prec: 38, scale: 38}},
		{typmod(39, 0), pgKind{id: pgNumericText}},
		{typmod(5, -2), pgKind{id: pgNumericText}}, // PostgreSQL 15: negative scale
		{typmod(2, 5), pgKind{id: pgNumericText}},  // scale above precision
	}
	for _, c := range cases {
		if got := numericKind(c.typmod); !cmp.Equal(got, c.want, cmp.AllowUnexported(pgKind{})) {
			t.Errorf("numericKind(%d) = %+v, want %+v", c.typmod, got, c.want)
		}
	}
}

func TestDecodeArray(t *testing.T) {
	arr := func(ndim int32, dims []int32, elems ...[]byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(ndim))
		b = binary.BigEndian.AppendUint32(b, 0)
		b = binary.BigEndian.AppendUint32(b, 23)
		for _, d := range dims {
			b = binary.BigEndian.AppendUint32(b, uint32(d))
			b = binary.BigEndian.AppendUint32(b, 1)
		}
		for _, e := range elems {
			if e == nil {
				b = binary.BigEndian.AppendUint32(b, math.MaxUint32)
				continue
			}
			b = binary.BigEndian.AppendUint32(b, uint32(len(e)))
			b = append(b, e...)
		}
		return b
	}
	collect := func(v []byte) ([][]byte, error) {
		a, err := decodeArray(v)
		if err != nil {
			return nil, err
		}
		var out [][]byte
		for {
			e, ok, err := a.next()
			if err != nil || !ok {
				return out, err
			}
			out = append(out, e)
		}
	}
	got, err := collect(arr(1, []int32{3}, []byte{1}, nil, []byte{}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]byte{{1}, nil, {}}, got); diff != "" {
		t.Errorf("elements (-want +got):\n%s", diff)
	}
	if got, err := collect(arr(0, nil)); err != nil || len(got) != 0 {
		t.Errorf("empty array = %v, %v; want no elements", got, err)
	}
	if _, err := collect(arr(2, []int32{1, 1}, []byte{1})); !errors.Is(err, errMultiDim) {
		t.Errorf("2-D array: err = %v, want errMultiDim", err)
	}
	bad := arr(1, []int32{2}, []byte{1}) // says 2, holds 1
	if _, err := collect(bad); err == nil {
		t.Errorf("truncated array: no error")
	}
	extra := append(arr(1, []int32{1}, []byte{1}), 0)
	if _, err := collect(extra); err == nil {
		t.Errorf("array with trailing bytes: no error")
	}
}

func TestDecodeVectorAndUUID(t *testing.T) {
	v := []byte{0, 3, 0, 0}
	for _, f := range []float32{0.5, -1, 3.25} {
		v = binary.BigEndian.AppendUint32(v, math.Float32bits(f))
	}
	var got []float32
	if err := decodeVector(v, func(f float32) { got = append(got, f) }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float32{0.5, -1, 3.25}, got); diff != "" {
		t.Errorf("vector (-want +got):\n%s", diff)
	}
	if err := decodeVector(v[:len(v)-1], func(float32) {}); err == nil {
		t.Errorf("short vector: no error")
	}
	u, err := appendUUID(nil, []byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(u), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"; got != want {
		t.Errorf("uuid = %q, want %q", got, want)
	}
}

func TestSQLiteKindOf(t *testing.T) {
	cases := map[string]sqliteKind{
		"INTEGER": sqInteger, "int": sqInteger, "BIGINT": sqInteger, "UNSIGNED BIG INT": sqInteger, "POINT": sqInteger,
		"TEXT": sqText, "VARCHAR(255)": sqText, "NCHAR(5)": sqText, "clob": sqText,
		"BLOB": sqBlob, "": sqAny, "ANY": sqAny,
		"REAL": sqReal, "DOUBLE": sqReal, "DOUBLE PRECISION": sqReal, "FLOAT": sqReal,
		"NUMERIC": sqNumeric, "DECIMAL(10,5)": sqNumeric, "money": sqNumeric,
		"BOOLEAN": sqBool, "bool": sqBool, "DATE": sqDate, "DATETIME": sqDateTime, "timestamp": sqDateTime, "TIME": sqTime,
	}
	for decl, want := range cases {
		if got := sqliteKindOf(decl); got != want {
			t.Errorf("sqliteKindOf(%q) = %d, want %d", decl, got, want)
		}
	}
}

func TestParseSource(t *testing.T) {
	cases := []struct {
		in   string
		want Source
		err  bool
	}{
		{in: "postgres://u:p@h/db", want: Source{Engine: EnginePostgres, DSN: "postgres://u:p@h/db"}},
		{in: "postgresql://h/db?sslmode=disable", want: Source{Engine: EnginePostgres, DSN: "postgresql://h/db?sslmode=disable"}},
		{in: "sqlite:///tmp/x.db", want: Source{Engine: EngineSQLite, Path: "/tmp/x.db"}},
		{in: "sqlite:////tmp/x.db", want: Source{Engine: EngineSQLite, Path: "/tmp/x.db"}},
		{in: "sqlite:rel/x.db", want: Source{Engine: EngineSQLite, Path: "rel/x.db"}},
		{in: "sqlite:///tmp/a%20b%3F.db", want: Source{Engine: EngineSQLite, Path: "/tmp/a b?.db"}},
		{in: "genes.sqlite3", want: Source{Engine: EngineSQLite, Path: "genes.sqlite3"}},
		{in: "/data/IGEM.DB", want: Source{Engine: EngineSQLite, Path: "/data/IGEM.DB"}},
		{in: "sqlite:///tmp/x.db?mode=rw", err: true},
		{in: "sqlite://", err: true},
		{in: "mysql://u:secret@h/db", err: true},
		{in: "genes.csv", err: true},
		{in: "", err: true},
	}
	for _, c := range cases {
		got, err := ParseSource(c.in)
		if c.err {
			if !errors.Is(err, ErrSource) {
				t.Errorf("ParseSource(%q) = %+v, %v; want ErrSource", c.in, got, err)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("ParseSource(%q) error shows the password: %v", c.in, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseSource(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestParseSQLiteDateTime(t *testing.T) {
	cases := map[string]string{
		"2024-02-29 13:14:15":        "2024-02-29T13:14:15Z",
		"2024-02-29T13:14:15.5":      "2024-02-29T13:14:15.5Z",
		"2024-02-29 13:14":           "2024-02-29T13:14:00Z",
		"2024-02-29":                 "2024-02-29T00:00:00Z",
		"2024-02-29 13:14:15Z":       "2024-02-29T13:14:15Z",
		"2024-02-29 13:14:15-05:30":  "2024-02-29T18:44:15Z",
		"2024-02-29 13:14:15.123456": "2024-02-29T13:14:15.123456Z",
	}
	for in, want := range cases {
		us, err := parseSQLiteDateTime(in)
		if err != nil {
			t.Errorf("parseSQLiteDateTime(%q) = %v", in, err)
			continue
		}
		if got := time.UnixMicro(us).UTC().Format(time.RFC3339Nano); got != want {
			t.Errorf("parseSQLiteDateTime(%q) = %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2024-13-01", "2024-02-29 25:00", "2024-02-29 10:00+99:00"} {
		if _, err := parseSQLiteDateTime(bad); err == nil {
			t.Errorf("parseSQLiteDateTime(%q): no error", bad)
		}
	}
}

// Fuzz targets: every decoder of bytes from outside.

func FuzzNumeric(f *testing.F) {
	f.Add(numericBytes(0, numericPos, 2, 12, 3400))
	f.Add(numericBytes(9, numericPos, 0, 99, 9999, 9999, 9999, 9999, 9999, 9999, 9999, 9999, 9999))
	f.Add(numericBytes(-2, numericNeg, 8, 1))
	f.Add(numericBytes(0, numericNaN, 0))
	f.Add(numericBytes(4, numericPos, 10, 1234, 5678, 9012, 3456, 7890, 123, 4567, 8900))
	f.Fuzz(func(t *testing.T, v []byte) {
		text, terr := numericText(nil, v, nil)
		n, err := decodeNumeric(v, nil)
		if (err == nil) != (terr == nil) {
			t.Fatalf("decodeNumeric err %v, numericText err %v", err, terr)
		}
		if err != nil || n.special() != "" || n.dscale > 38 {
			return
		}
		nd := len(n.digits)
		if nd > 0 && (n.digits[0] == 0 || n.digits[nd-1] == 0) {
			return // not normalised: the server never sends it
		}
		d, derr := numericDecimal(v, 38, int32(n.dscale), nil)
		if derr != nil {
			return // too wide, or digits beyond the display scale
		}
		if got, want := d.ToString(int32(n.dscale)), string(text); got != want {
			t.Fatalf("decimal %s, text %s", got, want)
		}
	})
}

func FuzzArray(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 7, 255, 255, 255, 255})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23})
	f.Fuzz(func(t *testing.T, v []byte) {
		a, err := decodeArray(v)
		if err != nil {
			return
		}
		for i := 0; i <= len(v); i++ {
			e, ok, err := a.next()
			if err != nil || !ok {
				return
			}
			if len(e) > len(v) {
				t.Fatalf("element of %d bytes from %d", len(e), len(v))
			}
		}
		t.Fatalf("more elements than bytes")
	})
}

func FuzzBinaryValues(f *testing.F) {
	f.Add([]byte{0, 2, 0, 0, 63, 128, 0, 0, 64, 0, 0, 0})
	f.Add(make([]byte, 16))
	f.Fuzz(func(t *testing.T, v []byte) {
		decodeVector(v, func(float32) {})
		decodeInterval(v)
		appendUUID(nil, v)
	})
}

func FuzzParseSource(f *testing.F) {
	for _, s := range []string{"postgres://u:p@h/db", "sqlite:///tmp/x.db", "sqlite:rel.db", "x.sqlite", "sqlite:%zz", "mysql://a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		src, err := ParseSource(s)
		if err != nil {
			if !errors.Is(err, ErrSource) {
				t.Fatalf("ParseSource(%q) error %v does not wrap ErrSource", s, err)
			}
			return
		}
		switch src.Engine {
		case EnginePostgres:
			if src.DSN != s {
				t.Fatalf("DSN %q, want %q", src.DSN, s)
			}
		case EngineSQLite:
			if src.Path == "" || strings.ContainsRune(src.Path, 0) {
				t.Fatalf("ParseSource(%q): path %q", s, src.Path)
			}
		default:
			t.Fatalf("ParseSource(%q): engine %q", s, src.Engine)
		}
	})
}

func FuzzSQLiteDateTime(f *testing.F) {
	for _, s := range []string{"2024-02-29 13:14:15", "2024-02-29T13:14:15.5Z", "2024-02-29 13:14:15-05:30", "2024-02-29"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parseSQLiteTime(s)
		parseSQLiteDate(s)
		us, err := parseSQLiteDateTime(s)
		if err != nil {
			return
		}
		// What parses formats back to a value that parses the same.
		again, err := parseSQLiteDateTime(time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05.999999"))
		if err != nil || again != us {
			t.Fatalf("%q → %d → %d, %v", s, us, again, err)
		}
	})
}
