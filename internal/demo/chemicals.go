package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

var chemicalsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "entity_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "name", Type: arrow.BinaryTypes.String},
	{Name: "cas_number", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "formula", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "molecular_weight", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

// ---- formulas ----------------------------------------------------------------

// Elements in Hill order after C and H.
// Standard atomic weights are in milli-daltons so that molecular weights are
// computed with integer arithmetic (identical on every platform).
var elements = []struct {
	sym    string
	weight int64
}{
	{"C", 12011}, {"H", 1008},
	{"Br", 79904}, {"Cl", 35450}, {"F", 18998}, {"I", 126904}, {"K", 39098},
	{"Li", 6940}, {"N", 14007}, {"Na", 22990}, {"O", 15999}, {"P", 30974},
	{"S", 32060},
}

const (
	elC = iota
	elH
	elBr
	elCl
	elF
	elI
	elK
	elLi
	elN
	elNa
	elO
	elP
	elS
	nElements
)

type atoms [nElements]int16

func parseFormula(f string) atoms {
	var a atoms
	for i := 0; i < len(f); {
		j := i + 1
		for j < len(f) && f[j] >= 'a' && f[j] <= 'z' {
			j++
		}
		sym := f[i:j]
		k := j
		for k < len(f) && f[k] >= '0' && f[k] <= '9' {
			k++
		}
		n := 1
		if k > j {
			n, _ = strconv.Atoi(f[j:k])
		}
		found := false
		for e := range elements {
			if elements[e].sym == sym {
				a[e] += int16(n)
				found = true
			}
		}
		if !found {
			panic("demo: unknown element " + sym)
		}
		i = k
	}
	return a
}

// substitute replaces one hydrogen of a by group g.
func (a atoms) substitute(g atoms) atoms {
	for e := range a {
		a[e] += g[e]
	}
	a[elH]--
	return a
}

func (a atoms) hill() string {
	var b []byte
	for e, n := range a {
		if n <= 0 {
			continue
		}
		b = append(b, elements[e].sym...)
		if n > 1 {
			b = strconv.AppendInt(b, int64(n), 10)
		}
	}
	return string(b)
}

// weight returns the molecular weight in daltons, rounded to 0.01.
func (a atoms) weight() float64 {
	var w int64
	for e, n := range a {
		w += int64(n) * elements[e].weight
	}
	return float64((w+5)/10) / 100
}

// ---- vocabulary --------------------------------------------------------------

type frag struct {
	name  string
	atoms atoms
}

func frags(pairs ...string) []frag {
	out := make([]frag, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, frag{pairs[i], parseFormula(pairs[i+1])})
	}
	return out
}

// Substituent prefixes in alphabetical order, with the group replacing one H.
var substituents = frags(
	"acetyl", "C2H3O", "amino", "NH2", "bromo", "Br", "butyl", "C4H9",
	"carboxy", "CHO2", "chloro", "Cl", "cyano", "CN", "dimethylamino", "C2H6N",
	"ethoxy", "C2H5O", "ethyl", "C2H5", "fluoro", "F", "formyl", "CHO",
	"hydroxy", "OH", "iodo", "I", "isopropyl", "C3H7", "mercapto", "SH",
	"methoxy", "CH3O", "methyl", "CH3", "nitro", "NO2", "phenoxy", "C6H5O",
	"phenyl", "C6H5", "propyl", "C3H7", "sulfo", "SO3H", "tert-butyl", "C4H9",
	"trifluoromethyl", "CF3", "vinyl", "C2H3",
)

// complexSubstituent reports whether multiplied forms need bis(...)/tris(...).
func complexSubstituent(s string) bool {
	return s == "dimethylamino" || s == "tert-butyl" || s == "trifluoromethyl"
}

var parents = frags(
	"benzene", "C6H6", "phenol", "C6H6O", "toluene", "C7H8", "aniline", "C6H7N",
	"anisole", "C7H8O", "benzoic acid", "C7H6O2", "benzaldehyde", "C7H6O",
	"acetophenone", "C8H8O", "benzonitrile", "C7H5N", "benzamide", "C7H7NO",
	"pyridine", "C5H5N", "pyrimidine", "C4H4N2", "naphthalene", "C10H8",
	"biphenyl", "C12H10", "indole", "C8H7N", "quinoline", "C9H7N",
	"furan", "C4H4O", "thiophene", "C4H4S", "pyrrole", "C4H5N",
	"cyclohexanol", "C6H12O", "cyclohexanone", "C6H10O", "piperidine", "C5H11N",
	"morpholine", "C4H9NO", "styrene", "C8H8", "benzophenone", "C13H10O",
	"cinnamic acid", "C9H8O2", "phenylacetic acid", "C8H8O2", "benzyl alcohol", "C7H8O",
	"catechol", "C6H6O2", "salicylic acid", "C7H6O3", "diphenyl ether", "C12H10O",
	"coumarin", "C9H6O2",
)

var locantSets = []string{"2,4", "2,6", "3,4", "3,5", "2,3", "2,5", "1,2", "1,3", "1,4", "2,4,6", "3,4,5", "2,3,4", "2,4,5"}

var greekNames = []struct{ sym, word string }{{"α", "ALPHA"}, {"β", "BETA"}, {"γ", "GAMMA"}, {"δ", "DELTA"}}

// Ester alkyl groups and salt cations (replace the acidic H).
var esterGroups = frags(
	"methyl", "CH3", "ethyl", "C2H5", "propyl", "C3H7", "butyl", "C4H9",
	"isopropyl", "C3H7", "benzyl", "C7H7", "phenyl", "C6H5", "vinyl", "C2H3",
	"2-ethylhexyl", "C8H17", "tert-butyl", "C4H9",
	"sodium", "Na", "potassium", "K", "lithium", "Li", "ammonium", "NH4",
)

func isCation(s string) bool {
	return s == "sodium" || s == "potassium" || s == "lithium" || s == "ammonium"
}

// Anions with their parent acid.
var anions = []struct {
	name, acid string
	atoms      atoms
}{
	{"benzoate", "benzoic acid", parseFormula("C7H6O2")},
	{"salicylate", "salicylic acid", parseFormula("C7H6O3")},
	{"cinnamate", "cinnamic acid", parseFormula("C9H8O2")},
	{"phenylacetate", "phenylacetic acid", parseFormula("C8H8O2")},
	{"nicotinate", "nicotinic acid", parseFormula("C6H5NO2")},
	{"isonicotinate", "isonicotinic acid", parseFormula("C6H5NO2")},
	{"benzenesulfonate", "benzenesulfonic acid", parseFormula("C6H6O3S")},
}

// Drug-like names: 2-letter prefix + 3-letter middle + INN stem (fixed-length
// parts keep the composition injective).
var (
	drugPrefixes = func() []string {
		var out []string
		for _, c := range "bcdfgklmnprstvz" {
			for _, v := range "aeio" {
				out = append(out, string(c)+string(v))
			}
		}
		return out
	}()
	drugMiddles = func() []string {
		var out []string
		for _, c := range "bdlmnprstv" {
			for _, v := range "aeiou" {
				for _, f := range "nr" {
					out = append(out, string(c)+string(v)+string(f))
				}
			}
		}
		return out
	}()
	drugStems     = []string{"tinib", "pril", "sartan", "olol", "statin", "mycin", "cillin", "profen", "dipine", "vir", "oxacin", "azepam", "azole", "setron", "gliptin"}
	brandSuffixes = []string{"ex", "on", "ix", "a", "ol", "is", "en", "ar", "o", "ia", "um", "yn", "ec", "av", "el"}
)

type curatedChemical struct {
	name, formula string
	mw            float64 // 0 = unknown
	syn           []string
}

var curatedChemicals = []curatedChemical{
	{"benzene", "C6H6", 78.11, []string{"benzol", "cyclohexatriene"}},
	{"bisphenol A", "C15H16O2", 228.29, []string{"BPA", "4,4'-isopropylidenediphenol", "2,2-bis(4-hydroxyphenyl)propane"}},
	{"diethylstilbestrol", "C18H20O2", 268.35, []string{"DES", "stilbestrol"}},
	{"sodium dodecyl sulfate", "C12H25NaO4S", 288.38, []string{"SDS", "sodium lauryl sulfate"}},
	{"polycyclic aromatic hydrocarbons", "", 0, []string{"PAH", "PAHs", "polyaromatic hydrocarbons"}},
	{"benzo[a]pyrene", "C20H12", 252.31, []string{"BaP", "3,4-benzopyrene"}},
	{"2,3,7,8-tetrachlorodibenzo-p-dioxin", "C12H4Cl4O2", 321.97, []string{"TCDD", "dioxin"}},
	{"acetaminophen", "C8H9NO2", 151.16, []string{"paracetamol", "APAP", "N-acetyl-p-aminophenol"}},
	{"valproic acid", "C8H16O2", 144.21, []string{"VPA", "2-propylpentanoic acid"}},
	{"arsenic trioxide", "As2O3", 197.84, []string{"arsenous oxide"}},
	{"cadmium chloride", "CdCl2", 183.32, []string{"cadmium dichloride"}},
	{"α-tocopherol", "C29H50O2", 430.71, []string{"vitamin E", "alpha-tocopherol"}},
	{"β-carotene", "C40H56", 536.87, []string{"beta-carotene", "provitamin A"}},
	{"γ-aminobutyric acid", "C4H9NO2", 103.12, []string{"GABA", "4-aminobutanoic acid"}},
	{"tretinoin", "C20H28O2", 300.44, []string{"all-trans-retinoic acid", "ATRA"}},
	{"estradiol", "C18H24O2", 272.38, []string{"17β-estradiol", "E2"}},
	{"methylmercury chloride", "CH3ClHg", 251.08, []string{"MeHgCl"}},
	{"chlorpyrifos", "C9H11Cl3NO3PS", 350.59, []string{"Dursban"}},
	{"trichloroethylene", "C2HCl3", 131.39, []string{"TCE", "trichloroethene"}},
	{"acrylamide", "C3H5NO", 71.08, []string{"2-propenamide"}},
	{"cisplatin", "Cl2H6N2Pt", 300.05, []string{"CDDP", "cis-diamminedichloroplatinum(II)"}},
	{"nicotine", "C10H14N2", 162.23, nil},
	{"ethanol", "C2H6O", 46.07, []string{"ethyl alcohol", "EtOH"}},
}

// Chemical name patterns.
const (
	cpMono     = iota // 4-chlorophenol
	cpMulti           // 2,4-dichlorophenol
	cpPair            // 2-chloro-4-methylphenol
	cpGreek           // α-chlorotoluene
	cpEster           // methyl 4-chlorobenzoate
	cpDrug            // velortinib
	cpFallback        // chemical CID-style name
	cpCurated
)

// ambiguousEvery: every so many generated chemicals carry a synonym equal to
// a gene symbol (like "DES" or "SDS" in real vocabularies).
const (
	chemAmbiguousEvery = 83
	chemAmbiguousAt    = 41
)

type chemSpace struct {
	seed  uint64
	n     int64
	genes *geneSpace
	order perm
	mix   mixer
	pat   [6]perm
	cas   perm
	mesh  perm
	chebi perm
	nsc   perm
	dev   perm
}

func newChemSpace(seed uint64, n int64, genes *geneSpace) *chemSpace {
	S, P := uint64(len(substituents)), uint64(len(parents))
	s := &chemSpace{seed: seed, n: n, genes: genes}
	s.order = newPerm(uint64(n), seed, pChemOrder)
	s.mix = newMixer(3, 3, 6, 1, 2, 5)
	sizes := [6]uint64{
		6 * S * P,
		uint64(len(locantSets)) * S * P,
		30 * (S * (S - 1) / 2) * P,
		uint64(len(greekNames)) * S * P,
		uint64(len(esterGroups)) * (1 + 3*S) * uint64(len(anions)),
		uint64(len(drugPrefixes) * len(drugMiddles) * len(drugStems)),
	}
	for p, sz := range sizes {
		s.pat[p] = newPerm(sz, seed, pChemPattern+uint64(p)<<8)
	}
	s.cas = newPerm(uint64(max(n, 90_000_000)), seed, pCAS)
	s.mesh = newPerm(uint64(max(n, 999_999)), seed, pMeshC)
	s.chebi = newPerm(uint64(max(n, 200_000)), seed, pChEBI)
	s.nsc = newPerm(uint64(max(n, 800_000)), seed, pNSC)
	s.dev = newPerm(uint64(max(n, 9_900)), seed, pDevCode)
	return s
}

type chemKey struct {
	i             int64
	pat           int
	a, b, c, d, e int
}

func (s *chemSpace) key(i int64) chemKey {
	if i < int64(len(curatedChemicals)) {
		return chemKey{i: i, pat: cpCurated}
	}
	S := uint64(len(substituents))
	j := s.order.at(uint64(i))
	p, rank := s.mix.pick(j)
	if rank >= s.pat[p].n {
		return chemKey{i: i, pat: cpFallback}
	}
	code := s.pat[p].at(rank)
	k := chemKey{i: i, pat: p}
	switch p {
	case cpMono: // a=locant(1..6) b=sub c=parent
		k.a = int(code%6) + 1
		code /= 6
		k.b, k.c = int(code%S), int(code/S)
	case cpMulti: // a=locant set b=sub c=parent
		L := uint64(len(locantSets))
		k.a = int(code % L)
		code /= L
		k.b, k.c = int(code%S), int(code/S)
	case cpPair: // a,b=locants c<d=subs e=parent
		lp := int(code % 30)
		code /= 30
		k.a = lp/5 + 1
		k.b = lp%5 + 1
		if k.b >= k.a {
			k.b++
		}
		pairs := S * (S - 1) / 2
		sp := int(code % pairs)
		k.e = int(code / pairs)
		x := 0
		for row := len(substituents) - 1; sp >= row; row-- {
			sp -= row
			x++
		}
		k.c, k.d = x, x+1+sp
	case cpGreek: // a=greek b=sub c=parent
		G := uint64(len(greekNames))
		k.a = int(code % G)
		code /= G
		k.b, k.c = int(code%S), int(code/S)
	case cpEster: // a=group b=option (0 none, else locant/sub) c=anion
		E := uint64(len(esterGroups))
		k.a = int(code % E)
		code /= E
		O := 1 + 3*S
		k.b, k.c = int(code%O), int(code/O)
	case cpDrug: // a=prefix b=middle c=stem
		k.a = int(code % uint64(len(drugPrefixes)))
		code /= uint64(len(drugPrefixes))
		k.b = int(code % uint64(len(drugMiddles)))
		k.c = int(code / uint64(len(drugMiddles)))
	}
	return k
}

func multiplied(sub string, n int) string {
	if complexSubstituent(sub) {
		if n == 2 {
			return "bis(" + sub + ")"
		}
		return "tris(" + sub + ")"
	}
	if n == 2 {
		return "di" + sub
	}
	return "tri" + sub
}

// prefixAndParent splits a systematic name into its substituent prefix part
// and its parent (e.g. "2-chloro-4-methyl", "phenol").
func (k chemKey) prefixAndParent() (string, string) {
	switch k.pat {
	case cpMono:
		return strconv.Itoa(k.a) + "-" + substituents[k.b].name, parents[k.c].name
	case cpMulti:
		ls := locantSets[k.a]
		n := strings.Count(ls, ",") + 1
		return ls + "-" + multiplied(substituents[k.b].name, n), parents[k.c].name
	case cpPair:
		return strconv.Itoa(k.a) + "-" + substituents[k.c].name + "-" + strconv.Itoa(k.b) + "-" + substituents[k.d].name, parents[k.e].name
	case cpGreek:
		return greekNames[k.a].sym + "-" + substituents[k.b].name, parents[k.c].name
	}
	return "", ""
}

func (k chemKey) esterSub() string {
	if k.b == 0 {
		return ""
	}
	o := k.b - 1
	return strconv.Itoa(2+o%3) + "-" + substituents[o/3].name
}

func (k chemKey) name() string {
	switch k.pat {
	case cpCurated:
		return curatedChemicals[k.i].name
	case cpMono, cpMulti, cpPair, cpGreek:
		pre, par := k.prefixAndParent()
		return pre + par
	case cpEster:
		return esterGroups[k.a].name + " " + k.esterSub() + anions[k.c].name
	case cpDrug:
		return drugPrefixes[k.a] + drugMiddles[k.b] + drugStems[k.c]
	default:
		return "chemical substance " + strconv.FormatInt(k.i+1, 10)
	}
}

// formula returns the composition for patterns that have a structural name.
func (k chemKey) formula(r *rand.Rand) (atoms, bool) {
	switch k.pat {
	case cpMono, cpGreek:
		return parents[k.c].atoms.substitute(substituents[k.b].atoms), true
	case cpMulti:
		a := parents[k.c].atoms
		n := strings.Count(locantSets[k.a], ",") + 1
		for x := 0; x < n; x++ {
			a = a.substitute(substituents[k.b].atoms)
		}
		return a, true
	case cpPair:
		return parents[k.e].atoms.substitute(substituents[k.c].atoms).substitute(substituents[k.d].atoms), true
	case cpEster:
		a := anions[k.c].atoms
		if k.b > 0 {
			a = a.substitute(substituents[(k.b-1)/3].atoms)
		}
		return a.substitute(esterGroups[k.a].atoms), true
	case cpDrug, cpFallback:
		var a atoms
		a[elC] = int16(12 + r.IntN(21))
		a[elH] = int16(max(6, int(a[elC])+r.IntN(int(a[elC]))-4))
		a[elN] = int16(r.IntN(6))
		a[elO] = int16(r.IntN(7))
		if r.IntN(5) == 0 {
			a[elS] = 1
		}
		if r.IntN(5) == 0 {
			a[elF] = int16(1 + r.IntN(3))
		}
		if r.IntN(10) == 0 {
			a[elCl] = 1
		}
		return a, true
	}
	return atoms{}, false
}

// synonym renders synonym kind 0..2 (each injective in the chemical).
func (s *chemSpace) synonym(k chemKey, name string, kind int) string {
	switch k.pat {
	case cpMono, cpMulti, cpPair, cpGreek:
		pre, par := k.prefixAndParent()
		switch kind {
		case 0: // CAS index name: "phenol, 2-chloro-4-methyl-"
			return par + ", " + pre + "-"
		case 1:
			return pre + "-" + par
		default:
			if k.pat == cpGreek {
				return greekNames[k.a].word + "-" + strings.ToUpper(substituents[k.b].name+par)
			}
			return strings.ToUpper(name)
		}
	case cpEster:
		g := esterGroups[k.a].name
		switch kind {
		case 0: // "benzoic acid, 4-chloro-, methyl ester"
			acid := anions[k.c].acid
			if sub := k.esterSub(); sub != "" {
				acid += ", " + sub + "-"
			}
			if isCation(g) {
				return acid + ", " + g + " salt"
			}
			return acid + ", " + g + " ester"
		case 1:
			return g + "-" + k.esterSub() + anions[k.c].name
		default:
			return strings.ToUpper(name)
		}
	default: // drugs and fallbacks
		switch kind {
		case 0:
			if k.pat == cpDrug {
				b := drugMiddles[k.b] + drugPrefixes[k.a]
				return strings.ToUpper(b[:1]) + b[1:] + brandSuffixes[k.c]
			}
			return "substance " + strconv.FormatInt(k.i+1, 10)
		case 1:
			return strings.ToUpper(name)
		default:
			v := s.dev.at(uint64(k.i))
			h := hash2(s.seed, uint64(k.i))
			return string([]byte{byte('A' + h%26), byte('A' + (h/26)%26)}) + "-" + strconv.FormatUint(100+v, 10)
		}
	}
}

type chemShape struct {
	casValid, mwValid bool
	nSyn              int
	mesh, chebi, nsc  bool
	ambiguous         bool
}

func (s *chemSpace) shape(rr *rowRNG, i int64) chemShape {
	if i < int64(len(curatedChemicals)) {
		c := curatedChemicals[i]
		return chemShape{casValid: true, mwValid: c.mw > 0, nSyn: len(c.syn), mesh: true, chebi: true}
	}
	r := rr.at(kChemShape, i)
	var sh chemShape
	sh.casValid = r.IntN(100) >= 12
	sh.mwValid = r.IntN(100) >= 5
	switch u := r.IntN(100); {
	case u < 40:
		sh.nSyn = 0
	case u < 82:
		sh.nSyn = 1
	case u < 96:
		sh.nSyn = 2
	default:
		sh.nSyn = 3
	}
	sh.mesh = r.IntN(100) < 60
	sh.chebi = r.IntN(100) < 25
	sh.nsc = r.IntN(100) < 8
	sh.ambiguous = i%chemAmbiguousEvery == chemAmbiguousAt
	return sh
}

func (sh chemShape) aliasCount() int {
	return 1 + sh.nSyn + b2i(sh.ambiguous) + b2i(sh.casValid) + b2i(sh.mesh) + b2i(sh.chebi) + b2i(sh.nsc)
}

type chemRow struct {
	name, cas, formula string
	casValid, fValid   bool
	mw                 float64
	mwValid            bool
}

func (s *chemSpace) casNumber(i int64) string {
	body := 10_000_000 + s.cas.at(uint64(i))
	sum, pos := uint64(0), uint64(1)
	for v := body; v > 0; v /= 10 {
		sum += (v % 10) * pos
		pos++
	}
	return pad(body/100, 6) + "-" + pad(body%100, 2) + "-" + strconv.FormatUint(sum%10, 10)
}

func (s *chemSpace) chemical(rr *rowRNG, i int64, aliases *[]aliasRow) chemRow {
	k := s.key(i)
	sh := s.shape(rr, i)
	r := rr.at(kChemRender, i)
	c := chemRow{name: k.name()}
	if sh.casValid {
		c.cas, c.casValid = s.casNumber(i), true
	}
	if k.pat == cpCurated {
		cc := curatedChemicals[i]
		c.formula, c.fValid = cc.formula, cc.formula != ""
		c.mw, c.mwValid = cc.mw, cc.mw > 0
	} else if a, ok := k.formula(r); ok {
		c.formula, c.fValid = a.hill(), true
		c.mw, c.mwValid = a.weight(), sh.mwValid
	}
	if aliases == nil {
		return c
	}
	a := *aliases
	a = append(a, aliasRow{c.name, aliasPreferred})
	if k.pat == cpCurated {
		for _, v := range curatedChemicals[i].syn {
			a = append(a, aliasRow{v, aliasSynonym})
		}
	} else {
		var kinds [3]int
		for _, kind := range chooseDistinct(r, kinds[:0], sh.nSyn, 3) {
			a = append(a, aliasRow{s.synonym(k, c.name, kind), aliasSynonym})
		}
	}
	if sh.ambiguous {
		g := int64(hash2(s.seed^0xc4e, uint64(i)) % uint64(s.genes.n))
		a = append(a, aliasRow{s.genes.symbol(g), aliasSynonym})
	}
	if sh.casValid {
		a = append(a, aliasRow{c.cas, aliasCode})
	}
	if sh.mesh {
		a = append(a, aliasRow{"MESH:C" + pad(1+s.mesh.at(uint64(i)), 6), aliasCode})
	}
	if sh.chebi {
		a = append(a, aliasRow{"CHEBI:" + strconv.FormatUint(1000+s.chebi.at(uint64(i)), 10), aliasCode})
	}
	if sh.nsc {
		a = append(a, aliasRow{"NSC " + strconv.FormatUint(100+s.nsc.at(uint64(i)), 10), aliasCode})
	}
	*aliases = a
	return c
}

// ---- table -----------------------------------------------------------------

type chemSource struct {
	s    *chemSpace
	base int64
	rr   *rowRNG
	next int64
}

func (src *chemSource) fill(b *array.RecordBuilder, n int) {
	ids := b.Field(0).(*array.Int64Builder)
	names := b.Field(1).(*array.StringBuilder)
	cas := b.Field(2).(*array.StringBuilder)
	form := b.Field(3).(*array.StringBuilder)
	mw := b.Field(4).(*array.Float64Builder)
	names.ReserveData(n * 24)
	cas.ReserveData(n * 11)
	for k := 0; k < n; k++ {
		i := src.next
		src.next++
		c := src.s.chemical(src.rr, i, nil)
		ids.Append(src.base + i + 1)
		names.Append(c.name)
		if c.casValid {
			cas.Append(c.cas)
		} else {
			cas.AppendNull()
		}
		if c.fValid {
			form.Append(c.formula)
		} else {
			form.AppendNull()
		}
		if c.mwValid {
			mw.Append(c.mw)
		} else {
			mw.AppendNull()
		}
	}
}

func (d *dataset) chemicalsTable() Table {
	return d.table("chemicals", chemicalsSchema, d.nChems, func() rowSource {
		return &chemSource{s: d.chems, base: d.chemBase, rr: newRowRNG(d.seed)}
	})
}
