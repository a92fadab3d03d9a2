package nlp_test

import (
	"iter"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/snapdb/snapdb/nlp"
)

// A small deterministic generator of biomedical-looking dictionaries and
// texts, for benchmarks and large tests. synthAlias(i) depends only on i, so
// a dictionary of any size is a stream (nothing is held in memory) and a
// text can quote any alias of it. About 20 % of the aliases are English
// words; the rest are gene symbols and their variants (some with Greek
// letters), codes, chemical names and disease names (some with accents).

var (
	synthEnglish = strings.Fields(`the of and to in is was for that with as on by be are this from at
		or an which were can not have has had been also but these all may more than its one
		two other into only such most some time cell cells set map cat kit met ret impact camp
		face fast gap mass park rest role step type damage light major minor large protein
		growth factor receptor binding activity expression level levels response patients
		study analysis results effect effects treatment group control increased decreased
		associated significant human mouse model data function role pathway signal signaling
		tumor cancer disease risk gene genes high low normal early late acute chronic`)
	synthFiller = strings.Fields(`we observed that the expression of in patients with and
		was significantly increased compared to controls while levels remained stable after
		treatment our results suggest a role for during the response these data indicate
		further studies are needed to confirm whether this effect is specific to cells from
		mice or also occurs in human tissue samples collected at baseline`)
	synthStems    = []string{"methyl", "ethyl", "propyl", "butyl", "amino", "hydroxy", "chloro", "fluoro", "bromo", "nitro", "oxo", "phenyl", "benzyl", "acetyl", "carboxy", "cyano"}
	synthBases    = []string{"benzoic acid", "propanoate", "pyridine", "piperidine", "indole", "quinoline", "acetamide", "butanoic acid", "phenol", "imidazole", "furan", "glucoside"}
	synthOrgans   = []string{"kidney", "liver", "lung", "heart", "bowel", "skin", "brain", "bone", "muscle", "thyroid", "pancreatic", "retinal"}
	synthDiseases = []string{"disease", "syndrome", "carcinoma", "fibrosis", "dystrophy", "failure", "deficiency", "neuropathy", "insufficiency", "inflammation"}
	synthAdjs     = []string{"chronic", "acute", "congenital", "familial", "juvenile", "idiopathic", "progressive", "hereditary", "autoimmune", "Sjögren", "Ménière", "Behçet", "Crohn's"}
	synthGreek    = []string{"α", "β", "γ", "δ", "κ"}
	synthWords    = []string{"alpha", "beta", "gamma", "delta", "kappa"}
)

func init() {
	// The filler prose must not itself be full of aliases: keep the
	// English aliases and the filler words apart.
	filler := map[string]bool{}
	for _, w := range synthFiller {
		filler[w] = true
	}
	synthEnglish = slices.DeleteFunc(synthEnglish, func(w string) bool { return filler[w] })
}

const synthLetters = "ABCDEFGHIJKLMNOPRSTUVWXYZ"

// synthSymbol is the gene symbol of an entity.
func synthSymbol(ent int64) string {
	r := rand.New(rand.NewPCG(uint64(ent), 0x9e3779b97f4a7c15))
	var b strings.Builder
	for range 2 + r.IntN(3) {
		b.WriteByte(synthLetters[r.IntN(len(synthLetters))])
	}
	b.WriteString(strconv.Itoa(1 + r.IntN(20)))
	switch r.IntN(6) {
	case 0:
		b.WriteString("A")
	case 1:
		b.WriteString("R")
	case 2:
		b.WriteString("-AS1")
	}
	return b.String()
}

// synthAlias is alias i of the synthetic dictionary: entity i/4, four
// aliases per entity, the first preferred.
func synthAlias(i int) nlp.Alias {
	r := rand.New(rand.NewPCG(uint64(i), 0x5eed))
	ent := int64(i / 4)
	a := nlp.Alias{EntityID: ent, Type: nlp.Synonym}
	if i%4 == 0 {
		a.Type = nlp.Preferred
	}
	kind := ent % 10
	switch {
	case kind < 4:
		a.EntityType = "gene"
	case kind < 7:
		a.EntityType = "chemical"
	default:
		a.EntityType = "disease"
	}
	if r.IntN(5) == 0 {
		// English words: mostly phrases, sometimes one word (the aliases
		// stop words are for).
		n := 2 + r.IntN(2)
		if r.IntN(10) == 0 {
			n = 1
		}
		ws := make([]string, n)
		for k := range ws {
			ws[k] = synthEnglish[r.IntN(len(synthEnglish))]
		}
		a.Text = strings.Join(ws, " ")
		return a
	}
	switch a.EntityType {
	case "gene":
		sym := synthSymbol(ent)
		switch i % 4 {
		case 0:
			a.Text = sym
		case 1:
			g := r.IntN(len(synthGreek))
			if r.IntN(2) == 0 {
				a.Text = sym + "-" + synthGreek[g]
			} else {
				a.Text = strings.ToLower(sym) + " " + synthWords[g]
			}
		case 2:
			a.Text = synthName(r) + " " + synthEnglish[r.IntN(len(synthEnglish))] + " protein " + strconv.Itoa(1+r.IntN(9))
		default:
			a.Type = nlp.Code
			a.Text = "HGNC:" + strconv.Itoa(int(ent))
		}
	case "chemical":
		var b strings.Builder
		if r.IntN(2) == 0 {
			b.WriteString(strconv.Itoa(1+r.IntN(6)) + "-")
		}
		for range 1 + r.IntN(3) {
			b.WriteString(synthStems[r.IntN(len(synthStems))])
		}
		b.WriteString(synthBases[r.IntN(len(synthBases))])
		if r.IntN(3) == 0 {
			b.WriteString(" " + strings.ToLower(synthName(r)))
		}
		a.Text = b.String()
	default:
		adj := synthAdjs[r.IntN(len(synthAdjs))]
		if r.IntN(2) == 0 {
			adj = synthName(r) + "-" + synthName(r)
		}
		a.Text = adj + " " + synthOrgans[r.IntN(len(synthOrgans))] + " " + synthDiseases[r.IntN(len(synthDiseases))]
		if r.IntN(3) == 0 {
			a.Text += " type " + strconv.Itoa(1+r.IntN(40))
		}
	}
	return a
}

var synthSyllables = strings.Fields("ka lo mer vin ta sel dor ni ra bel gus tor hal mi ve pen ros zan")

// synthName is a made-up proper name: "Kalomer", "Vinta".
func synthName(r *rand.Rand) string {
	var b strings.Builder
	for k := range 2 + r.IntN(2) {
		syl := synthSyllables[r.IntN(len(synthSyllables))]
		if k == 0 {
			syl = strings.ToUpper(syl[:1]) + syl[1:]
		}
		b.WriteString(syl)
	}
	return b.String()
}

// synthAliases streams the first n aliases.
func synthAliases(n int) iter.Seq2[nlp.Alias, error] {
	return func(yield func(nlp.Alias, error) bool) {
		for i := range n {
			if !yield(synthAlias(i), nil) {
				return
			}
		}
	}
}

// synthText returns about size bytes of prose with an alias of the first
// nAliases quoted about every 200 bytes.
func synthText(seed uint64, size, nAliases int) string {
	r := rand.New(rand.NewPCG(seed, 0x7e47))
	var b strings.Builder
	b.Grow(size + 256)
	next := 100 + r.IntN(200)
	for b.Len() < size {
		if b.Len() >= next {
			a := synthAlias(r.IntN(nAliases))
			text := a.Text
			if r.IntN(4) == 0 {
				text = strings.ToUpper(text)
			}
			b.WriteString(text)
			next = b.Len() + 100 + r.IntN(200)
		} else {
			w := synthFiller[r.IntN(len(synthFiller))]
			if r.IntN(10) == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
		}
		switch r.IntN(12) {
		case 0:
			b.WriteString(", ")
		case 1:
			b.WriteString(". ")
		case 2:
			b.WriteString("\n")
		default:
			b.WriteString(" ")
		}
	}
	return b.String()
}
