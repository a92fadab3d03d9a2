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
	"slices"
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
// alias every time, without generating the others. About 20 % are English:
// 1 % are single common words that are also gene symbols or abbreviations
// (SET, MET, CAT, cell, type, ...: in DefaultStopWords, so nlp.Build skips
// them while pyahocorasick indexes them), 19 % are phrases of two or three
// words of a biomedical vocabulary, half of them opening with a common word
// that the text uses too ("blood ...", "growth ...", "heart ..."). The rest
// are gene symbols and synonyms, chemical names, disease names and codes;
// the average is about 20 bytes.
//
// Until 2026-11 the English aliases were one to four of the text's own
// filler words plus a number ("time year people 42"): every pair of
// adjacent text words was then the prefix of some alias, so a matcher
// walked two words deep from every word of the text, which no real
// dictionary causes; and no alias was a plain English word.
func AliasAt(seed uint64, i int64) Alias {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	id := i/3 + 1 // about three aliases per entity
	switch k := r.IntN(100); {
	case k < 1:
		return Alias{Text: commonAliases[r.IntN(len(commonAliases))], EntityID: id, EntityType: "gene", AliasType: "synonym"}
	case k < 20:
		return Alias{Text: phrase(r), EntityID: id, EntityType: "word", AliasType: "synonym"}
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
// of an alias of the n-alias dictionary per about 200 bytes. The filler
// between mentions is 40 % function words and 60 % content words (general
// and biomedical prose), some of which open English alias phrases or are
// stop-worded aliases; it holds no other alias.
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
			s = fillerWord(r)
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

var (
	// function words of the text: 40 % of the filler.
	functionWords = strings.Fields(`the of and in to a with was were is for that by as on from at
		this these which or an be are been not but than after between during into its their`)
	// bioWords are content words of biomedical prose, used by the text
	// only (none opens an alias).
	bioWords = strings.Fields(`patients expression increased decreased significantly compared controls
		observed analysis results suggest associated samples cohort baseline mice human clinical
		treatment therapy outcome measured reduced elevated median mean total follow subjects
		model data activity function pathway signaling binding mechanism previously reported`)
	// sharedWords are content words of the text that also open English
	// alias phrases, as "blood", "growth" or "heart" do in real
	// dictionaries.
	sharedWords = strings.Fields(`blood growth heart water body health drug care death control light
		air life child family age power mind face skin bone brain liver lung kidney muscle eye head
		hand foot arm nerve tissue fluid food sleep pain fat sugar salt cold heat pressure rate level
		stress weight`)
	// medWords are the rest of the English aliases' vocabulary: real
	// biomedical words and stem + suffix coinages (cardiopathy, nephrocyte).
	medWords = func() []string {
		ws := strings.Fields(`apoptosis insulin fever edema antigen antibody kinase receptor ligand
			hormone secretion transport uptake clearance toxicity infection inflammation necrosis
			hyperplasia atrophy lesion nodule cyst ulcer stenosis occlusion embolism thrombosis
			ischemia infarction hemorrhage perfusion volume flow cell type vessel membrane matrix
			marrow plasma serum urine bile mucosa cortex neuron synapse axon glia spine joint
			cartilage tendon ligament tumor mass polyp factor protein enzyme peptide channel pump
			transporter complex subunit domain binding activation inhibition deficiency excess
			disorder failure injury defect abnormality malformation test assay index score count`)
		for _, stem := range strings.Fields(`cardi hepat neur gastr derm oste nephr pulmon my angi lymph hem
			immun thyr pancre col arthr encephal mening retin`) {
			for _, suf := range strings.Fields(`itis osis emia opathy oma algia ectomy ogram cyte blast genesis
				plasty ase al ic`) {
				ws = append(ws, stem+suf)
			}
		}
		return ws
	}()
	// commonAliases are common words that are also gene symbols or
	// abbreviations; nlp.DefaultStopWords holds them all.
	commonAliases = strings.Fields(`SET MET CAT KIT RET MAP WAS CAN NOT ALL impact camp face fast gap mass
		park rest step damage light major minor cell type role`)
	// textWords is the content vocabulary of the text.
	textWords = slices.Compact(slices.Sorted(slices.Values(slices.Concat(words, bioWords, sharedWords))))
)

// phrase is an English alias: two or three words, the first a shared word
// half of the time, the second from the biomedical vocabulary, the third
// too (one in seven a shared word). No two-word alias is made of shared
// words only: the text, which strings shared words together at random,
// would otherwise be full of mentions.
func phrase(r *rand.Rand) string {
	first := medWords[r.IntN(len(medWords))]
	if r.IntN(2) == 0 {
		first = sharedWords[r.IntN(len(sharedWords))]
	}
	p := first + " " + medWords[r.IntN(len(medWords))]
	if r.IntN(2) == 0 {
		return p
	}
	if r.IntN(7) == 0 {
		return p + " " + sharedWords[r.IntN(len(sharedWords))]
	}
	return p + " " + medWords[r.IntN(len(medWords))]
}

// fillerWord is a word of the text between mentions.
func fillerWord(r *rand.Rand) string {
	if r.IntN(5) < 2 {
		return functionWords[r.IntN(len(functionWords))]
	}
	return textWords[r.IntN(len(textWords))]
}
