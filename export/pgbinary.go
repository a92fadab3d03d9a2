package export

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Decoders of PostgreSQL's binary wire format (the "send" functions of
// src/backend/utils/adt). They take bytes from the server, so they check
// every length and never panic on malformed input (see the fuzz tests).

const (
	// pgEpochMicros is 2000-01-01 (PostgreSQL's epoch) in Unix microseconds.
	pgEpochMicros = 946684800 * 1_000_000
	// pgEpochDays is 2000-01-01 in days since 1970-01-01.
	pgEpochDays = 10957
)

// numeric sign words.
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000
)

// pgNumeric is a decoded binary numeric: value = ±Σ digits[i]·10000^(weight−i).
type pgNumeric struct {
	weight int16
	sign   uint16
	dscale int16
	digits []int16 // base 10000, each 0..9999
}

func decodeNumeric(v []byte, digits []int16) (pgNumeric, error) {
	if len(v) < 8 {
		return pgNumeric{}, fmt.Errorf("numeric: %d bytes, want at least 8", len(v))
	}
	nd := int(int16(binary.BigEndian.Uint16(v)))
	n := pgNumeric{
		weight: int16(binary.BigEndian.Uint16(v[2:])),
		sign:   binary.BigEndian.Uint16(v[4:]),
		dscale: int16(binary.BigEndian.Uint16(v[6:])),
	}
	if nd < 0 || len(v) != 8+2*nd {
		return pgNumeric{}, fmt.Errorf("numeric: %d digits in %d bytes", nd, len(v))
	}
	switch n.sign {
	case numericPos, numericNeg:
	case numericNaN, numericPInf, numericNInf:
		return n, nil
	default:
		return pgNumeric{}, fmt.Errorf("numeric: bad sign word 0x%04x", n.sign)
	}
	if n.dscale < 0 {
		return pgNumeric{}, fmt.Errorf("numeric: negative display scale %d", n.dscale)
	}
	digits = digits[:0]
	for i := 0; i < nd; i++ {
		d := int16(binary.BigEndian.Uint16(v[8+2*i:]))
		if d < 0 || d > 9999 {
			return pgNumeric{}, fmt.Errorf("numeric: digit %d out of range", d)
		}
		digits = append(digits, d)
	}
	n.digits = digits
	return n, nil
}

func (n pgNumeric) special() string {
	switch n.sign {
	case numericNaN:
		return "NaN"
	case numericPInf:
		return "Infinity"
	case numericNInf:
		return "-Infinity"
	}
	return ""
}

// numericDecimal decodes a binary numeric into a decimal128 with the given
// precision and scale. NaN, ±Infinity, a value with more fractional digits
// than scale, and a value wider than prec are errors.
func numericDecimal(v []byte, prec, scale int32, scratch []int16) (decimal128.Num, error) {
	n, err := decodeNumeric(v, scratch)
	if err != nil {
		return decimal128.Num{}, err
	}
	if s := n.special(); s != "" {
		return decimal128.Num{}, fmt.Errorf("%s does not fit decimal(%d, %d)", s, prec, scale)
	}
	nd := len(n.digits)
	if nd == 0 {
		return decimal128.Num{}, nil
	}
	// unscaled = acc · 10^e, acc the integer of all the digits.
	e := 4*(int(n.weight)-nd+1) + int(scale)
	var out decimal128.Num
	if nd <= 4 { // acc < 10^16: no big numbers needed
		var acc uint64
		for _, d := range n.digits {
			acc = acc*10000 + uint64(d)
		}
		switch {
		case acc == 0:
		case e >= 0:
			if digitsU64(acc)+e > 38 {
				return decimal128.Num{}, fmt.Errorf("%s does not fit decimal(%d, %d)", n.String(), prec, scale)
			}
			out = decimal128.FromU64(acc).Mul(decimal128.GetScaleMultiplier(e))
		case -e > 16:
			return decimal128.Num{}, fmt.Errorf("%s has more than %d fractional digits", n.String(), scale)
		default:
			p := pow10u64[-e]
			if acc%p != 0 {
				return decimal128.Num{}, fmt.Errorf("%s has more than %d fractional digits", n.String(), scale)
			}
			out = decimal128.FromU64(acc / p)
		}
	} else {
		acc := new(big.Int)
		tenK := big.NewInt(10000)
		for _, d := range n.digits {
			acc.Mul(acc, tenK)
			acc.Add(acc, big.NewInt(int64(d)))
		}
		if e >= 0 {
			if e > 80 && acc.Sign() != 0 {
				return decimal128.Num{}, fmt.Errorf("%s does not fit decimal(%d, %d)", n.String(), prec, scale)
			}
			acc.Mul(acc, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil))
		} else {
			if -e > 40000 {
				if acc.Sign() != 0 {
					return decimal128.Num{}, fmt.Errorf("%s has more than %d fractional digits", n.String(), scale)
				}
			} else {
				var rem big.Int
				acc.QuoRem(acc, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-e)), nil), &rem)
				if rem.Sign() != 0 {
					return decimal128.Num{}, fmt.Errorf("%s has more than %d fractional digits", n.String(), scale)
				}
			}
		}
		if acc.BitLen() > 127 {
			return decimal128.Num{}, fmt.Errorf("%s does not fit decimal(%d, %d)", n.String(), prec, scale)
		}
		out = decimal128.FromBigInt(acc)
	}
	if n.sign == numericNeg {
		out = out.Negate()
	}
	if !out.FitsInPrecision(prec) {
		return decimal128.Num{}, fmt.Errorf("%s does not fit decimal(%d, %d)", n.String(), prec, scale)
	}
	return out, nil
}

var pow10u64 = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16}

func digitsU64(v uint64) int {
	n := 1
	for v >= 10 {
		v /= 10
		n++
	}
	return n
}

// numericText decodes a binary numeric into PostgreSQL's own text form
// (numeric_out): "NaN", "Infinity", "-Infinity", or digits with exactly
// dscale fractional digits.
func numericText(dst []byte, v []byte, scratch []int16) ([]byte, error) {
	n, err := decodeNumeric(v, scratch)
	if err != nil {
		return dst, err
	}
	return n.appendText(dst), nil
}

func (n pgNumeric) String() string { return string(n.appendText(nil)) }

func (n pgNumeric) appendText(dst []byte) []byte {
	if s := n.special(); s != "" {
		return append(dst, s...)
	}
	if n.sign == numericNeg && len(n.digits) > 0 {
		dst = append(dst, '-')
	}
	digit := func(k int) int16 {
		if k < 0 || k >= len(n.digits) {
			return 0
		}
		return n.digits[k]
	}
	// Integer part: the groups at positions weight..0.
	if n.weight < 0 || len(n.digits) == 0 {
		dst = append(dst, '0')
	} else {
		for k := 0; k <= int(n.weight); k++ {
			d := digit(k)
			if k == 0 {
				dst = strconv.AppendInt(dst, int64(d), 10)
				continue
			}
			dst = append(dst, byte('0'+d/1000), byte('0'+d/100%10), byte('0'+d/10%10), byte('0'+d%10))
		}
	}
	if n.dscale <= 0 {
		return dst
	}
	dst = append(dst, '.')
	written := 0
	for k := int(n.weight) + 1; written < int(n.dscale); k++ {
		d := digit(k)
		for _, c := range [4]byte{byte('0' + d/1000), byte('0' + d/100%10), byte('0' + d/10%10), byte('0' + d%10)} {
			if written == int(n.dscale) {
				break
			}
			dst = append(dst, c)
			written++
		}
	}
	return dst
}

// pgIntervalValue is a decoded binary interval.
type pgIntervalValue struct {
	Micros int64
	Days   int32
	Months int32
}

func decodeInterval(v []byte) (pgIntervalValue, error) {
	if len(v) != 16 {
		return pgIntervalValue{}, fmt.Errorf("interval: %d bytes, want 16", len(v))
	}
	return pgIntervalValue{
		Micros: int64(binary.BigEndian.Uint64(v)),
		Days:   int32(binary.BigEndian.Uint32(v[8:])),
		Months: int32(binary.BigEndian.Uint32(v[12:])),
	}, nil
}

// pgArray walks a binary one-dimensional array.
type pgArray struct {
	buf  []byte
	n    int // elements left
	off  int
	elem uint32
}

var errMultiDim = errors.New("a multi-dimensional array (only one-dimensional arrays are exported)")

// decodeArray parses an array header. An empty array (no dimensions) has
// no elements; more than one dimension is an error. The lower bound is not
// kept.
func decodeArray(v []byte) (pgArray, error) {
	if len(v) < 12 {
		return pgArray{}, fmt.Errorf("array: %d bytes, want at least 12", len(v))
	}
	ndim := int32(binary.BigEndian.Uint32(v))
	elem := binary.BigEndian.Uint32(v[8:])
	switch {
	case ndim == 0:
		return pgArray{elem: elem}, nil
	case ndim < 0:
		return pgArray{}, fmt.Errorf("array: %d dimensions", ndim)
	case ndim > 1:
		return pgArray{}, errMultiDim
	}
	if len(v) < 20 {
		return pgArray{}, fmt.Errorf("array: %d bytes, want at least 20", len(v))
	}
	n := int32(binary.BigEndian.Uint32(v[12:]))
	if n < 0 || int(n) > (len(v)-20)/4 {
		return pgArray{}, fmt.Errorf("array: %d elements in %d bytes", n, len(v))
	}
	return pgArray{buf: v, n: int(n), off: 20, elem: elem}, nil
}

// next returns the next element (nil for NULL) and false at the end.
func (a *pgArray) next() (elem []byte, ok bool, err error) {
	if a.n == 0 {
		if a.off != len(a.buf) {
			return nil, false, fmt.Errorf("array: %d bytes after the last element", len(a.buf)-a.off)
		}
		return nil, false, nil
	}
	if len(a.buf)-a.off < 4 {
		return nil, false, errors.New("array: truncated element length")
	}
	l := int32(binary.BigEndian.Uint32(a.buf[a.off:]))
	a.off += 4
	a.n--
	if l == -1 {
		return nil, true, nil
	}
	if l < 0 || int(l) > len(a.buf)-a.off {
		return nil, false, fmt.Errorf("array: element of %d bytes with %d left", l, len(a.buf)-a.off)
	}
	e := a.buf[a.off : a.off+int(l) : a.off+int(l)]
	a.off += int(l)
	if e == nil {
		e = []byte{}
	}
	return e, true, nil
}

// appendUUID writes 16 bytes in the canonical 8-4-4-4-12 lower-case form.
func appendUUID(dst []byte, v []byte) ([]byte, error) {
	if len(v) != 16 {
		return dst, fmt.Errorf("uuid: %d bytes, want 16", len(v))
	}
	const hexd = "0123456789abcdef"
	for i, b := range v {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexd[b>>4], hexd[b&15])
	}
	return dst, nil
}

// decodeVector decodes pgvector's binary vector: uint16 dimensions, uint16
// unused, then that many float4.
func decodeVector(v []byte, each func(float32)) error {
	if len(v) < 4 {
		return fmt.Errorf("vector: %d bytes, want at least 4", len(v))
	}
	dim := int(binary.BigEndian.Uint16(v))
	if len(v) != 4+4*dim {
		return fmt.Errorf("vector: %d dimensions in %d bytes", dim, len(v))
	}
	for i := 0; i < dim; i++ {
		each(math.Float32frombits(binary.BigEndian.Uint32(v[4+4*i:])))
	}
	return nil
}
