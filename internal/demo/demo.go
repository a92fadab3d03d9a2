// Package demo deterministically generates an IGEM-like biomedical dataset
// (genes, chemicals, diseases, chemical–gene–disease exposures and a large
// alias table) from a fixed seed. Tables are exposed as streaming Arrow
// record readers whose memory use is bounded by Options.BatchRows, so the
// dataset can feed the `snapdb demo` command, tests and benchmarks without
// being materialized.
//
// Generation is reproducible: the same Options always yield byte-identical
// tables, and every table can be regenerated independently of the others.
package demo

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// DefaultSeed is the seed used when Options.Seed is zero.
const DefaultSeed = 20261122

// DefaultBatchRows is the batch size used when Options.BatchRows is zero.
const DefaultBatchRows = 8192

// Row counts at Scale 1.
const (
	baseGenes     = 60_000
	baseChemicals = 30_000
	baseDiseases  = 10_000
	baseExposures = 200_000
)

// Entity type ids (entity_types.id and entity_aliases.type_id).
const (
	TypeGene     int32 = 1
	TypeChemical int32 = 2
	TypeDisease  int32 = 3
	TypeExposure int32 = 4
)

// Options configures generation. The zero value means defaults.
//
// At Scale 1 the dataset has 60,000 genes, 30,000 chemicals, 10,000
// diseases, 200,000 exposures and ~350,000 entity aliases; every table but
// entity_types (always 4 rows) is scaled by Scale, rounded, with a minimum
// of one row. A negative or NaN Scale is treated like 0 (1.0), a negative
// BatchRows like 0.
type Options struct {
	Seed      uint64  // 0 means DefaultSeed
	Scale     float64 // 0 means 1.0; multiplies the row counts (tests use 0.01)
	BatchRows int     // rows per record batch, 0 means 8192

	// Mem allocates the record batches; nil means memory.DefaultAllocator.
	Mem memory.Allocator
}

// Table is one generated table.
type Table struct {
	Name   string
	Schema *arrow.Schema
	Rows   int64                     // exact row count the reader will produce
	Open   func() array.RecordReader // a NEW independent reader each call, same data each time (deterministic)
}

// dataset holds the resolved options plus everything that is shared,
// read-only, between the readers of one Tables call.
type dataset struct {
	seed  uint64
	batch int
	mem   memory.Allocator

	nGenes, nChems, nDis, nExp  int64
	geneBase, chemBase, disBase int64 // entity_id = base + index + 1

	genes *geneSpace
	chems *chemSpace
	dis   *disSpace
}

func newDataset(opts *Options) *dataset {
	var o Options
	if opts != nil {
		o = *opts
	}
	d := &dataset{seed: o.Seed, batch: o.BatchRows, mem: o.Mem}
	if d.seed == 0 {
		d.seed = DefaultSeed
	}
	if d.batch <= 0 {
		d.batch = DefaultBatchRows
	}
	if d.mem == nil {
		d.mem = memory.DefaultAllocator
	}
	scale := o.Scale
	if scale == 0 || math.IsNaN(scale) || scale < 0 {
		scale = 1
	}
	d.nGenes = scaled(baseGenes, scale)
	d.nChems = scaled(baseChemicals, scale)
	d.nDis = scaled(baseDiseases, scale)
	d.nExp = scaled(baseExposures, scale)

	// Entity ids are globally unique: genes 1.., chemicals stride+1..,
	// diseases 2*stride+1.. (stride = 1,000,000 unless a table is larger).
	stride := int64(1_000_000)
	for max(d.nGenes, d.nChems, d.nDis) >= stride {
		stride *= 10
	}
	d.geneBase, d.chemBase, d.disBase = 0, stride, 2*stride

	d.genes = newGeneSpace(d.seed, d.nGenes)
	d.chems = newChemSpace(d.seed, d.nChems, d.genes)
	d.dis = newDisSpace(d.seed, d.nDis, d.genes)
	return d
}

func scaled(base int64, scale float64) int64 {
	n := math.Round(float64(base) * scale)
	if n < 1 {
		return 1
	}
	if n > math.MaxInt64/4 {
		return math.MaxInt64 / 4
	}
	return int64(n)
}

// Tables returns the dataset's tables in a fixed order (dependencies first):
// entity_types, genes, chemicals, diseases, exposures, entity_aliases.
func Tables(opts *Options) []Table {
	d := newDataset(opts)
	return []Table{
		d.entityTypesTable(),
		d.genesTable(),
		d.chemicalsTable(),
		d.diseasesTable(),
		d.exposuresTable(),
		d.aliasesTable(),
	}
}

func (d *dataset) table(name string, schema *arrow.Schema, rows int64, src func() rowSource) Table {
	return Table{
		Name:   name,
		Schema: schema,
		Rows:   rows,
		Open: func() array.RecordReader {
			return newReader(d.mem, schema, rows, d.batch, src())
		},
	}
}

// ---- entity_types ----------------------------------------------------------

var entityTypesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int32},
	{Name: "name", Type: arrow.BinaryTypes.String},
	{Name: "description", Type: arrow.BinaryTypes.String},
}, nil)

var entityTypes = []struct {
	id         int32
	name, desc string
}{
	{TypeGene, "gene", "Protein-coding and non-coding genes (HGNC-style symbols, genomic coordinates)"},
	{TypeChemical, "chemical", "Chemical substances and drugs (CAS registry numbers, molecular formulas)"},
	{TypeDisease, "disease", "Diseases and phenotypes (MeSH descriptors, OMIM/DOID cross-references)"},
	{TypeExposure, "exposure", "Curated chemical–gene–disease interactions reported in the literature"},
}

type entityTypesSource struct{ next int }

func (s *entityTypesSource) fill(b *array.RecordBuilder, n int) {
	ids := b.Field(0).(*array.Int32Builder)
	names := b.Field(1).(*array.StringBuilder)
	descs := b.Field(2).(*array.StringBuilder)
	for k := 0; k < n; k++ {
		e := entityTypes[s.next]
		s.next++
		ids.Append(e.id)
		names.Append(e.name)
		descs.Append(e.desc)
	}
}

func (d *dataset) entityTypesTable() Table {
	return d.table("entity_types", entityTypesSchema, int64(len(entityTypes)),
		func() rowSource { return &entityTypesSource{} })
}
