// Package nlp finds the names of known entities (genes, diseases,
// chemicals, ...) in text. It compiles a dictionary of aliases into a flat,
// versioned, memory-mappable automaton file, opens such a file in constant
// time, and matches text against it on word boundaries. It knows nothing of
// snapshots; the file format is specified in docs/automaton.md.
//
// # Basics
//
// Build (or BuildFile, which writes atomically) reads a sequence of Alias
// values and writes the automaton. Open maps a file read-only; Load does the
// same over bytes already in memory. Match returns the leftmost-longest,
// non-overlapping mentions of a text; MatchAll returns every candidate
// mention, overlaps included. Each Mention carries its offsets in the
// caller's original text, in bytes and in runes, and every entity its alias
// may mean:
//
//	stats, err := nlp.BuildFile("automaton.bin", aliases, nil)
//	a, err := nlp.Open("automaton.bin")
//	defer a.Close()
//	mentions, err := a.Match("High TNF-α levels in Sjögren syndrome")
//
// An Automaton is immutable and safe for concurrent use by many goroutines.
// Open checks only the header (magic, version, header CRC, section bounds)
// and two small metadata sections, so its cost does not depend on the size
// of the dictionary (tens of microseconds with a warm page cache); Verify
// reads every byte and checks every CRC and invariant. Run Verify after building
// and when installing a file, not on every open.
//
// # Normalisation
//
// The same normalisation is applied to every alias at build time and to the
// text at match time, rune by rune:
//
//   - the rune is lower-cased (unicode.ToLower), decomposed with NFKD
//     (golang.org/x/text/unicode/norm; Hangul syllables into their jamo), and
//     each rune of the decomposition lower-cased again ("Ｔ" → "t",
//     "ﬁ" → "fi", "²" → "2", "µ" → "μ");
//   - nonspacing and enclosing marks (Mn, Me) and format characters (Cf, such
//     as a soft hyphen or a zero-width space) are dropped: "Sjögren" →
//     "sjogren", whether the ö is precomposed or not;
//   - '-', '_', '/', every dash (Pd) and connector (Pc), every white-space
//     rune, every control character and every invalid UTF-8 byte become a
//     space, and runs of spaces collapse into one: "TNF-α" → "tnf α",
//     "IL 2 / IL-2" → "il 2 il 2";
//   - every other rune is kept as it is after those steps (punctuation such
//     as parentheses, '.', '+' and the apostrophe stays: "Crohn's" →
//     "crohn's").
//
// An alias's key is its normalised form without leading or trailing spaces
// (Normalize). NormVersion names these rules; it is recorded in the file.
//
// A word character is a rune, after normalisation, that is a Unicode letter
// (category L: Latin, Greek, CJK, ...), a decimal digit (Nd) or a spacing
// combining mark (Mc, part of the letters of scripts such as Devanagari).
// Every other normalised rune (a space, punctuation, a symbol) is a non-word
// character. So Greek letters and digits are word characters: "TNF-α"
// holds two words, "tnf" and "α".
//
// # Matching
//
// A word start is a position of the normalised text at its beginning or just
// after a non-word character; a word end is a position at its end or just
// before a non-word character. A mention is a key that occurs in the
// normalised text starting at a word start (on a rune that is not a space)
// and ending at a word end. Mentions never split a rune of the original
// text: a key must start with the first and end with the last normalised
// rune of original runes (so "1" does not match inside "½" → "1⁄2"). A
// mention's original span runs from its first rune to its last, plus any
// combining marks that follow it directly.
//
// Match walks the trie from each word start that is not inside the previous
// mention and keeps the longest key that ends at a word end (the boundary
// rule is applied before the longest is chosen, so a longer key ending
// inside a word never hides a shorter one that ends at a word end). Because
// every mention starts at a word start, this gives the leftmost-longest
// whole-word result without failure links. MatchAll reports every key that
// starts at a word start and ends at a word end, ordered by start, then
// end.
//
// The candidates of a mention are the entities of its key, sorted by entity
// type, then entity id; each entity appears once per key (when several of
// its aliases normalise to the same key, the one kept has the smallest
// AliasType, then the smallest text).
//
// # Caveats
//
// Match and MatchAll return an error although the text cannot cause one.
// Open checks the header in constant time and every access to a section
// goes through a Go slice of exactly its length, with every index checked
// and every loop bounded (a walk never goes deeper than the longest key), so
// a damaged or hostile file cannot make them read out of bounds: it makes
// them return ErrFormat instead. But the file is memory-mapped, and no
// check can rule out a memory fault: if another process truncates the file
// or rewrites it in place, or the storage fails to read a page, touching
// the mapping raises SIGBUS. Match, MatchAll and Verify run with
// debug.SetPanicOnFault and turn such a fault into ErrFault rather than
// crash the process, and they need an error result to say so.
//
// Every string in a returned Mention or Candidate is a copy: mentions stay
// valid after Close and keep neither the text nor the mapping alive. Close
// must not be called while other goroutines still use the Automaton; after
// Close, Match, MatchAll and Verify return ErrClosed (Options, Info and Path
// still work: they return copies made at Open).
//
// Never rewrite an automaton file in place while it may be open: write a new
// file and rename it over the old one (BuildFile does this), so that open
// mappings keep the old contents. Load keeps the slice it is given; do not
// modify it while the Automaton is in use.
//
// The word rules suit scripts that separate words: in Chinese or Japanese
// text, a run of letters is one word, so an alias matches only a whole run
// ("Behçet病" does not contain "Behçet"). Dropping nonspacing marks also
// drops vowel signs and points in scripts such as Thai or Hebrew (both
// sides lose them alike). Lower-casing is per rune, without case folding:
// a final sigma "ς" stays distinct from "σ".
//
// Build keeps the whole dictionary in memory (200 to 350 bytes per alias at
// its peak). Limits: fewer than 2^32-1 trie states, alias records
// and bytes of alias text; at most 16384 entity types with names of at most
// 255 bytes; aliases of at most 65535 bytes.
package nlp
