package nlp

// DefaultStopWords is the stop-word list Build uses when
// BuildOptions.StopWords is nil: common English words that are also gene
// symbols, abbreviations or codes in biomedical dictionaries (WAS, CAN, NOT,
// SET, CAT, MAP, ALL, ...), so that indexing them would turn ordinary prose
// into a stream of false mentions. The list is compared after
// normalisation, so case does not matter. It is a variable for reference
// only: Build reads it when the options leave StopWords nil, and the list
// actually used is recorded in the file.
var DefaultStopWords = []string{
	// Two-letter words: only matter when MinLength is lowered below 3.
	"am", "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is",
	"it", "me", "my", "no", "of", "on", "or", "so", "to", "up", "us", "we",
	// Function words.
	"all", "and", "any", "are", "but", "can", "did", "few", "for", "had",
	"has", "her", "him", "his", "how", "its", "may", "nor", "not", "now",
	"off", "one", "our", "out", "own", "per", "she", "the", "too", "two",
	"via", "was", "way", "who", "why", "yes", "yet", "you",
	"also", "been", "both", "does", "done", "each", "even", "from", "have",
	"here", "into", "just", "less", "like", "made", "make", "many", "more",
	"most", "much", "must", "only", "over", "same", "some", "such", "than",
	"that", "them", "then", "they", "this", "very", "were", "what", "when",
	"will", "with", "about", "after", "among", "could", "other", "these",
	"those", "under", "where", "which", "while", "would",
	// Common nouns, verbs and adjectives that are gene symbols or
	// abbreviations (cat: catalase; set; map; met; ret; kit; ...).
	"act", "age", "aid", "aim", "air", "arm", "art", "bad", "bed", "big",
	"box", "car", "cat", "cut", "day", "end", "eye", "far", "fat", "fit",
	"gap", "get", "got", "hip", "hot", "key", "kit", "lab", "lay", "led",
	"let", "low", "man", "map", "men", "met", "mix", "new", "odd", "old",
	"pan", "pin", "put", "ran", "raw", "red", "ret", "run", "sad", "saw",
	"say", "see", "set", "sex", "six", "son", "sum", "ten", "tip", "top",
	"use", "war", "wet", "win",
	"able", "camp", "cell", "face", "fast", "free", "good", "hand", "high",
	"large", "late", "long", "mass", "mice", "park", "rest", "role", "step",
	"type", "damage", "impact", "light", "major", "minor",
}
