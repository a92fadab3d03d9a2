package engine

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// evalCtx evaluates bound expressions over one batch of rows.
type evalCtx struct {
	n    int
	cols []arrow.Array
	vecs []*vec // converted columns, on first use
}

func newEvalCtx(cols []arrow.Array, n int) *evalCtx {
	return &evalCtx{n: n, cols: cols, vecs: make([]*vec, len(cols))}
}

func (c *evalCtx) column(i int) (*vec, error) {
	if c.vecs[i] == nil {
		v, err := fromArrow(c.cols[i])
		if err != nil {
			return nil, err
		}
		c.vecs[i] = v
	}
	return c.vecs[i], nil
}

func (c *evalCtx) eval(b *bexpr) (*vec, error) {
	switch b.op {
	case "col":
		return c.column(b.col)
	case "lit":
		v := *b.lit
		v.n = c.n
		return &v, nil
	}
	args := make([]*vec, len(b.args))
	// CASE and COALESCE evaluate every argument; that is safe because
	// evaluation has no side effects and errors (overflow) are reported
	// the same way DuckDB does for the whole column.
	for i, a := range b.args {
		v, err := c.eval(a)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	n := c.n
	switch b.op {
	case "=", "<>", "<", "<=", ">", ">=":
		return compareVec(b.op, args[0], args[1], n), nil
	case "and", "or":
		return logic(b.op, args, n), nil
	case "not":
		out := newVec(tBool, n, args[0].null != nil)
		for r := 0; r < n; r++ {
			if args[0].isNull(r) {
				out.null[r] = true
			} else {
				out.b[r] = !args[0].b[args[0].at(r)]
			}
		}
		return out, nil
	case "isnull", "isnotnull":
		out := newVec(tBool, n, false)
		want := b.op == "isnull"
		for r := 0; r < n; r++ {
			out.b[r] = args[0].isNull(r) == want
		}
		return out, nil
	case "in":
		return inList(args, n), nil
	case "like":
		return likeVec(b.like, args[0], args[1], n), nil
	case "+", "-", "*", "%":
		return arith(b, args[0], args[1], n)
	case "/":
		out := newVec(tFloat, n, true)
		l, r := args[0], args[1]
		for i := 0; i < n; i++ {
			if l.isNull(i) || r.isNull(i) || r.f[r.at(i)] == 0 {
				out.null[i] = true
				continue
			}
			out.f[i] = l.f[l.at(i)] / r.f[r.at(i)]
		}
		return out, nil
	case "neg":
		return negate(args[0], b.t, n, false)
	case "abs":
		return negate(args[0], b.t, n, true)
	case "||":
		out := newVec(tStr, n, args[0].null != nil || args[1].null != nil)
		for i := 0; i < n; i++ {
			if args[0].isNull(i) || args[1].isNull(i) {
				out.null[i] = true
				continue
			}
			out.s[i] = args[0].s[args[0].at(i)] + args[1].s[args[1].at(i)]
		}
		return out, nil
	case "cast":
		v, err := castVec(args[0], b.t)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.src, err)
		}
		return v, nil
	case "case":
		return caseVec(b, args, n), nil
	case "coalesce":
		out := newVec(b.t, n, true)
		for i := 0; i < n; i++ {
			out.null[i] = true
			for _, a := range args {
				if !a.isNull(i) {
					out.null[i] = false
					out.set(i, a, i)
					break
				}
			}
		}
		return out, nil
	case "lower", "upper", "length":
		a := args[0]
		out := newVec(b.t, n, a.null != nil)
		for i := 0; i < n; i++ {
			if a.isNull(i) {
				out.null[i] = true
				continue
			}
			s := a.s[a.at(i)]
			switch b.op {
			case "lower":
				out.s[i] = strings.ToLower(s)
			case "upper":
				out.s[i] = strings.ToUpper(s)
			default:
				out.i[i] = int64(utf8.RuneCountInString(s))
			}
		}
		return out, nil
	case "substr":
		return substr(args, n), nil
	case "int16", "int32":
		a := args[0]
		lo, hi, name := int64(math.MinInt32), int64(math.MaxInt32), "INTEGER"
		if b.op == "int16" {
			lo, hi, name = math.MinInt16, math.MaxInt16, "SMALLINT"
		}
		for i := 0; i < n; i++ {
			if a.isNull(i) {
				continue
			}
			if x := a.i[a.at(i)]; x < lo || x > hi {
				return nil, fmt.Errorf("%s: value %d is out of range for %s (%d to %d)", b.src, x, name, lo, hi)
			}
		}
		return a, nil
	case "real":
		a := args[0]
		out := newVec(tFloat, n, a.null != nil)
		for i := 0; i < n; i++ {
			if a.isNull(i) {
				out.null[i] = true
				continue
			}
			out.f[i] = float64(float32(a.f[a.at(i)]))
		}
		return out, nil
	}
	return nil, fmt.Errorf("engine: cannot evaluate %s", b.op)
}

// compareVec compares two vecs of one type row by row.
func compareVec(op string, l, r *vec, n int) *vec {
	out := newVec(tBool, n, l.null != nil || r.null != nil || l.t.k == kNull || r.t.k == kNull)
	var test func(c int) bool
	switch op {
	case "=":
		test = func(c int) bool { return c == 0 }
	case "<>":
		test = func(c int) bool { return c != 0 }
	case "<":
		test = func(c int) bool { return c < 0 }
	case "<=":
		test = func(c int) bool { return c <= 0 }
	case ">":
		test = func(c int) bool { return c > 0 }
	default:
		test = func(c int) bool { return c >= 0 }
	}
	if l.t.k == kNull || r.t.k == kNull {
		for i := range out.null {
			out.null[i] = true
		}
		return out
	}
	// Fast paths: a column of integers or floats against a constant.
	if (l.t.k == kInt || l.t.k == kDate || l.t.k == kTs) && r.konst && !l.konst && r.null == nil {
		k := r.i[0]
		xs := l.i
		switch op {
		case "=":
			for i := 0; i < n; i++ {
				out.b[i] = xs[i] == k
			}
		case "<":
			for i := 0; i < n; i++ {
				out.b[i] = xs[i] < k
			}
		case "<=":
			for i := 0; i < n; i++ {
				out.b[i] = xs[i] <= k
			}
		case ">":
			for i := 0; i < n; i++ {
				out.b[i] = xs[i] > k
			}
		case ">=":
			for i := 0; i < n; i++ {
				out.b[i] = xs[i] >= k
			}
		default:
			for i := 0; i < n; i++ {
				out.b[i] = xs[i] != k
			}
		}
		if l.null != nil {
			copy(out.null, l.null)
		}
		return out
	}
	cmp := comparator(l, r)
	for i := 0; i < n; i++ {
		if l.isNull(i) || r.isNull(i) {
			out.null[i] = true
			continue
		}
		out.b[i] = test(cmp(l.at(i), r.at(i)))
	}
	return out
}

// comparator returns a three-way comparison of l's value at i with r's at
// j (indices already mapped by at). NaN sorts above every other float and
// equals itself, as in DuckDB.
func comparator(l, r *vec) func(i, j int) int {
	switch l.t.k {
	case kBool:
		return func(i, j int) int { return boolCmp(l.b[i], r.b[j]) }
	case kInt, kDate, kTs:
		return func(i, j int) int { return intCmp(l.i[i], r.i[j]) }
	case kFloat:
		return func(i, j int) int { return floatCmp(l.f[i], r.f[j]) }
	case kDec:
		return func(i, j int) int { return l.d[i].Cmp(r.d[j]) }
	case kStr:
		return func(i, j int) int { return strings.Compare(l.s[i], r.s[j]) }
	}
	return func(i, j int) int { return 0 }
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func intCmp(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func floatCmp(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// logic is Kleene AND/OR over boolean vecs.
func logic(op string, args []*vec, n int) *vec {
	out := newVec(tBool, n, true)
	and := op == "and"
	for i := 0; i < n; i++ {
		res, null := and, false
		for _, a := range args {
			if a.isNull(i) {
				null = true
				continue
			}
			v := a.b[a.at(i)]
			if and && !v {
				res, null = false, false
				break
			}
			if !and && v {
				res, null = true, false
				break
			}
		}
		out.b[i], out.null[i] = res, null
	}
	return out
}

func inList(args []*vec, n int) *vec {
	x := args[0]
	out := newVec(tBool, n, true)
	cmps := make([]func(i, j int) int, len(args)-1)
	for k, a := range args[1:] {
		cmps[k] = comparator(x, a)
	}
	for i := 0; i < n; i++ {
		if x.isNull(i) {
			out.null[i] = true
			continue
		}
		found, sawNull := false, false
		for k, a := range args[1:] {
			if a.isNull(i) {
				sawNull = true
				continue
			}
			if cmps[k](x.at(i), a.at(i)) == 0 {
				found = true
				break
			}
		}
		out.b[i] = found
		out.null[i] = !found && sawNull
	}
	return out
}

func arith(b *bexpr, l, r *vec, n int) (*vec, error) {
	out := newVec(b.t, n, true)
	for i := 0; i < n; i++ {
		if l.isNull(i) || r.isNull(i) {
			out.null[i] = true
			continue
		}
		li, ri := l.at(i), r.at(i)
		switch {
		case b.t.k == kDate: // date ± days
			if l.t.k == kDate {
				if b.op == "+" {
					out.i[i] = l.i[li] + r.i[ri]
				} else {
					out.i[i] = l.i[li] - r.i[ri]
				}
			} else {
				out.i[i] = l.i[li] + r.i[ri]
			}
		case b.t.k == kInt:
			x, y := l.i[li], r.i[ri]
			var z int64
			switch b.op {
			case "+":
				z = x + y
				if (z > x) != (y > 0) {
					return nil, fmt.Errorf("%s: BIGINT overflow in %d + %d", b.src, x, y)
				}
			case "-":
				z = x - y
				if (z < x) != (y > 0) {
					return nil, fmt.Errorf("%s: BIGINT overflow in %d - %d", b.src, x, y)
				}
			case "*":
				z = x * y
				if x != 0 && (z/x != y || x == -1 && y == math.MinInt64 || y == -1 && x == math.MinInt64) {
					return nil, fmt.Errorf("%s: BIGINT overflow in %d * %d", b.src, x, y)
				}
			case "%":
				if y == 0 {
					out.null[i] = true
					continue
				}
				if y == -1 {
					z = 0
				} else {
					z = x % y
				}
			}
			out.i[i] = z
		case b.t.k == kFloat:
			x, y := l.f[li], r.f[ri]
			switch b.op {
			case "+":
				out.f[i] = x + y
			case "-":
				out.f[i] = x - y
			case "*":
				out.f[i] = x * y
			case "%":
				if y == 0 {
					out.null[i] = true
					continue
				}
				out.f[i] = math.Mod(x, y)
			}
		case b.t.k == kDec:
			x, y := l.d[li], r.d[ri]
			var z decimal128.Num
			switch b.op {
			case "+", "-":
				s := b.t.scale
				x = x.IncreaseScaleBy(s - l.t.scale)
				y = y.IncreaseScaleBy(s - r.t.scale)
				if b.op == "+" {
					z = x.Add(y)
				} else {
					z = x.Sub(y)
				}
			case "*":
				bz := new(big.Int).Mul(x.BigInt(), y.BigInt())
				if bz.BitLen() > 126 {
					return nil, fmt.Errorf("%s: DECIMAL overflow", b.src)
				}
				z = decimal128.FromBigInt(bz)
			}
			if !z.FitsInPrecision(b.t.prec) {
				return nil, fmt.Errorf("%s: DECIMAL overflow: %s does not fit %s", b.src, z.ToString(b.t.scale), b.t)
			}
			out.d[i] = z
		}
	}
	return out, nil
}

// negate is -a; with abs, it is abs(a) (negating only negative values).
func negate(a *vec, t typ, n int, abs bool) (*vec, error) {
	name := "-"
	if abs {
		name = "abs"
	}
	out := newVec(t, n, true)
	for i := 0; i < n; i++ {
		if a.isNull(i) {
			out.null[i] = true
			continue
		}
		x := a.at(i)
		switch t.k {
		case kInt:
			v := a.i[x]
			if abs && v >= 0 {
				out.i[i] = v
				continue
			}
			if v == math.MinInt64 {
				return nil, fmt.Errorf("BIGINT overflow in %s(%d)", name, v)
			}
			out.i[i] = -v
		case kFloat:
			if abs {
				out.f[i] = math.Abs(a.f[x])
			} else {
				out.f[i] = -a.f[x]
			}
		case kDec:
			if abs {
				out.d[i] = a.d[x].Abs()
			} else {
				out.d[i] = a.d[x].Negate()
			}
		}
	}
	return out, nil
}

func caseVec(b *bexpr, args []*vec, n int) *vec {
	out := newVec(b.t, n, true)
	arms := len(args)
	if b.hasElse {
		arms--
	}
	for i := 0; i < n; i++ {
		picked := false
		for k := 0; k+1 < arms; k += 2 {
			c := args[k]
			if !c.isNull(i) && c.b[c.at(i)] {
				out.set(i, args[k+1], i)
				picked = true
				break
			}
		}
		if !picked {
			if b.hasElse {
				out.set(i, args[arms], i)
			} else {
				out.null[i] = true
			}
		}
	}
	return out
}

// substr is SUBSTR(s, start[, len]) in characters, 1-based, with
// PostgreSQL's window semantics for starts below 1.
func substr(args []*vec, n int) *vec {
	out := newVec(tStr, n, true)
	for i := 0; i < n; i++ {
		if args[0].isNull(i) || args[1].isNull(i) || len(args) == 3 && args[2].isNull(i) {
			out.null[i] = true
			continue
		}
		s := args[0].s[args[0].at(i)]
		start := args[1].i[args[1].at(i)]
		end := int64(math.MaxInt64)
		if len(args) == 3 {
			l := args[2].i[args[2].at(i)]
			if l < 0 {
				out.null[i] = true // DuckDB and PostgreSQL reject a negative length
				continue
			}
			if start > math.MaxInt64-l {
				end = math.MaxInt64
			} else {
				end = start + l
			}
		}
		if start < 1 {
			start = 1
		}
		var sb strings.Builder
		pos := int64(1)
		for _, c := range s {
			if pos >= end {
				break
			}
			if pos >= start {
				sb.WriteRune(c)
			}
			pos++
		}
		out.s[i] = sb.String()
	}
	return out
}

// likePattern is a compiled LIKE pattern.
type likePattern struct {
	kind byte // 'e' exact, 'p' prefix, 's' suffix, 'c' contains, 'g' general
	lit  string
	pat  []rune
}

func compileLike(p string) *likePattern {
	if !strings.ContainsAny(p, "_") {
		inner := strings.Trim(p, "%")
		if !strings.Contains(inner, "%") {
			lead, trail := strings.HasPrefix(p, "%"), strings.HasSuffix(p, "%") && len(p) > 1
			switch {
			case !lead && !trail:
				return &likePattern{kind: 'e', lit: p}
			case !lead:
				return &likePattern{kind: 'p', lit: inner}
			case !trail:
				return &likePattern{kind: 's', lit: inner}
			default:
				return &likePattern{kind: 'c', lit: inner}
			}
		}
	}
	return &likePattern{kind: 'g', pat: []rune(p)}
}

func (p *likePattern) match(s string) bool {
	switch p.kind {
	case 'e':
		return s == p.lit
	case 'p':
		return strings.HasPrefix(s, p.lit)
	case 's':
		return strings.HasSuffix(s, p.lit)
	case 'c':
		return strings.Contains(s, p.lit)
	}
	return globMatch(p.pat, s)
}

// globMatch matches % (any run) and _ (one character) by the classic
// backtrack-to-last-star walk: linear in practice, O(n·m) at worst.
func globMatch(pat []rune, s string) bool {
	str := []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(str) {
		switch {
		case pi < len(pat) && (pat[pi] == '_' || pat[pi] == str[si]) && pat[pi] != '%':
			pi++
			si++
		case pi < len(pat) && pat[pi] == '%':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pat) && pat[pi] == '%' {
		pi++
	}
	return pi == len(pat)
}

func likeVec(p *likePattern, x, pat *vec, n int) *vec {
	out := newVec(tBool, n, x.null != nil || pat.null != nil)
	for i := 0; i < n; i++ {
		if x.isNull(i) || pat.isNull(i) {
			out.null[i] = true
			continue
		}
		q := p
		if q == nil {
			q = compileLike(pat.s[pat.at(i)])
		}
		out.b[i] = q.match(x.s[x.at(i)])
	}
	return out
}

// castVec converts v to t. Conversions that can fail name the value.
func castVec(v *vec, t typ) (*vec, error) {
	if v.t == t {
		return v, nil
	}
	size := v.n
	if v.konst {
		size = 1
	}
	out := newVec(t, size, true)
	out.konst, out.n = v.konst, v.n
	for i := 0; i < size; i++ {
		if v.t.k == kNull || v.null != nil && v.null[i] {
			out.null[i] = true
			continue
		}
		if err := castOne(v, i, out, i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func castOne(v *vec, i int, out *vec, o int) error {
	t := out.t
	from := v.t
	switch t.k {
	case kStr:
		out.s[o] = stringOf(v, i)
		return nil
	case kBool:
		switch from.k {
		case kInt:
			out.b[o] = v.i[i] != 0
			return nil
		case kStr:
			switch strings.ToLower(strings.TrimSpace(v.s[i])) {
			case "true", "t", "1", "yes", "y", "on":
				out.b[o] = true
				return nil
			case "false", "f", "0", "no", "n", "off":
				out.b[o] = false
				return nil
			}
			return fmt.Errorf("could not convert %q to BOOLEAN", v.s[i])
		}
	case kInt:
		switch from.k {
		case kBool:
			if v.b[i] {
				out.i[o] = 1
			}
			return nil
		case kFloat:
			f := math.RoundToEven(v.f[i])
			if math.IsNaN(f) || f < -9.223372036854775808e18 || f >= 9.223372036854775808e18 {
				return fmt.Errorf("%v is out of range for BIGINT", v.f[i])
			}
			out.i[o] = int64(f)
			return nil
		case kDec:
			r := v.d[i].ReduceScaleBy(from.scale, true)
			if !r.FitsInPrecision(18) && (r.HighBits() != 0 && r.HighBits() != -1) {
				return fmt.Errorf("%s is out of range for BIGINT", v.d[i].ToString(from.scale))
			}
			bi := r.BigInt()
			if !bi.IsInt64() {
				return fmt.Errorf("%s is out of range for BIGINT", v.d[i].ToString(from.scale))
			}
			out.i[o] = bi.Int64()
			return nil
		case kStr:
			x, err := strconv.ParseInt(strings.TrimSpace(v.s[i]), 10, 64)
			if err != nil {
				return fmt.Errorf("could not convert %q to BIGINT", v.s[i])
			}
			out.i[o] = x
			return nil
		}
	case kFloat:
		switch from.k {
		case kInt:
			out.f[o] = float64(v.i[i])
			return nil
		case kDec:
			out.f[o] = decToFloat(v.d[i], from.scale)
			return nil
		case kBool:
			if v.b[i] {
				out.f[o] = 1
			}
			return nil
		case kStr:
			x, err := strconv.ParseFloat(strings.TrimSpace(v.s[i]), 64)
			if err != nil {
				return fmt.Errorf("could not convert %q to DOUBLE", v.s[i])
			}
			out.f[o] = x
			return nil
		}
	case kDec:
		var n decimal128.Num
		var err error
		switch from.k {
		case kInt:
			n = decimal128.FromI64(v.i[i]).IncreaseScaleBy(t.scale)
			bi := new(big.Int).Mul(big.NewInt(v.i[i]), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(t.scale)), nil))
			if bi.BitLen() > 126 {
				return fmt.Errorf("%d does not fit %s", v.i[i], t)
			}
		case kDec:
			n, err = rescale(v.d[i], from.scale, t.scale)
		case kFloat:
			n, err = decimal128.FromFloat64(v.f[i], t.prec, t.scale)
		case kStr:
			n, err = decimal128.FromString(strings.TrimSpace(v.s[i]), t.prec, t.scale)
			if err != nil {
				err = fmt.Errorf("could not convert %q to %s", v.s[i], t)
			}
		default:
			return fmt.Errorf("cannot cast %s to %s", from, t)
		}
		if err != nil {
			return err
		}
		if !n.FitsInPrecision(t.prec) {
			return fmt.Errorf("%s does not fit %s", stringOf(v, i), t)
		}
		out.d[o] = n
		return nil
	case kDate:
		switch from.k {
		case kStr:
			d, err := parseDate(v.s[i])
			if err != nil {
				return err
			}
			out.i[o] = d
			return nil
		case kTs:
			us := toMicros(v.i[i], from.unit)
			out.i[o] = floorDiv(us, 86400e6)
			return nil
		}
	case kTs:
		switch from.k {
		case kStr:
			us, err := parseTimestamp(v.s[i])
			if err != nil {
				return err
			}
			return fromMicros(us, t.unit, &out.i[o])
		case kDate:
			return fromMicros(v.i[i]*86400e6, t.unit, &out.i[o])
		case kTs:
			if t.unit >= from.unit {
				mul := int64(1)
				for u := from.unit; u < t.unit; u++ {
					mul *= 1000
				}
				x := v.i[i]
				if x != 0 && (x*mul)/mul != x {
					return fmt.Errorf("timestamp %d out of range", x)
				}
				out.i[o] = x * mul
			} else {
				div := int64(1)
				for u := t.unit; u < from.unit; u++ {
					div *= 1000
				}
				out.i[o] = floorDiv(v.i[i], div)
			}
			return nil
		}
	}
	return fmt.Errorf("cannot cast %s to %s", from, t)
}

// decToFloat converts exactly-rounded (arrow-go's ToFloat64 is not).
func decToFloat(n decimal128.Num, scale int32) float64 {
	f, err := strconv.ParseFloat(n.ToString(scale), 64)
	if err != nil {
		return n.ToFloat64(scale)
	}
	return f
}

func rescale(n decimal128.Num, from, to int32) (decimal128.Num, error) {
	if to >= from {
		return n.IncreaseScaleBy(to - from), nil
	}
	return n.ReduceScaleBy(from-to, true), nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func toMicros(x int64, unit arrow.TimeUnit) int64 {
	switch unit {
	case arrow.Second:
		return x * 1e6
	case arrow.Millisecond:
		return x * 1e3
	case arrow.Nanosecond:
		return floorDiv(x, 1e3)
	}
	return x
}

func fromMicros(us int64, unit arrow.TimeUnit, dst *int64) error {
	switch unit {
	case arrow.Second:
		*dst = floorDiv(us, 1e6)
	case arrow.Millisecond:
		*dst = floorDiv(us, 1e3)
	case arrow.Nanosecond:
		if us > math.MaxInt64/1000 || us < math.MinInt64/1000 {
			return fmt.Errorf("timestamp out of range for nanoseconds")
		}
		*dst = us * 1e3
	default:
		*dst = us
	}
	return nil
}

// stringOf renders row i of v as CAST(… AS VARCHAR) does.
func stringOf(v *vec, i int) string {
	switch v.t.k {
	case kBool:
		if v.b[i] {
			return "true"
		}
		return "false"
	case kInt:
		return strconv.FormatInt(v.i[i], 10)
	case kFloat:
		f := v.f[i]
		switch {
		case math.IsInf(f, 1):
			return "inf"
		case math.IsInf(f, -1):
			return "-inf"
		case math.IsNaN(f):
			return "nan"
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	case kDec:
		return v.d[i].ToString(v.t.scale)
	case kStr:
		return v.s[i]
	case kDate:
		return dateString(v.i[i])
	case kTs:
		s := tsString(v.i[i], v.t.unit)
		if v.t.tz != "" {
			s += "+00"
		}
		return s
	}
	return ""
}

var epoch = time.Unix(0, 0).UTC()

func dateString(days int64) string {
	return epoch.AddDate(0, 0, int(days)).Format("2006-01-02")
}

func tsString(x int64, unit arrow.TimeUnit) string {
	us := toMicros(x, unit)
	t := time.UnixMicro(us).UTC()
	s := t.Format("2006-01-02 15:04:05")
	if frac := us - floorDiv(us, 1e6)*1e6; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%06d", frac), "0")
	}
	return s
}

func parseDate(s string) (int64, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("could not convert %q to DATE", s)
	}
	return floorDiv(t.Unix(), 86400), nil
}

func parseTimestamp(s string) (int64, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z07", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMicro(), nil
		}
	}
	return 0, fmt.Errorf("could not convert %q to TIMESTAMP", s)
}
