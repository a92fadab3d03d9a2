package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

var sentenceTemplates = []string{
	"Exposure to {C} increased {G} expression in {T}.",
	"Treatment with {C} decreased {G} mRNA levels in a dose-dependent manner.",
	"Common variants in {G} have been associated with {D}.",
	"In a cohort of {N} participants, urinary {C} concentrations were associated with {D}.",
	"Docking and binding assays suggest that {C} binds {G} with micromolar affinity.",
	"Loss of {G} function is a recurrent finding in {D}.",
	"Patients with {D} showed elevated {G} activity after exposure to {C}.",
	"The effect of {C} on {G} was attenuated by co-treatment with {C}.",
	"Knockdown of {G} abolished the response to {C} in {T}.",
	"Serum {G} was measured in {N} cases of {D} and matched controls.",
	"These data link {C} exposure, {G} signaling and the risk of {D}.",
	"Transcriptomic profiling of {T} exposed to {C} revealed induction of {G} and {G}.",
}

var sentenceConnectors = []string{
	"Moreover, ", "However, ", "Notably, ", "In contrast, ", "Similarly, ",
	"Consistent with previous reports, ", "In addition, ", "Unexpectedly, ",
}

var tissues = []string{
	"HepG2 cells", "primary human hepatocytes", "mouse liver", "zebrafish embryos", "MCF-7 cells",
	"rat kidney", "human bronchial epithelial cells", "peripheral blood mononuclear cells",
	"A549 cells", "placental tissue",
}

// SampleText returns a deterministic English-like paragraph of about n bytes
// (never more than n, except that the opening sentence is always included)
// that mentions generated entities by their exact alias values: gene
// symbols and synonyms, chemical names and diseases. The opening sentence
// always contains a Greek alias ("TNF-α") and an accented disease name
// ("Sjögren syndrome"). Returns "" when n <= 0.
func SampleText(opts *Options, n int) string {
	if n <= 0 {
		return ""
	}
	d := newDataset(opts)
	t := &textGen{d: d, r: rand.New(rand.NewPCG(d.seed, kText)), rr: newRowRNG(d.seed)}

	var b strings.Builder
	chem := curatedChemicals[0].name
	if d.nChems > 1 {
		chem = curatedChemicals[1].name // bisphenol A
	}
	first := "Elevated " + curatedGenes[0].syn[0] + " levels were observed in patients with " +
		curatedDiseases[0].name + " who had been exposed to " + chem + "."
	b.WriteString(first)
	for misses := 0; misses < 8; {
		s := t.sentence()
		if b.Len()+1+len(s) > n {
			misses++
			continue
		}
		b.WriteByte(' ')
		b.WriteString(s)
	}
	return b.String()
}

type textGen struct {
	d       *dataset
	r       *rand.Rand
	rr      *rowRNG
	aliases []aliasRow
}

func (t *textGen) sentence() string {
	r := t.r
	tpl := sentenceTemplates[r.IntN(len(sentenceTemplates))]
	var b strings.Builder
	if r.IntN(3) == 0 {
		c := sentenceConnectors[r.IntN(len(sentenceConnectors))]
		b.WriteString(c)
		tpl = strings.ToLower(tpl[:1]) + tpl[1:]
	}
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			b.WriteString(tpl)
			break
		}
		b.WriteString(tpl[:i])
		switch tpl[i+1] {
		case 'G':
			b.WriteString(t.gene())
		case 'C':
			b.WriteString(t.chemical())
		case 'D':
			b.WriteString(t.disease())
		case 'T':
			b.WriteString(tissues[r.IntN(len(tissues))])
		case 'N':
			b.WriteString(strconv.Itoa(40 + r.IntN(4000)))
		}
		tpl = tpl[i+3:]
	}
	return b.String()
}

// pick returns an index biased towards the curated (well-known) entities.
func (t *textGen) pick(n int64, curated int) int64 {
	if c := min(int64(curated), n); c > 0 && t.r.IntN(100) < 40 {
		return t.r.Int64N(c)
	}
	return t.r.Int64N(n)
}

// mention picks the preferred alias or a prose-friendly synonym.
func (t *textGen) mention(proseOK func(string) bool) string {
	pref := t.aliases[0].value
	if t.r.IntN(100) < 60 {
		return pref
	}
	var cands []string
	for _, a := range t.aliases[1:] {
		if a.typ == aliasSynonym && proseOK(a.value) {
			cands = append(cands, a.value)
		}
	}
	if len(cands) == 0 {
		return pref
	}
	return cands[t.r.IntN(len(cands))]
}

func (t *textGen) gene() string {
	t.aliases = t.aliases[:0]
	t.d.genes.gene(t.rr, t.pick(t.d.nGenes, len(curatedGenes)), &t.aliases)
	return t.mention(func(string) bool { return true })
}

func (t *textGen) chemical() string {
	t.aliases = t.aliases[:0]
	t.d.chems.chemical(t.rr, t.pick(t.d.nChems, len(curatedChemicals)), &t.aliases)
	// Skip index-style ("phenol, 4-chloro-") and all-caps synonyms.
	return t.mention(func(s string) bool { return !strings.Contains(s, ", ") && (len(s) <= 6 || strings.ToUpper(s) != s) })
}

func (t *textGen) disease() string {
	t.aliases = t.aliases[:0]
	t.d.dis.disease(t.rr, t.pick(t.d.nDis, len(curatedDiseases)), &t.aliases)
	return t.mention(func(s string) bool { return !strings.Contains(s, ", ") })
}
