package nlp

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// refWordAt is wordAt byte by byte, as docs/automaton.md states it.
func refWordAt(text string, i int) (int, uint64) {
	j := i
	for j < len(text) && isASCIIAlnum(text[j]) {
		j++
	}
	w := strings.ToLower(text[i:j])
	h := uint64(0)
	for len(w) > 0 {
		var piece [8]byte
		n := copy(piece[:], w)
		w = w[n:]
		c := uint64(0)
		for k := 7; k >= 0; k-- {
			c = c<<8 | uint64(piece[k])
		}
		h = (h ^ c) * hashMul1
		h ^= h >> 32
	}
	h ^= uint64(j-i) * hashSeed
	h ^= h >> 29
	h *= hashMul2
	return j, h ^ h>>32
}

// TestWordAt: the 8-bytes-at-a-time word scan and hash agree with the
// byte-by-byte definition at every offset of random ASCII-heavy text, and
// a word hashes the same in any case.
func TestWordAt(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abcXYZ09az AZ-_/.,;:'\x00\x7f\x80\xc3\xa9\xff@[`{"
	for range 2000 {
		b := make([]byte, r.IntN(40))
		for k := range b {
			if r.IntN(3) == 0 {
				b[k] = byte(r.IntN(256))
			} else {
				b[k] = alphabet[r.IntN(len(alphabet))]
			}
		}
		text := string(b)
		for i := range len(text) {
			j, h := wordAt(text, i)
			rj, rh := refWordAt(text, i)
			if j != rj || (j > i && h != rh) {
				t.Fatalf("wordAt(%q, %d) = %d, %#x; want %d, %#x", text, i, j, h, rj, rh)
			}
		}
	}
	for _, w := range []string{"tnf", "BRCA1", "Interleukin", "abcdefgh", "ABCDEFGHIJKLMNOPQ12345"} {
		if wordHash(w) != wordHash(strings.ToLower(w)) || wordHash(w) != wordHash(strings.ToUpper(w)) {
			t.Errorf("wordHash(%q) depends on case", w)
		}
	}
	for c := range 256 {
		want := c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		x := uint64(c) | uint64('a')<<8
		if got := nonAlnum(x)&0x80 == 0; got != want {
			t.Errorf("nonAlnum says byte %#x is alnum: %v, want %v", c, got, want)
		}
	}
}
