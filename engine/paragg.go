package engine

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"
)

// Aggregation over a single scan runs in the scan's workers: each worker
// folds the batches of the row groups it decodes into its own aggState
// (a partial aggregation), and the partial states are merged at the end.
// The merged groups keep the order in which they first appear in the
// table, as a serial aggregation gives them.

// unitShift places a row's unit above its row number in a position.
const unitShift = 40

// scanAggIter runs an aggPlan over a scanPlan with partial aggregation.
type scanAggIter struct {
	p    *scanPlan
	plan *aggPlan
	mem  memory.Allocator
	ctx  context.Context
	done bool
}

func (a *scanAggIter) release() {}

func (a *scanAggIter) next() (arrow.RecordBatch, error) {
	if a.done {
		return nil, nil
	}
	a.done = true
	parts := make([]*aggState, max(1, min(a.p.par, len(a.p.units))))
	for i := range parts {
		parts[i] = newAggState(a.plan, a.mem)
		parts[i].partial = true
	}
	defer func() {
		for _, st := range parts {
			st.release()
		}
	}()
	var err error
	cols, keys, columnwise := columnwisePlan(a.p, a.plan)
	a.p.dictLeaves = dictKeyLeaves(a.p, a.plan, columnwise)
	if columnwise {
		scratch := make([]colScratch, len(parts))
		err = a.p.runUnits(a.ctx, len(parts), func(ctx context.Context, w, unit int) error {
			return a.p.aggUnitColumns(ctx, unit, parts[w], cols, keys, &scratch[w])
		})
	} else {
		err = a.p.runParallel(a.ctx, len(parts), func(w, unit int, at int64, rec arrow.RecordBatch) error {
			st := parts[w]
			st.base = int64(unit)<<unitShift + at
			return st.add(rec)
		})
	}
	if err != nil {
		return nil, err
	}
	st, err := mergeStates(a.plan, a.mem, parts)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(parts, st) {
		defer st.release()
	}
	if len(a.plan.groups) == 0 && st.ngroups == 0 {
		st.newGroup(nil, 0)
	}
	return st.result()
}

// dictKeyLeaves returns the Parquet column of the one grouping key when
// it is worth reading as an Arrow dictionary: a bare string column,
// dictionary-encoded in every row group, that nothing else reads (the
// aggregation maps each batch's dictionary entries to groups instead of
// hashing every row, and the strings are never materialised). Under a
// filter, only a column-at-a-time aggregation reads dictionaries, and
// only if the filter does not read the key.
func dictKeyLeaves(p *scanPlan, ag *aggPlan, columnwise bool) []int {
	if len(ag.groups) != 1 || ag.groups[0].op != "col" || ag.groups[0].t.k != kStr {
		return nil
	}
	col := ag.groups[0].col
	if p.filter != nil && (!columnwise || slices.Contains(p.fcols, p.out[col])) {
		return nil
	}
	for _, a := range ag.aggs {
		if a.arg != nil && slices.Contains(columnsOf(a.arg, nil), col) {
			return nil
		}
	}
	f := p.out[col]
	if p.t.schema.Field(f).Type.ID() != arrow.STRING || len(p.t.leaves[f]) != 1 {
		return nil
	}
	leaf := p.t.leaves[f][0]
	for _, u := range p.units {
		cc, err := p.t.meta.RowGroup(u.rg).ColumnChunk(leaf)
		if err != nil || !cc.HasDictionaryPage() {
			return nil
		}
	}
	return []int{leaf}
}

// runParallel decodes the plan's units on workers goroutines and calls
// fold with each batch, the worker's number (so that fold can keep
// per-worker state without locks), the unit's number and the position of
// the batch's first row among the rows the unit returned. fold must not
// keep rec. The first error stops every worker.
func (p *scanPlan) runParallel(ctx context.Context, workers int, fold func(w, unit int, at int64, rec arrow.RecordBatch) error) error {
	return p.runUnits(ctx, workers, func(ctx context.Context, w, ui int) error {
		var at int64
		var ferr error
		err := p.runUnit(ctx, p.units[ui], func(rec arrow.RecordBatch) bool {
			ferr = fold(w, ui, at, rec)
			at += rec.NumRows()
			rec.Release()
			return ferr == nil
		})
		if ferr != nil {
			return ferr
		}
		return err
	})
}

// runUnits calls run for every unit of the plan on workers goroutines,
// with the worker's number. The first error stops every worker.
func (p *scanPlan) runUnits(ctx context.Context, workers int, run func(ctx context.Context, w, unit int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	var nextUnit atomic.Int64
	for w := 0; w < workers; w++ {
		g.Go(func() error {
			for {
				ui := int(nextUnit.Add(1) - 1)
				if ui >= len(p.units) {
					return nil
				}
				if err := run(gctx, w, ui); err != nil {
					return err
				}
			}
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// mergeStates folds partial states, each fed its rows in input order,
// into one that holds every group, in the order of their first rows. The result serves result() only: its
// group lookup maps are left empty. A part may be returned as the result
// when it is the only one with groups; the caller releases the result
// only if it is not one of parts.
func mergeStates(p *aggPlan, mem memory.Allocator, parts []*aggState) (*aggState, error) {
	distinct := false
	for _, a := range p.aggs {
		distinct = distinct || a.distinct
	}
	var only *aggState
	nonEmpty := 0
	for _, o := range parts {
		if o.ngroups > 0 {
			nonEmpty++
			only = o
		}
	}
	if nonEmpty == 1 && !distinct {
		return only, nil
	}
	st := newAggState(p, mem)
	total := 0
	for _, o := range parts {
		total += o.ngroups
	}
	st.reserve(total)
	// Each part's key values. A part's groups are in the order of their
	// first rows: each part is fed its rows in input order.
	keyVecs := make([][]*vec, len(parts))
	gmaps := make([][]int32, len(parts))
	var keep []arrow.Array
	defer func() { releaseAll(keep) }()
	for pi, o := range parts {
		keyVecs[pi] = make([]*vec, len(o.keyBlds))
		for i, b := range o.keyBlds {
			arr := b.NewArray()
			keep = append(keep, arr)
			v, err := fromArrow(arr)
			if err != nil {
				return nil, err
			}
			keyVecs[pi][i] = v
		}
		gmaps[pi] = make([]int32, o.ngroups)
	}
	// Groups are made in a k-way merge of the parts by first row, so that
	// each is made where it first appears.
	reps, offs := groupReps(parts, keyVecs, p.groups)
	ids := make([]int32, len(reps))
	cur := make([]int, len(parts))
	for {
		best := -1
		var bestFirst int64
		for pi, o := range parts {
			if cur[pi] >= o.ngroups {
				continue
			}
			r := cur[pi]
			if best < 0 || o.first[r] < bestFirst {
				best, bestFirst = pi, o.first[r]
			}
		}
		if best < 0 {
			break
		}
		r := cur[best]
		cur[best]++
		c := offs[best] + r
		if rep := int(reps[c]); rep == c {
			st.base = bestFirst - int64(r)
			ids[c] = st.newGroup(keyVecs[best], r)
		} else {
			ids[c] = ids[rep] // made already: it comes first
		}
		gmaps[best][r] = ids[c]
	}
	// The aggregates.
	for pi, o := range parts {
		for ai, a := range st.accs {
			if a.s.distinct {
				if err := st.mergeDistinct(ai, o.distinct[ai], gmaps[pi]); err != nil {
					st.release()
					return nil, err
				}
				continue
			}
			if err := a.merge(o.accs[ai], gmaps[pi]); err != nil {
				st.release()
				return nil, err
			}
		}
	}
	return st, nil
}

// groupReps numbers the groups of all parts one part after another (the
// groups of part pi from offs[pi]) and returns, for each, the number of
// the group with the same key that comes first. Keys are hashed into
// partitions small enough for their maps to stay in cache, and the
// partitions are deduplicated in parallel.
func groupReps(parts []*aggState, keyVecs [][]*vec, groups []*bexpr) (reps []int32, offs []int) {
	offs = make([]int, len(parts)+1)
	for pi, o := range parts {
		offs[pi+1] = offs[pi] + o.ngroups
	}
	n := offs[len(parts)]
	firsts := make([]int64, 0, n)
	for _, o := range parts {
		firsts = append(firsts, o.first[:o.ngroups]...)
	}
	reps = make([]int32, n)
	intKey := len(groups) == 1 && (groups[0].t.k == kInt || groups[0].t.k == kDate || groups[0].t.k == kTs)
	// The keys, as integers or as appendKey encodings.
	var ints []int64
	var strs []string
	nullRep := int32(-1)
	isNull := func(int) bool { return false }
	if intKey {
		ints = make([]int64, n)
		var nulls []bool
		for pi := range parts {
			k := keyVecs[pi][0]
			for r := 0; r < parts[pi].ngroups; r++ {
				c := offs[pi] + r
				if k.isNull(r) {
					if nulls == nil {
						nulls = make([]bool, n)
					}
					nulls[c] = true
					if nullRep < 0 || firsts[c] < firsts[nullRep] {
						nullRep = int32(c)
					}
					continue
				}
				ints[c] = k.i[k.at(r)]
			}
		}
		if nulls != nil {
			isNull = func(c int) bool { return nulls[c] }
		}
	} else {
		var arena []byte
		ends := make([]int, n)
		for pi := range parts {
			for r := 0; r < parts[pi].ngroups; r++ {
				for _, k := range keyVecs[pi] {
					arena = appendKey(arena, k, r)
				}
				ends[offs[pi]+r] = len(arena)
			}
		}
		all := string(arena)
		strs = make([]string, n)
		for c, end := range ends {
			start := 0
			if c > 0 {
				start = ends[c-1]
			}
			strs[c] = all[start:end]
		}
	}
	// Partitions of about 32K groups, by hash.
	shift := uint(64)
	if n > 1<<15 {
		shift = 64 - uint(bits.Len(uint(n>>15)))
	}
	seed := maphash.MakeSeed()
	partOf := func(c int) int {
		if shift == 64 {
			return 0
		}
		var h uint64
		if intKey {
			h = uint64(ints[c]) * 0x9e3779b97f4a7c15
		} else {
			h = maphash.String(seed, strs[c])
		}
		return int(h >> shift)
	}
	np := 1 << (64 - shift)
	start := make([]int, np+1)
	pidx := make([]int32, n)
	for c := range n {
		pi := partOf(c)
		pidx[c] = int32(pi)
		start[pi+1]++
	}
	for pi := range np {
		start[pi+1] += start[pi]
	}
	order := make([]int32, n)
	fill := slices.Clone(start[:np])
	for c := range n {
		pi := pidx[c]
		order[fill[pi]] = int32(c)
		fill[pi]++
	}
	dedup := func(cs []int32) {
		if intKey {
			m := make(map[int64]int32, len(cs))
			for _, c := range cs {
				if isNull(int(c)) {
					continue
				}
				if e, ok := m[ints[c]]; !ok || firsts[c] < firsts[e] {
					m[ints[c]] = c
				}
			}
			for _, c := range cs {
				if isNull(int(c)) {
					reps[c] = nullRep
				} else {
					reps[c] = m[ints[c]]
				}
			}
			return
		}
		m := make(map[string]int32, len(cs))
		for _, c := range cs {
			if e, ok := m[strs[c]]; !ok || firsts[c] < firsts[e] {
				m[strs[c]] = c
			}
		}
		for _, c := range cs {
			reps[c] = m[strs[c]]
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(np, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for {
				pi := int(next.Add(1) - 1)
				if pi >= np {
					return
				}
				dedup(order[start[pi]:start[pi+1]])
			}
		})
	}
	wg.Wait()
	return reps, offs
}

// merge folds another state's accumulator of the same aggregate into a;
// gmap maps b's groups to a's.
func (a *accum) merge(b *accum, gmap []int32) error {
	s := a.s
	for r, g := range gmap {
		if s.star {
			a.count[g] += b.count[r]
			continue
		}
		if !b.has[r] {
			continue
		}
		first := !a.has[g]
		a.has[g] = true
		a.count[g] += b.count[r]
		switch s.fn {
		case "count":
		case "sum", "avg":
			switch {
			case s.fn == "sum" && s.out.k == kFloat, s.fn == "avg" && s.arg.t.k == kFloat:
				a.f[g] += b.f[r]
			default:
				a.d[g] = a.d[g].Add(b.d[r])
				if s.arg.t.k == kDec && !a.d[g].FitsInPrecision(38) {
					return fmt.Errorf("%s: DECIMAL overflow in sum", s.fn)
				}
			}
		case "min", "max":
			less := s.fn == "min"
			switch s.arg.t.k {
			case kInt, kDate, kTs:
				if c := intCmp(b.i[r], a.i[g]); first || (c < 0) == less && c != 0 {
					a.i[g] = b.i[r]
				}
			case kFloat:
				if c := floatCmp(b.f[r], a.f[g]); first || (c < 0) == less && c != 0 {
					a.f[g] = b.f[r]
				}
			case kDec:
				if c := b.d[r].Cmp(a.d[g]); first || (c < 0) == less && c != 0 {
					a.d[g] = b.d[r]
				}
			case kStr:
				if c := strings.Compare(b.str[r], a.str[g]); first || (c < 0) == less && c != 0 {
					a.str[g] = b.str[r]
				}
			case kBool:
				if c := boolCmp(b.b[r], a.b[g]); first || (c < 0) == less && c != 0 {
					a.b[g] = b.b[r]
				}
			}
		}
	}
	return nil
}

// mergeDistinct folds the (group, value) keys a partial state collected
// for DISTINCT aggregate ai: values not seen before in their group are
// accumulated.
func (st *aggState) mergeDistinct(ai int, set map[string]struct{}, gmap []int32) error {
	if len(set) == 0 {
		return nil
	}
	a := st.accs[ai]
	t := a.s.arg.t
	v := newVec(t, len(set), false)
	gid := make([]int32, 0, len(set))
	r := 0
	for key := range set {
		g := binary.LittleEndian.Uint32([]byte(key[:4]))
		if err := decodeKey(key[4:], v, r); err != nil {
			return err
		}
		gid = append(gid, gmap[g])
		r++
	}
	return st.update(ai, a, v, gid)
}

// decodeKey sets row r of v from its appendKey encoding (never NULL:
// aggregates skip NULL values before they are keyed).
func decodeKey(key string, v *vec, r int) error {
	if len(key) == 0 || key[0] != 1 {
		return fmt.Errorf("internal error: bad DISTINCT key")
	}
	key = key[1:]
	switch v.t.k {
	case kBool:
		v.b[r] = key[0] == 1
	case kInt, kDate, kTs:
		v.i[r] = int64(binary.LittleEndian.Uint64([]byte(key)))
	case kFloat:
		v.f[r] = math.Float64frombits(binary.LittleEndian.Uint64([]byte(key)))
	case kDec:
		lo := binary.LittleEndian.Uint64([]byte(key))
		hi := int64(binary.LittleEndian.Uint64([]byte(key[8:])))
		v.d[r] = decimal128.New(hi, lo)
	case kStr:
		n, w := binary.Uvarint([]byte(key))
		if w <= 0 || uint64(len(key)-w) < n {
			return fmt.Errorf("internal error: bad DISTINCT key")
		}
		v.s[r] = key[w : w+int(n)]
	default:
		return fmt.Errorf("internal error: DISTINCT of %s", v.t)
	}
	return nil
}
