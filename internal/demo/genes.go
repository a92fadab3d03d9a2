package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

var genesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "entity_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "symbol", Type: arrow.BinaryTypes.String},
	{Name: "name", Type: arrow.BinaryTypes.String},
	{Name: "chrom", Type: arrow.BinaryTypes.String},
	{Name: "start", Type: arrow.PrimitiveTypes.Int64},
	{Name: "end", Type: arrow.PrimitiveTypes.Int64},
	{Name: "strand", Type: arrow.BinaryTypes.String},
	{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

// geneFamilies are HGNC-like gene family roots (letters only, so that
// "root + digits" parses back uniquely) with their descriptive names.
var geneFamilies = []struct{ sym, name string }{
	{"ABC", "ATP binding cassette subfamily"},
	{"ACAD", "acyl-CoA dehydrogenase"},
	{"ACSL", "acyl-CoA synthetase long chain family member"},
	{"ADAM", "ADAM metallopeptidase domain"},
	{"ADAMTS", "ADAM metallopeptidase with thrombospondin type 1 motif"},
	{"ADCY", "adenylate cyclase"},
	{"ADH", "alcohol dehydrogenase"},
	{"AKR", "aldo-keto reductase family"},
	{"ALDH", "aldehyde dehydrogenase"},
	{"ANKRD", "ankyrin repeat domain"},
	{"ANXA", "annexin A"},
	{"AQP", "aquaporin"},
	{"ARHGAP", "Rho GTPase activating protein"},
	{"ARHGEF", "Rho guanine nucleotide exchange factor"},
	{"ARID", "AT-rich interaction domain"},
	{"ATP", "ATPase"},
	{"BMP", "bone morphogenetic protein"},
	{"CACNA", "calcium voltage-gated channel subunit alpha"},
	{"CAPN", "calpain"},
	{"CASP", "caspase"},
	{"CCDC", "coiled-coil domain containing"},
	{"CCL", "C-C motif chemokine ligand"},
	{"CCR", "C-C motif chemokine receptor"},
	{"CD", "CD molecule"},
	{"CDH", "cadherin"},
	{"CDK", "cyclin dependent kinase"},
	{"CEACAM", "CEA cell adhesion molecule"},
	{"CES", "carboxylesterase"},
	{"CHRN", "cholinergic receptor nicotinic subunit"},
	{"CLDN", "claudin"},
	{"CLEC", "C-type lectin domain family"},
	{"COL", "collagen type"},
	{"CSNK", "casein kinase"},
	{"CXCL", "C-X-C motif chemokine ligand"},
	{"CYP", "cytochrome P450"},
	{"DDX", "DEAD-box helicase"},
	{"DNAH", "dynein axonemal heavy chain"},
	{"DNAJ", "DnaJ heat shock protein family member"},
	{"DUSP", "dual specificity phosphatase"},
	{"EIF", "eukaryotic translation initiation factor"},
	{"ELOVL", "ELOVL fatty acid elongase"},
	{"EPHA", "EPH receptor A"},
	{"ERBB", "erb-b2 receptor tyrosine kinase"},
	{"FAM", "family with sequence similarity"},
	{"FBXO", "F-box protein"},
	{"FGF", "fibroblast growth factor"},
	{"FGFR", "fibroblast growth factor receptor"},
	{"FOX", "forkhead box"},
	{"FZD", "frizzled class receptor"},
	{"GABR", "gamma-aminobutyric acid type A receptor subunit"},
	{"GATA", "GATA binding protein"},
	{"GJB", "gap junction protein beta"},
	{"GPR", "G protein-coupled receptor"},
	{"GRIN", "glutamate ionotropic receptor NMDA type subunit"},
	{"GSTA", "glutathione S-transferase alpha"},
	{"GSTM", "glutathione S-transferase mu"},
	{"GUCY", "guanylate cyclase"},
	{"HDAC", "histone deacetylase"},
	{"HOXA", "homeobox A"},
	{"HSPA", "heat shock protein family A (Hsp70) member"},
	{"HTR", "5-hydroxytryptamine receptor"},
	{"IGF", "insulin like growth factor"},
	{"IL", "interleukin"},
	{"ITGA", "integrin subunit alpha"},
	{"KCNA", "potassium voltage-gated channel subfamily A member"},
	{"KCNJ", "potassium inwardly rectifying channel subfamily J member"},
	{"KIF", "kinesin family member"},
	{"KLF", "KLF transcription factor"},
	{"KLHL", "kelch like family member"},
	{"KRT", "keratin"},
	{"LAMA", "laminin subunit alpha"},
	{"LINC", "long intergenic non-protein coding RNA"},
	{"LRRC", "leucine rich repeat containing"},
	{"MAPK", "mitogen-activated protein kinase"},
	{"MED", "mediator complex subunit"},
	{"MIR", "microRNA"},
	{"MMP", "matrix metallopeptidase"},
	{"MRPL", "mitochondrial ribosomal protein L"},
	{"MUC", "mucin"},
	{"MYO", "myosin"},
	{"NDUFA", "NADH:ubiquinone oxidoreductase subunit A"},
	{"NLRP", "NLR family pyrin domain containing"},
	{"NOTCH", "notch receptor"},
	{"NR", "nuclear receptor subfamily"},
	{"OR", "olfactory receptor family"},
	{"PAX", "paired box"},
	{"PCDH", "protocadherin"},
	{"PDE", "phosphodiesterase"},
	{"PLEKHA", "pleckstrin homology domain containing A"},
	{"PPP", "protein phosphatase"},
	{"PRSS", "serine protease"},
	{"PSMA", "proteasome 20S subunit alpha"},
	{"PTPR", "protein tyrosine phosphatase receptor type"},
	{"RAB", "RAB, member RAS oncogene family"},
	{"RBM", "RNA binding motif protein"},
	{"RNF", "ring finger protein"},
	{"RPL", "ribosomal protein L"},
	{"RPS", "ribosomal protein S"},
	{"SCN", "sodium voltage-gated channel"},
	{"SEMA", "semaphorin"},
	{"SERPINA", "serpin family A member"},
	{"SLC", "solute carrier"},
	{"SMAD", "SMAD family member"},
	{"SNORA", "small nucleolar RNA, H/ACA box"},
	{"SNORD", "small nucleolar RNA, C/D box"},
	{"SNX", "sorting nexin"},
	{"SOX", "SRY-box transcription factor"},
	{"SPATA", "spermatogenesis associated"},
	{"STAT", "signal transducer and activator of transcription"},
	{"SULT", "sulfotransferase family"},
	{"SYT", "synaptotagmin"},
	{"TLR", "toll like receptor"},
	{"TMEM", "transmembrane protein"},
	{"TNFRSF", "TNF receptor superfamily member"},
	{"TNFSF", "TNF superfamily member"},
	{"TRIM", "tripartite motif containing"},
	{"TRPM", "transient receptor potential cation channel subfamily M member"},
	{"TTC", "tetratricopeptide repeat domain"},
	{"TUBB", "tubulin beta class"},
	{"UBE", "ubiquitin conjugating enzyme"},
	{"UGT", "UDP glucuronosyltransferase family"},
	{"USP", "ubiquitin specific peptidase"},
	{"WDR", "WD repeat domain"},
	{"WNT", "Wnt family member"},
	{"ZBTB", "zinc finger and BTB domain containing"},
	{"ZNF", "zinc finger protein"},
}

// curatedGenes are real genes placed at the first gene indices so that every
// scale contains familiar entities (and the Greek/slash aliases of the brief).
var curatedGenes = []struct {
	sym, name, chrom string
	start, end       int64
	strand           string
	syn              []string
}{
	{"TNF", "tumor necrosis factor", "6", 31575565, 31578336, "+", []string{"TNF-α", "TNFA", "tumor necrosis factor α", "cachectin"}},
	{"IFNG", "interferon gamma", "12", 68154768, 68159747, "-", []string{"interferon γ", "IFN-γ"}},
	{"IL6", "interleukin 6", "7", 22725884, 22732002, "+", []string{"IL-6", "IFNB2", "BSF-2"}},
	{"HLA-B", "major histocompatibility complex, class I, B", "6", 31353872, 31357188, "-", []string{"HLA-B/C", "HLAB"}},
	{"BRCA1", "BRCA1 DNA repair associated", "17", 43044295, 43125483, "-", []string{"BRCC1", "RNF53"}},
	{"TP53", "tumor protein p53", "17", 7661779, 7687550, "-", []string{"p53", "LFS1"}},
	{"DES", "desmin", "2", 219418377, 219426739, "+", []string{"CMD1I"}},
	{"SDS", "serine dehydratase", "12", 113392186, 113412024, "-", []string{"SDH"}},
	{"PAH", "phenylalanine hydroxylase", "12", 102836889, 102958441, "-", []string{"PKU1"}},
	{"EGFR", "epidermal growth factor receptor", "7", 55019017, 55211628, "+", []string{"ErbB1", "HER1"}},
	{"APOE", "apolipoprotein E", "19", 44905796, 44909393, "+", []string{"ApoE", "AD2"}},
	{"CFTR", "CF transmembrane conductance regulator", "7", 117480025, 117668665, "+", []string{"ABCC7", "CFTR/MRP"}},
	{"ESR1", "estrogen receptor 1", "6", 151656691, 152129619, "+", []string{"ERα", "ESR", "NR3A1"}},
	{"AHR", "aryl hydrocarbon receptor", "7", 17298622, 17346152, "+", []string{"bHLHe76"}},
	{"CYP1A1", "cytochrome P450 family 1 subfamily A member 1", "15", 74719542, 74725536, "-", []string{"AHH", "P450-C"}},
	{"MTHFR", "methylenetetrahydrofolate reductase", "1", 11785723, 11806455, "-", nil},
	{"ACE", "angiotensin I converting enzyme", "17", 63477061, 63498380, "+", []string{"DCP1", "CD143"}},
	{"MYH7", "myosin heavy chain 7", "14", 23412740, 23435660, "-", []string{"CMH1", "β-MHC"}},
	{"CAT", "catalase", "11", 34438934, 34472060, "+", nil},
	{"PPARG", "peroxisome proliferator activated receptor gamma", "3", 12287368, 12434356, "+", []string{"PPARγ", "NR1C3"}},
	{"NFKB1", "nuclear factor kappa B subunit 1", "4", 102501329, 102617302, "+", []string{"NF-κB1", "p105"}},
	{"IL1B", "interleukin 1 beta", "2", 112829751, 112836903, "-", []string{"IL-1β"}},
	{"TGFB1", "transforming growth factor beta 1", "19", 41330323, 41353922, "-", []string{"TGF-β1"}},
	{"HIF1A", "hypoxia inducible factor 1 subunit alpha", "14", 61695513, 61748259, "+", []string{"HIF-1α"}},
	{"NQO1", "NAD(P)H quinone dehydrogenase 1", "16", 69706996, 69726668, "-", []string{"DTD", "DIA4"}},
	{"SOD1", "superoxide dismutase 1", "21", 31659622, 31668931, "+", []string{"ALS1"}},
	{"GSTM1", "glutathione S-transferase mu 1", "1", 109687814, 109709039, "+", []string{"MU-1"}},
	{"CYP2E1", "cytochrome P450 family 2 subfamily E member 1", "10", 133520406, 133561220, "+", []string{"P450-J"}},
	{"BRCA2", "BRCA2 DNA repair associated", "13", 32315508, 32400268, "+", []string{"FANCD1"}},
	{"MT-CO1", "mitochondrially encoded cytochrome c oxidase I", "MT", 5904, 7445, "+", []string{"COX1", "MTCO1"}},
}

var curatedGeneSymbols = func() map[string]bool {
	m := make(map[string]bool, len(curatedGenes))
	for _, g := range curatedGenes {
		m[g.sym] = true
	}
	return m
}()

// Chromosomes (GRCh38 lengths) with weights ~ their gene density.
var chroms = []struct {
	name   string
	length int64
	weight int
}{
	{"1", 248956422, 2050}, {"2", 242193529, 1300}, {"3", 198295559, 1080},
	{"4", 190214555, 750}, {"5", 181538259, 880}, {"6", 170805979, 1040},
	{"7", 159345973, 920}, {"8", 145138636, 680}, {"9", 138394717, 780},
	{"10", 133797422, 730}, {"11", 135086622, 1300}, {"12", 133275309, 1030},
	{"13", 114364328, 320}, {"14", 107043718, 600}, {"15", 101991189, 600},
	{"16", 90338345, 850}, {"17", 83257441, 1180}, {"18", 80373285, 270},
	{"19", 58617616, 1470}, {"20", 64444167, 540}, {"21", 46709983, 230},
	{"22", 50818468, 440}, {"X", 156040895, 840}, {"Y", 57227415, 60},
	{"MT", 16569, 13},
}

var chromWeights, chromTotal = func() ([]int, int) {
	w := make([]int, len(chroms))
	t := 0
	for i, c := range chroms {
		w[i] = c.weight
		t += c.weight
	}
	return w, t
}()

var greekLetters = []string{"α", "β", "γ", "δ", "ε", "κ"}

// Gene symbol patterns.
const (
	gpPlain    = iota // ZNF217
	gpSubfam          // SLC6A4
	gpSuffix          // TMEM9B
	gpOrf             // C1orf112
	gpLOC             // LOC105371234
	gpFallback        // LOC + (1,000,000 + index): used when a pattern is exhausted
	gpCurated
)

const (
	plainMax  = 120
	subN      = 12
	subL      = 4
	subM      = 12
	suffixN   = 60
	suffixL   = 5
	orfN      = 250
	locSpace  = 900_000
	orfChroms = 24 // 1..22, X, Y
)

type geneSpace struct {
	n      int64
	order  perm
	mix    mixer
	pat    [5]perm
	hgnc   perm
	ens    perm
	legacy perm
}

func newGeneSpace(seed uint64, n int64) *geneSpace {
	F := uint64(len(geneFamilies))
	s := &geneSpace{n: n}
	s.order = newPerm(uint64(n), seed, pGeneOrder)
	s.mix = newMixer(5, 6, 5, 1, 3)
	sizes := [5]uint64{F * plainMax, F * subN * subL * subM, F * suffixN * suffixL, orfChroms * orfN, locSpace}
	for p, sz := range sizes {
		s.pat[p] = newPerm(sz, seed, pGenePattern+uint64(p)<<8)
	}
	s.hgnc = newPerm(uint64(max(n, 70_000)), seed, pHGNC)
	s.ens = newPerm(uint64(max(n, 900_000)), seed, pEnsembl)
	s.legacy = newPerm(uint64(max(n, 100_000)), seed, pLegacy)
	return s
}

// geneKey is the decoded, string-free identity of a gene.
type geneKey struct {
	i       int64
	pat     int
	fam     int
	a, b, c int // pattern-dependent numbers/letters
}

func (s *geneSpace) key(i int64) geneKey {
	if i < int64(len(curatedGenes)) {
		return geneKey{i: i, pat: gpCurated, fam: int(i)}
	}
	F := uint64(len(geneFamilies))
	j := s.order.at(uint64(i))
	p, rank := s.mix.pick(j)
	if rank >= s.pat[p].n {
		return geneKey{i: i, pat: gpFallback}
	}
	code := s.pat[p].at(rank)
	k := geneKey{i: i, pat: p}
	switch p {
	case gpPlain:
		k.fam, k.a = int(code%F), int(code/F)+1
	case gpSubfam:
		k.fam = int(code % F)
		r := code / F
		k.a = int(r%subN) + 1
		r /= subN
		k.b = int(r % subL)
		k.c = int(r/subL) + 1
	case gpSuffix:
		k.fam = int(code % F)
		r := code / F
		k.a = int(r%suffixN) + 1
		k.b = int(r / suffixN)
	case gpOrf:
		k.a = int(code % orfChroms) // chromosome index
		k.b = int(code/orfChroms) + 1
	case gpLOC:
		k.a = int(code)
	}
	if curatedGeneSymbols[k.symbol()] {
		return geneKey{i: i, pat: gpFallback}
	}
	return k
}

func (k geneKey) symbol() string {
	var b []byte
	switch k.pat {
	case gpCurated:
		return curatedGenes[k.fam].sym
	case gpPlain:
		b = append(b, geneFamilies[k.fam].sym...)
		b = strconv.AppendInt(b, int64(k.a), 10)
	case gpSubfam:
		b = append(b, geneFamilies[k.fam].sym...)
		b = strconv.AppendInt(b, int64(k.a), 10)
		b = append(b, byte('A'+k.b))
		b = strconv.AppendInt(b, int64(k.c), 10)
	case gpSuffix:
		b = append(b, geneFamilies[k.fam].sym...)
		b = strconv.AppendInt(b, int64(k.a), 10)
		b = append(b, byte('A'+k.b))
	case gpOrf:
		b = append(b, 'C')
		b = append(b, chroms[k.a].name...)
		b = append(b, "orf"...)
		b = strconv.AppendInt(b, int64(k.b), 10)
	case gpLOC:
		b = append(b, "LOC"...)
		b = strconv.AppendInt(b, 100_000+int64(k.a), 10)
	default:
		b = append(b, "LOC"...)
		b = strconv.AppendInt(b, 1_000_000+k.i, 10)
	}
	return string(b)
}

func (k geneKey) name() string {
	switch k.pat {
	case gpCurated:
		return curatedGenes[k.fam].name
	case gpPlain:
		f := geneFamilies[k.fam].name
		return f + " " + strconv.Itoa(k.a)
	case gpSubfam:
		f := geneFamilies[k.fam].name
		return f + " " + strconv.Itoa(k.a) + string(rune('A'+k.b)) + strconv.Itoa(k.c)
	case gpSuffix:
		f := geneFamilies[k.fam].name
		return f + " " + strconv.Itoa(k.a) + string(rune('A'+k.b))
	case gpOrf:
		return "chromosome " + chroms[k.a].name + " open reading frame " + strconv.Itoa(k.b)
	default:
		return "uncharacterized " + k.symbol()
	}
}

// geneSymbol returns the symbol of gene index i (used by other tables).
func (s *geneSpace) symbol(i int64) string { return s.key(i).symbol() }

type geneShape struct {
	nExtra  int
	nameSyn bool
	ensembl bool
}

func (s *geneSpace) shape(rr *rowRNG, i int64) geneShape {
	if i < int64(len(curatedGenes)) {
		return geneShape{nExtra: len(curatedGenes[i].syn), nameSyn: true, ensembl: true}
	}
	r := rr.at(kGeneShape, i)
	var sh geneShape
	switch u := r.IntN(100); {
	case u < 60:
		sh.nExtra = 0
	case u < 88:
		sh.nExtra = 1
	case u < 98:
		sh.nExtra = 2
	default:
		sh.nExtra = 3
	}
	sh.nameSyn = r.IntN(100) < 60
	sh.ensembl = r.IntN(100) < 30
	return sh
}

func (sh geneShape) aliasCount() int {
	return 1 + sh.nExtra + b2i(sh.nameSyn) + 1 + b2i(sh.ensembl)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

type geneRow struct {
	symbol, name, chrom, strand string
	start, end                  int64
	score                       float64
	scoreValid                  bool
}

// gene renders gene index i. When aliases is non-nil the gene's aliases
// (preferred, synonyms, codes) are appended to it.
func (s *geneSpace) gene(rr *rowRNG, i int64, aliases *[]aliasRow) geneRow {
	k := s.key(i)
	sh := s.shape(rr, i)
	g := geneRow{symbol: k.symbol(), name: k.name()}
	r := rr.at(kGeneRender, i)
	if k.pat == gpCurated {
		c := curatedGenes[i]
		g.chrom, g.start, g.end, g.strand = c.chrom, c.start, c.end, c.strand
	} else {
		ci := weighted(r, chromWeights, chromTotal)
		if k.pat == gpOrf {
			ci = k.a
		}
		c := chroms[ci]
		g.chrom = c.name
		var length int64
		if c.name == "MT" {
			length = 60 + r.Int64N(1540)
			g.start = 1 + r.Int64N(c.length-length)
		} else {
			// Roughly log-uniform gene length between 512 bp and 4 Mb,
			// skewed short (integer arithmetic only, so the data is
			// identical on every platform).
			e := 9 + r.IntN(1+r.IntN(13))
			length = 1<<e + r.Int64N(1<<e)
			g.start = 10_000 + r.Int64N(c.length-length-20_000)
		}
		g.end = g.start + length
		g.strand = "+"
		if r.IntN(2) == 1 {
			g.strand = "-"
		}
	}
	if r.IntN(100) >= 7 {
		g.score = float64(r.IntN(1001)) / 10
		g.scoreValid = true
	}
	if aliases == nil {
		return g
	}
	a := *aliases
	a = append(a, aliasRow{g.symbol, aliasPreferred})
	if sh.nameSyn {
		a = append(a, aliasRow{g.name, aliasSynonym})
	}
	if k.pat == gpCurated {
		for _, v := range curatedGenes[i].syn {
			a = append(a, aliasRow{v, aliasSynonym})
		}
	} else {
		var kinds [4]int
		for _, kind := range chooseDistinct(r, kinds[:0], sh.nExtra, 4) {
			a = append(a, aliasRow{s.extraSynonym(r, k, g.symbol, kind), aliasSynonym})
		}
	}
	a = append(a, aliasRow{"HGNC:" + strconv.FormatUint(1+s.hgnc.at(uint64(i)), 10), aliasCode})
	if sh.ensembl {
		a = append(a, aliasRow{ensemblID(s.ens.at(uint64(i))), aliasCode})
	}
	*aliases = a
	return g
}

func ensemblID(v uint64) string {
	b := make([]byte, 0, 15)
	b = append(b, "ENSG"...)
	d := strconv.FormatUint(100_000+v, 10)
	for n := len(d); n < 11; n++ {
		b = append(b, '0')
	}
	return string(append(b, d...))
}

// splitSymbol splits "ZNF217" into "ZNF" and "217".
func splitSymbol(sym string) (letters, rest string) {
	n := strings.IndexAny(sym, "0123456789")
	if n <= 0 {
		return sym, ""
	}
	return sym[:n], sym[n:]
}

// extraSynonym renders synonym kind 0..3 of a generated gene. Each kind is an
// injective function of the symbol (or of the index), so generated synonyms
// never collide by accident.
func (s *geneSpace) extraSynonym(r *rand.Rand, k geneKey, sym string, kind int) string {
	letters, rest := splitSymbol(sym)
	switch kind {
	case 0: // IL-6 style
		if k.pat == gpOrf {
			return strings.ToUpper(sym)
		}
		return letters + "-" + rest
	case 1: // HIF-1α style
		return letters + "-" + rest + greekLetters[r.IntN(len(greekLetters))]
	case 2: // legacy clone names
		v := s.legacy.at(uint64(k.i))
		switch {
		case v < 10_000:
			return "KIAA" + pad(v, 4)
		case hash2(v, 7)&1 == 0:
			return "FLJ" + pad(v, 5)
		default:
			return "MGC" + pad(v, 5)
		}
	default: // HLA-B/C style
		last := sym[len(sym)-1]
		if last >= '0' && last <= '9' {
			n := len(sym)
			for n > 0 && sym[n-1] >= '0' && sym[n-1] <= '9' {
				n--
			}
			v, _ := strconv.Atoi(sym[n:])
			return sym + "/" + strconv.Itoa(v+1)
		}
		return sym + "/" + string(rune(last+1))
	}
}

func pad(v uint64, w int) string {
	s := strconv.FormatUint(v, 10)
	if len(s) >= w {
		return s
	}
	return strings.Repeat("0", w-len(s)) + s
}

// ---- table -----------------------------------------------------------------

type geneSource struct {
	s    *geneSpace
	base int64
	rr   *rowRNG
	next int64
}

func (src *geneSource) fill(b *array.RecordBuilder, n int) {
	ids := b.Field(0).(*array.Int64Builder)
	syms := b.Field(1).(*array.StringBuilder)
	names := b.Field(2).(*array.StringBuilder)
	chr := b.Field(3).(*array.StringBuilder)
	starts := b.Field(4).(*array.Int64Builder)
	ends := b.Field(5).(*array.Int64Builder)
	strands := b.Field(6).(*array.StringBuilder)
	scores := b.Field(7).(*array.Float64Builder)
	names.ReserveData(n * 32)
	for k := 0; k < n; k++ {
		i := src.next
		src.next++
		g := src.s.gene(src.rr, i, nil)
		ids.Append(src.base + i + 1)
		syms.Append(g.symbol)
		names.Append(g.name)
		chr.Append(g.chrom)
		starts.Append(g.start)
		ends.Append(g.end)
		strands.Append(g.strand)
		if g.scoreValid {
			scores.Append(g.score)
		} else {
			scores.AppendNull()
		}
	}
}

func (d *dataset) genesTable() Table {
	return d.table("genes", genesSchema, d.nGenes, func() rowSource {
		return &geneSource{s: d.genes, base: d.geneBase, rr: newRowRNG(d.seed)}
	})
}
