package demo

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

var diseasesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "entity_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "name", Type: arrow.BinaryTypes.String},
	{Name: "mesh_id", Type: arrow.BinaryTypes.String},
}, nil)

var inheritance = []struct{ word, abbr string }{
	{"", ""}, {"familial", "F"}, {"autosomal dominant", "AD"}, {"autosomal recessive", "AR"},
	{"X-linked", "XL"}, {"congenital", "C"}, {"early-onset", "EO"}, {"juvenile", "J"},
	{"hereditary", "H"}, {"progressive", "P"},
}

// Numbered (OMIM-style) conditions with their phenotype-series acronym.
var conditions = []struct{ name, acr string }{
	{"hypertrophic cardiomyopathy", "CMH"}, {"dilated cardiomyopathy", "CMD"},
	{"arrhythmogenic right ventricular cardiomyopathy", "ARVC"}, {"long QT syndrome", "LQT"},
	{"Brugada syndrome", "BRGDA"}, {"spastic paraplegia", "SPG"},
	{"intellectual developmental disorder", "MRD"}, {"retinitis pigmentosa", "RP"},
	{"cone-rod dystrophy", "CORD"}, {"Leber congenital amaurosis", "LCA"},
	{"developmental and epileptic encephalopathy", "DEE"}, {"limb-girdle muscular dystrophy", "LGMD"},
	{"spinocerebellar ataxia", "SCA"}, {"nonsyndromic deafness", "DFN"},
	{"nephrotic syndrome", "NPHS"}, {"nephronophthisis", "NPHP"},
	{"polycystic kidney disease", "PKD"}, {"Charcot-Marie-Tooth disease", "CMT"},
	{"Bardet-Biedl syndrome", "BBS"}, {"Joubert syndrome", "JBTS"},
	{"Meckel syndrome", "MKS"}, {"Ehlers-Danlos syndrome", "EDS"},
	{"osteogenesis imperfecta", "OI"}, {"primary ciliary dyskinesia", "CILD"},
	{"congenital myasthenic syndrome", "CMS"}, {"mitochondrial complex I deficiency", "MC1DN"},
	{"glycogen storage disease", "GSD"}, {"hypogonadotropic hypogonadism", "HH"},
	{"macular degeneration", "ARMD"}, {"primary microcephaly", "MCPH"},
	{"amyotrophic lateral sclerosis", "ALS"}, {"frontotemporal dementia", "FTD"},
	{"Parkinson disease", "PARK"}, {"focal epilepsy", "EPI"},
	{"maturity-onset diabetes of the young", "MODY"}, {"immunodeficiency", "IMD"},
	{"Fanconi anemia", "FA"}, {"Usher syndrome", "USH"},
	{"Noonan syndrome", "NS"}, {"Cornelia de Lange syndrome", "CDLS"},
	{"autoinflammatory syndrome", "AIS"}, {"cutis laxa", "ARCL"},
	{"ectodermal dysplasia", "ECTD"}, {"epidermolysis bullosa", "EB"},
	{"hemolytic anemia", "HA"},
}

var eponyms = []string{
	"Alport", "Angelman", "Bartter", "Batten", "Behçet", "Bernard-Soulier", "Churg-Strauss",
	"Cockayne", "Creutzfeldt-Jakob", "Cushing", "Déjerine-Sottas", "Dravet", "Fabry",
	"Gaucher", "Gitelman", "Graves", "Hashimoto", "Henoch-Schönlein", "Hirschsprung",
	"Huntington", "Kawasaki", "Krabbe", "Leigh", "Lesch-Nyhan", "Löfgren", "Marfan",
	"Ménétrier", "Ménière", "Niemann-Pick", "Pelizaeus-Merzbacher", "Pompe", "Refsum",
	"Rett", "Sandhoff", "Sjögren", "Sjögren-Larsson", "Stargardt", "Tay-Sachs",
	"Waardenburg", "Waldenström", "Wilson", "Wolfram", "Zellweger", "Guillain-Barré", "Crohn",
}

var eponymKinds = []string{"disease", "syndrome", "-like syndrome"}

var tumorModifiers = []string{"metastatic", "recurrent", "childhood", "familial", "sporadic", "invasive", "early-stage", "advanced"}

var tumorOrgans = []struct{ adj, noun string }{
	{"breast", "breast"}, {"lung", "lung"}, {"colorectal", "colon and rectum"}, {"gastric", "stomach"},
	{"pancreatic", "pancreas"}, {"ovarian", "ovary"}, {"prostate", "prostate"}, {"thyroid", "thyroid gland"},
	{"renal", "kidney"}, {"bladder", "urinary bladder"}, {"esophageal", "esophagus"}, {"cervical", "cervix"},
	{"endometrial", "endometrium"}, {"hepatocellular", "liver"}, {"biliary", "bile duct"}, {"oral", "oral cavity"},
	{"nasopharyngeal", "nasopharynx"}, {"laryngeal", "larynx"}, {"skin", "skin"}, {"testicular", "testis"},
	{"adrenocortical", "adrenal gland"}, {"salivary gland", "salivary gland"}, {"thymic", "thymus"},
	{"uterine", "uterus"}, {"gallbladder", "gallbladder"},
}

var tumorTypes = []string{
	"carcinoma", "adenocarcinoma", "squamous cell carcinoma", "neuroendocrine tumor", "sarcoma",
	"small cell carcinoma", "adenoma", "carcinoma in situ", "papillary carcinoma",
	"mucinous adenocarcinoma", "clear cell carcinoma", "lymphoma",
}

var deficiencyConditions = []string{
	"anemia", "hypotonia", "immunodeficiency", "myopathy", "neuropathy", "encephalopathy",
	"cardiomyopathy", "lactic acidosis", "hypoglycemia", "cholestasis", "hearing loss", "intellectual disability",
}

var organPrefixes = []string{"acute", "chronic", "subacute", ""}

var organs = []struct{ adj, noun string }{
	{"renal", "kidney"}, {"hepatic", "liver"}, {"pulmonary", "lung"}, {"cardiac", "heart"},
	{"pancreatic", "pancreas"}, {"intestinal", "intestine"}, {"gastric", "stomach"}, {"cerebral", "brain"},
	{"spinal", "spinal cord"}, {"muscular", "skeletal muscle"}, {"cutaneous", "skin"}, {"ocular", "eye"},
	{"vascular", "blood vessels"}, {"thyroid", "thyroid gland"}, {"adrenal", "adrenal gland"},
	{"biliary", "biliary tract"}, {"esophageal", "esophagus"}, {"splenic", "spleen"},
	{"laryngeal", "larynx"}, {"bronchial", "bronchi"},
}

var organConditions = []string{"disease", "failure", "fibrosis", "insufficiency", "inflammation", "injury", "dysfunction"}

var toxicities = []string{
	"hepatotoxicity", "nephrotoxicity", "neurotoxicity", "cardiotoxicity", "ototoxicity",
	"contact dermatitis", "pneumonitis", "methemoglobinemia",
}

type curatedDisease struct {
	name string
	syn  []string
}

var curatedDiseases = []curatedDisease{
	{"Sjögren syndrome", []string{"Sjogren's syndrome", "Sjögren's syndrome", "sicca syndrome"}},
	{"familial hypertrophic cardiomyopathy 3", []string{"CMH3", "hypertrophic cardiomyopathy, familial, 3"}},
	{"Alzheimer disease", []string{"Alzheimer's disease", "AD", "senile dementia of the Alzheimer type"}},
	{"Behçet disease", []string{"Behcet's disease", "Behçet syndrome"}},
	{"Ménière disease", []string{"Meniere's disease", "endolymphatic hydrops"}},
	{"Crohn disease", []string{"Crohn's disease", "regional enteritis"}},
	{"Parkinson disease", []string{"Parkinson's disease", "PD", "paralysis agitans"}},
	{"breast neoplasms", []string{"breast cancer", "mammary carcinoma"}},
	{"asthma", []string{"bronchial asthma"}},
	{"type 2 diabetes mellitus", []string{"T2DM", "non-insulin-dependent diabetes mellitus"}},
	{"hepatocellular carcinoma", []string{"HCC", "liver cell carcinoma"}},
	{"cystic fibrosis", []string{"CF", "mucoviscidosis"}},
	{"phenylketonuria", []string{"PKU", "phenylalanine hydroxylase deficiency"}},
	{"Guillain-Barré syndrome", []string{"Guillain-Barre syndrome", "GBS", "acute inflammatory demyelinating polyneuropathy"}},
	{"non-small cell lung carcinoma", []string{"NSCLC", "non-small-cell lung cancer"}},
	{"chemical and drug induced liver injury", []string{"DILI", "drug-induced liver injury"}},
	{"Hodgkin lymphoma", []string{"Hodgkin's disease", "HL"}},
	{"Waldenström macroglobulinemia", []string{"Waldenstrom's macroglobulinemia", "lymphoplasmacytic lymphoma"}},
}

// Disease name patterns.
const (
	dpNumbered   = iota // familial hypertrophic cardiomyopathy 3
	dpEponym            // Marfan syndrome type 2
	dpTumor             // metastatic pancreatic adenocarcinoma
	dpDeficiency        // anemia due to PKLR1 deficiency
	dpOrgan             // chronic renal failure
	dpToxic             // 4-chlorophenol-induced hepatotoxicity
	dpFallback
	dpCurated
)

const (
	numberedMax     = 60
	eponymTypes     = 6
	disAmbiguousEvy = 97
	disAmbiguousAt  = 13
)

type disSpace struct {
	seed  uint64
	n     int64
	genes *geneSpace
	order perm
	mix   mixer
	pat   [6]perm
	mesh  perm
	omim  perm
	doid  perm
}

func newDisSpace(seed uint64, n int64, genes *geneSpace) *disSpace {
	s := &disSpace{seed: seed, n: n, genes: genes}
	s.order = newPerm(uint64(n), seed, pDisOrder)
	s.mix = newMixer(9, 1, 2, 3, 1, 4)
	sizes := [6]uint64{
		uint64(len(inheritance) * len(conditions) * numberedMax),
		uint64(len(eponyms) * len(eponymKinds) * eponymTypes),
		uint64(len(tumorModifiers) * len(tumorOrgans) * len(tumorTypes)),
		uint64(len(deficiencyConditions)) * uint64(genes.n),
		uint64(len(organPrefixes) * len(organs) * len(organConditions)),
		uint64(len(substituents) * len(parents) * len(toxicities)),
	}
	for p, sz := range sizes {
		s.pat[p] = newPerm(sz, seed, pDisPattern+uint64(p)<<8)
	}
	s.mesh = newPerm(uint64(max(n, 999_999)), seed, pMeshD)
	s.omim = newPerm(uint64(max(n, 500_000)), seed, pOMIM)
	s.doid = newPerm(uint64(max(n, 100_000)), seed, pDOID)
	return s
}

type disKey struct {
	i       int64
	pat     int
	a, b, c int
}

func (s *disSpace) key(i int64) disKey {
	if i < int64(len(curatedDiseases)) {
		return disKey{i: i, pat: dpCurated}
	}
	j := s.order.at(uint64(i))
	p, rank := s.mix.pick(j)
	if rank >= s.pat[p].n {
		return disKey{i: i, pat: dpFallback}
	}
	code := s.pat[p].at(rank)
	k := disKey{i: i, pat: p}
	split := func(n int) int {
		v := int(code % uint64(n))
		code /= uint64(n)
		return v
	}
	switch p {
	case dpNumbered:
		k.a, k.b, k.c = split(len(inheritance)), split(len(conditions)), int(code)+1
		// "familial hypertrophic cardiomyopathy 3" is curated; move the
		// generated twin to an otherwise unused number.
		if k.a == 1 && k.b == 0 && k.c == 3 {
			k.c = numberedMax + 1
		}
	case dpEponym:
		k.a, k.b, k.c = split(len(eponyms)), split(len(eponymKinds)), int(code)+1
	case dpTumor:
		k.a, k.b, k.c = split(len(tumorModifiers)), split(len(tumorOrgans)), int(code)
	case dpDeficiency:
		k.a, k.b = split(len(deficiencyConditions)), int(code) // b = gene index
	case dpOrgan:
		k.a, k.b, k.c = split(len(organPrefixes)), split(len(organs)), int(code)
	case dpToxic:
		k.a, k.b, k.c = split(len(substituents)), split(len(parents)), int(code)
	}
	return k
}

func (s *disSpace) name(k disKey) string {
	switch k.pat {
	case dpCurated:
		return curatedDiseases[k.i].name
	case dpNumbered:
		return joinWords(inheritance[k.a].word, conditions[k.b].name, strconv.Itoa(k.c))
	case dpEponym:
		kind := eponymKinds[k.b]
		if strings.HasPrefix(kind, "-") {
			return eponyms[k.a] + kind + " type " + strconv.Itoa(k.c)
		}
		return eponyms[k.a] + " " + kind + " type " + strconv.Itoa(k.c)
	case dpTumor:
		return tumorModifiers[k.a] + " " + tumorOrgans[k.b].adj + " " + tumorTypes[k.c]
	case dpDeficiency:
		return deficiencyConditions[k.a] + " due to " + s.genes.symbol(int64(k.b)) + " deficiency"
	case dpOrgan:
		return joinWords(organPrefixes[k.a], organs[k.b].adj, organConditions[k.c])
	case dpToxic:
		return substituents[k.a].name + parents[k.b].name + "-induced " + toxicities[k.c]
	default:
		return "rare disease " + strconv.FormatInt(k.i+1, 10)
	}
}

func joinWords(ws ...string) string {
	var b strings.Builder
	for _, w := range ws {
		if w == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

var asciiFold = strings.NewReplacer("ä", "a", "ç", "c", "é", "e", "è", "e", "ö", "o", "ü", "u", "É", "E", "Ö", "O", "Ü", "U")

var romans = []string{"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"}

// synonym renders synonym kind 0..1 (each injective in the disease).
func (s *disSpace) synonym(k disKey, kind int) string {
	switch k.pat {
	case dpNumbered:
		inh, cond := inheritance[k.a], conditions[k.b]
		n := strconv.Itoa(k.c)
		if kind == 0 {
			if inh.word == "" {
				return cond.name + ", type " + n
			}
			return cond.name + ", " + inh.word + ", " + n
		}
		if inh.abbr == "" {
			return cond.acr + n
		}
		return cond.acr + n + "-" + inh.abbr
	case dpEponym:
		ep, kindName, n := eponyms[k.a], eponymKinds[k.b], k.c
		if kind == 0 {
			if strings.HasPrefix(kindName, "-") {
				return asciiFold.Replace(ep) + kindName + ", type " + strconv.Itoa(n)
			}
			return asciiFold.Replace(ep) + "'s " + kindName + " type " + strconv.Itoa(n)
		}
		if strings.HasPrefix(kindName, "-") {
			return ep + kindName + " type " + romans[n]
		}
		return ep + " " + kindName + " type " + romans[n]
	case dpTumor:
		mod, org, typ := tumorModifiers[k.a], tumorOrgans[k.b], tumorTypes[k.c]
		if kind == 0 {
			return mod + " " + typ + " of the " + org.noun
		}
		return org.adj + " " + typ + ", " + mod
	case dpDeficiency:
		sym, cond := s.genes.symbol(int64(k.b)), deficiencyConditions[k.a]
		if kind == 0 {
			return sym + "-related " + cond
		}
		return sym + "-deficient " + cond
	case dpOrgan:
		pre, org, cond := organPrefixes[k.a], organs[k.b], organConditions[k.c]
		if kind == 0 {
			if pre == "" {
				pre = "unspecified"
			}
			return org.adj + " " + cond + ", " + pre
		}
		return joinWords(pre, cond, "of the", org.noun)
	case dpToxic:
		chem, tox := substituents[k.a].name+parents[k.b].name, toxicities[k.c]
		if kind == 0 {
			return tox + " induced by " + chem
		}
		return tox + ", " + chem + "-induced"
	default:
		if kind == 0 {
			return "orphan disease " + strconv.FormatInt(k.i+1, 10)
		}
		return "RD" + strconv.FormatInt(k.i+1, 10)
	}
}

type disShape struct {
	nSyn      int
	omim      bool
	doid      bool
	ambiguous bool
}

func (s *disSpace) shape(rr *rowRNG, i int64) disShape {
	if i < int64(len(curatedDiseases)) {
		return disShape{nSyn: len(curatedDiseases[i].syn), omim: false, doid: true}
	}
	r := rr.at(kDisShape, i)
	var sh disShape
	switch u := r.IntN(100); {
	case u < 45:
		sh.nSyn = 0
	case u < 85:
		sh.nSyn = 1
	default:
		sh.nSyn = 2
	}
	sh.omim = r.IntN(100) < 40
	sh.doid = r.IntN(100) < 30
	sh.ambiguous = i%disAmbiguousEvy == disAmbiguousAt
	return sh
}

func (sh disShape) aliasCount() int {
	return 1 + sh.nSyn + b2i(sh.ambiguous) + 1 + b2i(sh.omim) + b2i(sh.doid)
}

func (s *disSpace) meshID(i int64) string { return "D" + pad(s.mesh.at(uint64(i)), 6) }

type disRow struct{ name, mesh string }

func (s *disSpace) disease(rr *rowRNG, i int64, aliases *[]aliasRow) disRow {
	k := s.key(i)
	d := disRow{name: s.name(k), mesh: s.meshID(i)}
	if aliases == nil {
		return d
	}
	sh := s.shape(rr, i)
	a := *aliases
	a = append(a, aliasRow{d.name, aliasPreferred})
	if k.pat == dpCurated {
		for _, v := range curatedDiseases[i].syn {
			a = append(a, aliasRow{v, aliasSynonym})
		}
	} else {
		r := rr.at(kDisRender, i)
		var kinds [2]int
		for _, kind := range chooseDistinct(r, kinds[:0], sh.nSyn, 2) {
			a = append(a, aliasRow{s.synonym(k, kind), aliasSynonym})
		}
	}
	if sh.ambiguous {
		// Phenotypes named after their gene ("PAH deficiency" → "PAH").
		g := int64(hash2(s.seed^0xd15, uint64(i)) % uint64(s.genes.n))
		a = append(a, aliasRow{s.genes.symbol(g), aliasSynonym})
	}
	a = append(a, aliasRow{"MESH:" + d.mesh, aliasCode})
	if sh.omim {
		a = append(a, aliasRow{"OMIM:" + strconv.FormatUint(100_000+s.omim.at(uint64(i)), 10), aliasCode})
	}
	if sh.doid {
		a = append(a, aliasRow{"DOID:" + strconv.FormatUint(1+s.doid.at(uint64(i)), 10), aliasCode})
	}
	*aliases = a
	return d
}

// ---- table -----------------------------------------------------------------

type disSource struct {
	s    *disSpace
	base int64
	rr   *rowRNG
	next int64
}

func (src *disSource) fill(b *array.RecordBuilder, n int) {
	ids := b.Field(0).(*array.Int64Builder)
	names := b.Field(1).(*array.StringBuilder)
	mesh := b.Field(2).(*array.StringBuilder)
	names.ReserveData(n * 32)
	mesh.ReserveData(n * 7)
	for k := 0; k < n; k++ {
		i := src.next
		src.next++
		d := src.s.disease(src.rr, i, nil)
		ids.Append(src.base + i + 1)
		names.Append(d.name)
		mesh.Append(d.mesh)
	}
}

func (d *dataset) diseasesTable() Table {
	return d.table("diseases", diseasesSchema, d.nDis, func() rowSource {
		return &disSource{s: d.dis, base: d.disBase, rr: newRowRNG(d.seed)}
	})
}
