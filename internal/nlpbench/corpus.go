// Package nlpbench generates the alias dictionaries and texts the NLP
// benchmarks use — biomedical-like names at millions of aliases, and text
// with about one mention per 200 bytes — deterministically from a seed, so
// that every matcher measured (ours, pyahocorasick) reads the same data.
package nlpbench

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Alias is one generated alias.
type Alias struct {
	Text       string
	EntityID   int64
	EntityType string // gene, chemical, disease, word
	AliasType  string // preferred, synonym, code
}

var (
	geneRoots = []string{"BRC", "TP", "ZNF", "KRT", "SLC", "CYP", "HLA", "IL", "TNF", "MAP", "COL", "ABC",
		"ATP", "CDK", "FOX", "GPR", "HOX", "KCN", "MYO", "NOT", "OR", "PAX", "RAB", "SOX", "TMEM", "UGT", "WNT"}
	chemParts = []string{"methyl", "ethyl", "propyl", "butyl", "chloro", "bromo", "fluoro", "hydroxy", "amino",
		"nitro", "phenyl", "benz", "ox", "thio", "carb", "sulf", "cyclo", "hexa", "penta", "tri", "di", "acet"}
	chemEnds = []string{"ane", "ene", "ol", "one", "ide", "ate", "ine", "amide", "acid", "ester", "oxide"}
	disWords = []string{"syndrome", "disease", "deficiency", "cardiomyopathy", "dystrophy", "carcinoma", "anemia",
		"neuropathy", "fibrosis", "ataxia", "dysplasia", "leukemia", "lymphoma", "myopathy", "sclerosis"}
	disAdj = []string{"familial", "hereditary", "congenital", "juvenile", "progressive", "autosomal",
		"hypertrophic", "dilated", "spinal", "cerebral", "renal", "hepatic", "chronic", "acute", "Sjögren"}
	greek = []string{"α", "β", "γ", "δ", "κ"}
	words = strings.Fields(`time year people way day man thing woman life child world school state family
		student group country problem hand part place case week company system program question work government
		number night point home water room mother area money story fact month lot right study book eye job word
		business issue side kind head house service friend father power hour game line end member law car city
		community name president team minute idea kid body information back parent face others level office door
		health person art war history party result change morning reason research girl guy moment air teacher
		force education foot boy age policy process music market sense nation plan college interest death
		experience effect use class control care field development role effort rate heart drug show leader light
		voice wife police mind price report decision son view relationship town road arm difference value building
		action model season society tax director position player record paper space ground form event official`)
)

// AliasAt returns alias i of the dictionary of the given seed: the same
// alias every time, without generating the others. About 20 % are English
// words, the rest gene symbols and synonyms, chemical names, disease names
// and codes; the average is about 21 bytes.
func AliasAt(seed uint64, i int64) Alias {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	id := i/3 + 1 // about three aliases per entity
	switch k := r.IntN(100); {
	case k < 20:
		w := words[r.IntN(len(words))]
		for n := r.IntN(3); n > 0; n-- {
			w += " " + words[r.IntN(len(words))]
		}
		return Alias{Text: w + " " + strconv.FormatInt(i%997, 10), EntityID: id, EntityType: "word", AliasType: "synonym"}
	case k < 45:
		sym := geneRoots[r.IntN(len(geneRoots))] + strconv.FormatInt(i%100000, 10)
		switch r.IntN(4) {
		case 0:
			sym += "-" + greek[r.IntN(len(greek))]
		case 1:
			sym = strings.ToLower(sym[:1]) + sym[1:] + " protein"
		case 2:
			sym += " " + words[r.IntN(len(words))] + " factor"
		}
		return Alias{Text: sym, EntityID: id, EntityType: "gene", AliasType: pick(r, "preferred", "synonym")}
	case k < 70:
		var b strings.Builder
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "%d-", 1+r.IntN(6))
		}
		for n := 1 + r.IntN(3); n > 0; n-- {
			b.WriteString(chemParts[r.IntN(len(chemParts))])
		}
		b.WriteString(chemEnds[r.IntN(len(chemEnds))])
		fmt.Fprintf(&b, " %d", i%9973)
		return Alias{Text: b.String(), EntityID: id, EntityType: "chemical", AliasType: pick(r, "preferred", "synonym")}
	case k < 90:
		s := disAdj[r.IntN(len(disAdj))] + " " + disWords[r.IntN(len(disWords))] + " type " + strconv.FormatInt(i%4999, 10)
		if r.IntN(2) == 0 {
			s = disAdj[r.IntN(len(disAdj))] + " " + s
		}
		return Alias{Text: s, EntityID: id, EntityType: "disease", AliasType: pick(r, "preferred", "synonym")}
	default:
		return Alias{Text: fmt.Sprintf("MESH:D%07d", i), EntityID: id, EntityType: "disease", AliasType: "code"}
	}
}

func pick(r *rand.Rand, a, b string) string {
	if r.IntN(3) == 0 {
		return a
	}
	return b
}

// WriteAliases writes n aliases as tab-separated lines: alias, entity id,
// entity type, alias type.
func WriteAliases(w io.Writer, seed uint64, n int64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	for i := int64(0); i < n; i++ {
		a := AliasAt(seed, i)
		fmt.Fprintf(bw, "%s\t%d\t%s\t%s\n", a.Text, a.EntityID, a.EntityType, a.AliasType)
	}
	return bw.Flush()
}

// WriteText writes about size bytes of English-like text with one mention
// of an alias of the n-alias dictionary per about 200 bytes.
func WriteText(w io.Writer, seed uint64, n, size int64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	r := rand.New(rand.NewPCG(seed, 0xfeed))
	var written, sinceMention int64
	for written < size {
		var s string
		if sinceMention >= 180+int64(r.IntN(40)) {
			s = AliasAt(seed, r.Int64N(n)).Text
			sinceMention = 0
		} else {
			s = words[r.IntN(len(words))]
		}
		sep := " "
		switch r.IntN(12) {
		case 0:
			sep = ", "
		case 1:
			sep = ". "
		}
		k, _ := bw.WriteString(s + sep)
		written += int64(k)
		sinceMention += int64(k)
	}
	return bw.Flush()
}
