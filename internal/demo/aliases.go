package demo

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

var aliasesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "entity_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "type_id", Type: arrow.PrimitiveTypes.Int32},
	{Name: "alias_value", Type: arrow.BinaryTypes.String},
	{Name: "alias_type", Type: arrow.BinaryTypes.String},
}, nil)

// Alias types.
const (
	aliasPreferred uint8 = iota
	aliasSynonym
	aliasCode
)

var aliasTypeNames = [...]string{"preferred", "synonym", "code"}

type aliasRow struct {
	value string
	typ   uint8
}

// aliasRows counts the alias table without rendering any string: the number
// of aliases of an entity depends only on its "shape" draws.
func (d *dataset) aliasRows() int64 {
	rr := newRowRNG(d.seed)
	var n int64
	for i := int64(0); i < d.nGenes; i++ {
		n += int64(d.genes.shape(rr, i).aliasCount())
	}
	for i := int64(0); i < d.nChems; i++ {
		n += int64(d.chems.shape(rr, i).aliasCount())
	}
	for i := int64(0); i < d.nDis; i++ {
		n += int64(d.dis.shape(rr, i).aliasCount())
	}
	return n
}

// aliasSource walks genes, then chemicals, then diseases, and emits each
// entity's preferred alias, synonyms and codes.
type aliasSource struct {
	d       *dataset
	rr      *rowRNG
	typ     int32 // entity type currently walked
	idx     int64 // next entity index within that type
	pending []aliasRow
	pos     int
	entity  int64 // entity_id of the pending aliases
	nextID  int64
}

// refill renders the next entity's aliases into pending.
func (s *aliasSource) refill() {
	s.pending, s.pos = s.pending[:0], 0
	for {
		switch s.typ {
		case TypeGene:
			if s.idx < s.d.nGenes {
				s.d.genes.gene(s.rr, s.idx, &s.pending)
				s.entity = s.d.geneBase + s.idx + 1
				s.idx++
				return
			}
		case TypeChemical:
			if s.idx < s.d.nChems {
				s.d.chems.chemical(s.rr, s.idx, &s.pending)
				s.entity = s.d.chemBase + s.idx + 1
				s.idx++
				return
			}
		case TypeDisease:
			if s.idx < s.d.nDis {
				s.d.dis.disease(s.rr, s.idx, &s.pending)
				s.entity = s.d.disBase + s.idx + 1
				s.idx++
				return
			}
		default:
			panic("demo: alias source exhausted")
		}
		s.typ++
		s.idx = 0
	}
}

func (s *aliasSource) fill(b *array.RecordBuilder, n int) {
	ids := b.Field(0).(*array.Int64Builder)
	ents := b.Field(1).(*array.Int64Builder)
	types := b.Field(2).(*array.Int32Builder)
	vals := b.Field(3).(*array.StringBuilder)
	kinds := b.Field(4).(*array.StringBuilder)
	vals.ReserveData(n * 16)
	kinds.ReserveData(n * 8)
	for k := 0; k < n; k++ {
		if s.pos >= len(s.pending) {
			s.refill()
		}
		a := s.pending[s.pos]
		s.pos++
		s.nextID++
		ids.Append(s.nextID)
		ents.Append(s.entity)
		types.Append(s.typ)
		vals.Append(a.value)
		kinds.Append(aliasTypeNames[a.typ])
	}
}

func (d *dataset) aliasesTable() Table {
	return d.table("entity_aliases", aliasesSchema, d.aliasRows(), func() rowSource {
		return &aliasSource{d: d, rr: newRowRNG(d.seed), typ: TypeGene, pending: make([]aliasRow, 0, 16)}
	})
}
