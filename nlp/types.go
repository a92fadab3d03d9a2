package nlp

import (
	"fmt"
	"strconv"
)

// AliasType says what kind of name an alias is for its entity.
type AliasType uint8

// Alias types. The order is the order of preference: when several aliases
// of one entity normalise to the same key, the record kept is the one with
// the smallest AliasType.
const (
	Preferred AliasType = iota // the entity's preferred name
	Synonym                    // another name
	Code                       // an identifier or code (e.g. "HGNC:11892")
)

var aliasTypeNames = [...]string{Preferred: "preferred", Synonym: "synonym", Code: "code"}

// String returns "preferred", "synonym" or "code" (or "AliasType(n)" for an
// invalid value).
func (t AliasType) String() string {
	if int(t) < len(aliasTypeNames) {
		return aliasTypeNames[t]
	}
	return "AliasType(" + strconv.Itoa(int(t)) + ")"
}

// ParseAliasType parses "preferred", "synonym" or "code" (exactly, lower
// case) into an AliasType.
func ParseAliasType(s string) (AliasType, error) {
	for i, n := range aliasTypeNames {
		if s == n {
			return AliasType(i), nil
		}
	}
	return 0, fmt.Errorf("nlp: unknown alias type %q (want preferred, synonym or code)", s)
}

func (t AliasType) valid() bool { return t <= Code }

// MarshalText writes the name of the alias type, so that JSON says
// "synonym", not 1.
func (t AliasType) MarshalText() ([]byte, error) {
	if !t.valid() {
		return nil, fmt.Errorf("nlp: invalid alias type %d", uint8(t))
	}
	return []byte(t.String()), nil
}

// UnmarshalText parses the name of an alias type (see ParseAliasType).
func (t *AliasType) UnmarshalText(b []byte) error {
	v, err := ParseAliasType(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Alias is one name of an entity, as given to Build.
type Alias struct {
	Text       string    `json:"text"`       // the name as written, e.g. "TNF-α"; valid UTF-8
	EntityID   int64     `json:"entityId"`   // the entity it names
	EntityType string    `json:"entityType"` // e.g. "gene", "disease"; at most 255 bytes
	Type       AliasType `json:"type"`       // preferred name, synonym or code
}

// Candidate is one entity a mention may mean.
type Candidate struct {
	EntityID   int64     `json:"entityId"`
	EntityType string    `json:"entityType"`
	AliasType  AliasType `json:"aliasType"`
	Alias      string    `json:"alias"` // the alias as given to Build (not normalised)
}

// Mention is one match in a text. Offsets are into the caller's original
// text, not the normalised one: text[Start:End] == Text, and StartRune and
// EndRune count runes (an invalid byte counts as one rune, as in a Go range
// loop). Every string in a Mention is a fresh copy owned by the caller: it
// stays valid after the Automaton is closed and does not keep the text
// alive.
type Mention struct {
	Start      int         `json:"start"` // byte offsets in the original text
	End        int         `json:"end"`
	StartRune  int         `json:"startRune"` // rune offsets in the original text
	EndRune    int         `json:"endRune"`
	Text       string      `json:"text"`
	Candidates []Candidate `json:"candidates"` // at least one; sorted by (EntityType, EntityID)
}

// DefaultMinLength is the minimum length, in runes of the normalised alias,
// used when BuildOptions.MinLength is 0.
const DefaultMinLength = 3

// BuildOptions configures Build. A nil *BuildOptions means defaults. Both
// options are recorded in the file; Automaton.Options returns them.
type BuildOptions struct {
	// MinLength skips aliases whose normalised form has fewer runes (spaces
	// included). 0 means DefaultMinLength; 1 keeps every non-empty alias.
	MinLength int `json:"minLength"`
	// StopWords are aliases never to index (compared after normalisation).
	// nil means DefaultStopWords; an empty, non-nil slice means none.
	StopWords []string `json:"stopWords"`
}

// BuildStats reports what Build did. Read = Kept + Duplicates +
// SkippedEmpty + SkippedShort + SkippedStopWord + SkippedInvalid.
type BuildStats struct {
	Read            int64   `json:"read"`            // aliases read from the sequence
	Kept            int64   `json:"kept"`            // alias records written: one per (key, entity type, entity id)
	Duplicates      int64   `json:"duplicates"`      // aliases folded into a kept record of the same key and entity
	SkippedEmpty    int64   `json:"skippedEmpty"`    // nothing left after normalisation (only separators or marks)
	SkippedShort    int64   `json:"skippedShort"`    // normalised alias shorter than MinLength runes
	SkippedStopWord int64   `json:"skippedStopWord"` // normalised alias is a stop word
	SkippedInvalid  int64   `json:"skippedInvalid"`  // text or entity type not UTF-8; text, or its normal form, over 65535 bytes; entity type over 255 bytes
	Keys            int64   `json:"keys"`            // distinct normalised keys
	States          int64   `json:"states"`          // trie states, the root included
	EntityTypes     int64   `json:"entityTypes"`     // distinct entity types
	Bytes           int64   `json:"bytes"`           // size of the file written
	Seconds         float64 `json:"seconds"`
}
