package nlp

import "math/bits"

// The first-word filter (section first_words, docs/automaton.md): a
// blocked Bloom filter of the first words of the keys, so that the matcher
// can skip, with one hash and one 64-bit load, a word of the text that no
// key starts with, instead of walking the trie into it.
//
// The first word of a key is its longest prefix of ASCII letters and
// digits ([a-z0-9] after normalisation), if that prefix is not empty and
// is followed by the end of the key or by another ASCII byte. A mention
// that starts on a text word made of ASCII letters and digits and followed
// by an ASCII byte (or the end of the text) can only be a key whose first
// word is that text word, lower-cased: the key must end on a word end, so
// it cannot stop inside the word, and it cannot go on with a word
// character where the text has none. Such a word whose hash is not in the
// filter starts no mention. Other keys (those that start with punctuation
// or non-ASCII, or whose first ASCII word runs into a non-ASCII byte) are
// not in the filter; text words not of that form are never tested.

// filterBytes is the size of the filter for k keys: the smallest power of
// two of at least 4 bits per key (and 64 bits), so 4 to 8 bits per key: with
// two bits per word, 5 to 15 % false positives. A bigger filter passes
// fewer words but its probes miss the caches more often: at 5M aliases, 4
// bits per key matched about 10 % faster than 8 (and as fast as 2).
func filterBytes(k uint32) uint64 {
	bits := max(uint64(k)*4, 64)
	n := uint64(8)
	for n*8 < bits {
		n <<= 1
	}
	return n
}

// Hash constants (docs/automaton.md, "The first-word filter").
const (
	hashSeed = 0x9E3779B97F4A7C15
	hashMul1 = 0xFF51AFD7ED558CCD
	hashMul2 = 0xC4CEB9FE1A85EC53
	lowerASC = 0x2020202020202020
	ones     = 0x0101010101010101
	highs    = 0x8080808080808080
	lows7    = 0x7F7F7F7F7F7F7F7F
)

// wordHash hashes a word of ASCII letters and digits (see wordAt).
func wordHash(w string) uint64 {
	_, h := wordAt(w, 0)
	return h
}

// nonAlnum returns, for the 8 bytes of x, 0x80 in each byte that is not an
// ASCII letter or digit and 0 in each that is.
func nonAlnum(x uint64) uint64 {
	x7 := x & lows7
	y7 := x7 | lowerASC
	letter := (y7 + 0x1F*ones) &^ (y7 + 0x05*ones) // 0x61 <= y <= 0x7A
	digit := (x7 + 0x50*ones) &^ (x7 + 0x46*ones)  // 0x30 <= x <= 0x39
	return ^(letter|digit)&highs | x&highs
}

// mix adds the 8-byte piece c to the hash h.
func mix(h, c uint64) uint64 {
	h = (h ^ c) * hashMul1
	return h ^ h>>32
}

// wordAt returns the end j of the run of ASCII letters and digits that
// starts at text[i], and the hash of text[i:j], lower-cased: each piece of
// 8 bytes (the last zero-padded), with every byte ORed with 0x20 (which maps
// A-Z to a-z and leaves a-z and 0-9 as they are), is mixed into the hash;
// the length is mixed in last. It reads 8 bytes at a time where the text
// has them.
func wordAt(text string, i int) (int, uint64) {
	h := uint64(0)
	k := i
	for k+8 <= len(text) {
		x := load64(text[k:])
		na := nonAlnum(x)
		if na == 0 {
			h = mix(h, x|lowerASC)
			k += 8
			continue
		}
		r := bits.TrailingZeros64(na) >> 3
		if r > 0 {
			mask := uint64(1)<<(8*r) - 1
			h = mix(h, (x|lowerASC)&mask)
			k += r
		}
		return k, finish(h, k-i)
	}
	// Fewer than 8 bytes left.
	var x uint64
	r := 0
	for k+r < len(text) && isAlnum[text[k+r]] {
		x |= uint64(text[k+r]|0x20) << (8 * r)
		r++
	}
	if r > 0 {
		h = mix(h, x)
		k += r
	}
	return k, finish(h, k-i)
}

// finish mixes in the length and scrambles the bits.
func finish(h uint64, n int) uint64 {
	h ^= uint64(n) * hashSeed
	h ^= h >> 29
	h *= hashMul2
	return h ^ h>>32
}

// filterProbe returns the index of the 64-bit word of a filter of n words
// (a power of two) and the mask of the two bits that hash h sets in it.
func filterProbe(h uint64, n uint64) (uint64, uint64) {
	return h & (n - 1), 1<<(h>>52&63) | 1<<(h>>58&63)
}

// keyFirstWord returns the first word of a normalised key, or false if the
// key has none (see above).
func keyFirstWord(key []byte) ([]byte, bool) {
	i := 0
	for i < len(key) && isASCIIAlnum(key[i]) {
		i++
	}
	if i == 0 || i < len(key) && key[i] >= 0x80 {
		return nil, false
	}
	return key[:i], true
}

// isAlnum says which bytes are ASCII letters and digits.
var isAlnum = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	return t
}()

func isASCIIAlnum(c byte) bool { return isAlnum[c] }

// addToFilter sets the bits of word w in filter f.
func addToFilter(f []uint64, w []byte) {
	i, m := filterProbe(wordHash(string(w)), uint64(len(f)))
	f[i] |= m
}

// mayStart reports whether some key may start with the text word of hash
// h (wordAt).
func (a *Automaton) mayStart(h uint64) bool {
	fw := a.firstWords
	i, m := filterProbe(h, uint64(len(fw)/8))
	return le.Uint64(fw[i*8:])&m == m
}

// load64 reads the first 8 bytes of s, little-endian (one load: the
// compiler combines the shifts).
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
