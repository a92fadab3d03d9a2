package sqlparse

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxParams is the highest parameter number ($65535) and the most ?
// parameters a statement may use: the PostgreSQL wire-protocol limit, and a
// guard against a binder allocating for $2000000000.
const maxParams = 65535

// tokKind is the kind of a lexical token.
type tokKind int

const (
	tokEOF    tokKind = iota
	tokError          // a lexical error; err says which; always the last token
	tokIdent          // unquoted identifier or keyword; upper is its upper-case form
	tokQIdent         // "quoted identifier"; val is the name with "" unescaped
	tokNumber         // numeric literal
	tokString         // 'string'; val is the text with '' unescaped
	tokParam          // $n; num is n
	tokQMark          // ?
	tokOp             // operator or punctuation; text is the operator
)

// token is one lexical token. text is the token exactly as written.
type token struct {
	kind  tokKind
	text  string
	upper string
	val   string
	num   int
	pos   Pos
	err   *SyntaxError
}

// lexer splits a statement into tokens, tracking line and column (in runes).
type lexer struct {
	src  string
	off  int
	line int
	col  int
}

// newLexer returns a lexer at the start of src. Its last token is tokEOF,
// or tokError at the first lexical error (nothing after it is lexed), so the
// parser reports a lexical error only when it reaches it.
func newLexer(src string) lexer { return lexer{src: src, line: 1, col: 1} }

// advanceTo moves the lexer to byte offset end, counting lines and runes.
func (lx *lexer) advanceTo(end int) {
	for lx.off < end {
		c := lx.src[lx.off]
		if c < utf8.RuneSelf {
			lx.off++
			if c == '\n' {
				lx.line++
				lx.col = 1
			} else {
				lx.col++
			}
			continue
		}
		_, size := utf8.DecodeRuneInString(lx.src[lx.off:])
		lx.off += size
		lx.col++
	}
}

func (lx *lexer) pos() Pos { return Pos{Line: lx.line, Col: lx.col} }

// byteAt returns the byte at offset i, or 0 past the end.
func (lx *lexer) byteAt(i int) byte {
	if i < len(lx.src) {
		return lx.src[i]
	}
	return 0
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// errorToken makes the tokError for a token that starts at start (a byte
// offset) with position pos and ends at end.
func (lx *lexer) errorToken(pos Pos, start, end int, msg string) token {
	text := lx.src[start:end]
	return token{kind: tokError, text: text, pos: pos, err: &SyntaxError{Pos: pos, Near: nearText(text), Msg: msg}}
}

// skipSpace skips white space and comments. It returns a tokError for an
// unterminated block comment, and ok=false then.
func (lx *lexer) skipSpace() (token, bool) {
	for lx.off < len(lx.src) {
		c := lx.src[lx.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			lx.advanceTo(lx.off + 1)
		case c == '-' && lx.byteAt(lx.off+1) == '-':
			end := strings.IndexByte(lx.src[lx.off:], '\n')
			if end < 0 {
				lx.advanceTo(len(lx.src))
			} else {
				lx.advanceTo(lx.off + end)
			}
		case c == '/' && lx.byteAt(lx.off+1) == '*':
			// Block comments nest, as in PostgreSQL.
			start, pos := lx.off, lx.pos()
			i, depth := lx.off+2, 1
			for depth > 0 {
				j := strings.IndexAny(lx.src[i:], "/*")
				if j < 0 {
					return lx.errorToken(pos, start, len(lx.src), "unterminated /* comment"), false
				}
				i += j
				switch {
				case lx.src[i] == '/' && lx.byteAt(i+1) == '*':
					depth++
					i += 2
				case lx.src[i] == '*' && lx.byteAt(i+1) == '/':
					depth--
					i += 2
				default:
					i++
				}
			}
			lx.advanceTo(i)
		default:
			return token{}, true
		}
	}
	return token{}, true
}

// next returns the next token.
func (lx *lexer) next() token {
	if t, ok := lx.skipSpace(); !ok {
		return t
	}
	pos, start := lx.pos(), lx.off
	if start >= len(lx.src) {
		return token{kind: tokEOF, pos: pos}
	}
	c := lx.src[start]
	switch {
	case isIdentStart(c):
		end := start + 1
		for end < len(lx.src) && isIdentChar(lx.src[end]) {
			end++
		}
		lx.advanceTo(end)
		text := lx.src[start:end]
		return token{kind: tokIdent, text: text, upper: strings.ToUpper(text), pos: pos}
	case isDigit(c) || c == '.' && isDigit(lx.byteAt(start+1)):
		return lx.number(pos, start)
	case c == '\'':
		return lx.quoted(pos, start, '\'')
	case c == '"':
		return lx.quoted(pos, start, '"')
	case c == '$':
		return lx.param(pos, start)
	case c == '?':
		lx.advanceTo(start + 1)
		return token{kind: tokQMark, text: "?", pos: pos}
	}
	switch two := lx.src[start:min(start+2, len(lx.src))]; two {
	case "<>", "<=", ">=", "!=", "||", "::":
		lx.advanceTo(start + 2)
		return token{kind: tokOp, text: two, pos: pos}
	}
	if strings.IndexByte("=<>+-*/%(),.;", c) >= 0 {
		lx.advanceTo(start + 1)
		return token{kind: tokOp, text: lx.src[start : start+1], pos: pos}
	}
	_, size := utf8.DecodeRuneInString(lx.src[start:])
	return lx.errorToken(pos, start, start+size, "unexpected character")
}

// number lexes 123, 1.5, 1., .5 and 1e-3. A letter or _ right after a
// number is an error (as in PostgreSQL 16: "trailing junk").
func (lx *lexer) number(pos Pos, start int) token {
	i := start
	for i < len(lx.src) && isDigit(lx.src[i]) {
		i++
	}
	if lx.byteAt(i) == '.' {
		i++
		for i < len(lx.src) && isDigit(lx.src[i]) {
			i++
		}
	}
	if c := lx.byteAt(i); c == 'e' || c == 'E' {
		j := i + 1
		if c := lx.byteAt(j); c == '+' || c == '-' {
			j++
		}
		if isDigit(lx.byteAt(j)) {
			for j < len(lx.src) && isDigit(lx.src[j]) {
				j++
			}
			i = j
		}
	}
	if isIdentChar(lx.byteAt(i)) {
		end := i
		for end < len(lx.src) && isIdentChar(lx.src[end]) {
			end++
		}
		return lx.errorToken(pos, start, end, "trailing junk after numeric literal")
	}
	lx.advanceTo(i)
	return token{kind: tokNumber, text: lx.src[start:i], pos: pos}
}

// quoted lexes a 'string' or a "quoted identifier"; a doubled quote stands
// for one.
func (lx *lexer) quoted(pos Pos, start int, q byte) token {
	i := start + 1
	escaped := false
	for {
		j := strings.IndexByte(lx.src[i:], q)
		if j < 0 {
			msg := "unterminated string literal"
			if q == '"' {
				msg = "unterminated quoted identifier"
			}
			return lx.errorToken(pos, start, len(lx.src), msg)
		}
		i += j
		if lx.byteAt(i+1) == q {
			escaped = true
			i += 2
			continue
		}
		break
	}
	end := i + 1
	text := lx.src[start:end]
	val := text[1 : len(text)-1]
	if escaped {
		val = strings.ReplaceAll(val, string([]byte{q, q}), string(q))
	}
	if q == '"' && val == "" {
		return lx.errorToken(pos, start, end, "zero-length quoted identifier")
	}
	lx.advanceTo(end)
	kind := tokString
	if q == '"' {
		kind = tokQIdent
	}
	return token{kind: kind, text: text, val: val, pos: pos}
}

// param lexes $n.
func (lx *lexer) param(pos Pos, start int) token {
	i := start + 1
	for i < len(lx.src) && isDigit(lx.src[i]) {
		i++
	}
	if i == start+1 {
		return lx.errorToken(pos, start, i, "unexpected character")
	}
	if isIdentChar(lx.byteAt(i)) {
		end := i
		for end < len(lx.src) && isIdentChar(lx.src[end]) {
			end++
		}
		return lx.errorToken(pos, start, end, "trailing junk after parameter")
	}
	digits := strings.TrimLeft(lx.src[start+1:i], "0")
	if digits == "" {
		return lx.errorToken(pos, start, i, "parameters are numbered from $1")
	}
	n, err := strconv.Atoi(digits)
	if err != nil || len(digits) > 6 || n > maxParams {
		return lx.errorToken(pos, start, i, "parameter number too large (the maximum is $65535)")
	}
	lx.advanceTo(i)
	return token{kind: tokParam, text: lx.src[start:i], num: n, pos: pos}
}

// nearLimit is the most runes of a token an error message quotes.
const nearLimit = 40

// nearText is the token text an error quotes: the text as written, cut to
// nearLimit runes (with "…") so an unterminated string does not quote the
// rest of the statement.
func nearText(s string) string {
	if len(s) <= nearLimit {
		return s
	}
	n := 0
	for i := range s {
		if n == nearLimit {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
