package manifest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/snapdb/snapdb/manifest"
)

func TestDuplicateKeysAnywhere(t *testing.T) {
	const head = `{"format":"snapdb","format_version":1,"tables":{"t":{"file":"t.parquet","rows":1,"bytes":1,"blake3":"` +
		"0000000000000000000000000000000000000000000000000000000000000000" + `"}}`
	tests := []struct {
		name   string
		data   string
		wantIn string // "" means the manifest is valid
	}{
		{"nested in an unknown field", head + `,"x":{"a":1,"b":{"c":1,"c":2}}}`, `duplicate key "c" in x.b`},
		{"in a list in an unknown field", head + `,"x":[{"k":1},{"k":1,"k":2}]}`, `duplicate key "k" in x[1]`},
		{"escaped spelling of the same key", head + `,"x":{"a":1,"\u0061":2}}`, `duplicate key "a" in x`},
		{"escaped quote in a key", head + `,"x":{"a\"b":1,"a\u0022b":2}}`, `duplicate key "a\"b" in x`},
		{"same key in sibling objects is fine", head + `,"x":{"a":{"k":1},"b":{"k":1}}}`, ""},
		{"key text inside a string value is fine", head + `,"x":{"a":"\"a\":1","b":"a"}}`, ""},
		{"deep nesting", head + `,"x":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`, "nested deeper than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := manifest.Parse([]byte(tt.data))
			if tt.wantIn == "" {
				if err != nil {
					t.Fatalf("Parse() error = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, manifest.ErrInvalid) || !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("Parse() error = %v, want ErrInvalid containing %q", err, tt.wantIn)
			}
		})
	}
}
