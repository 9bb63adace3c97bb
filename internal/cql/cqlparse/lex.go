package cqlparse

import (
	"fmt"
	"strings"
)

type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // unquoted identifier or keyword
	tQIdent         // "quoted identifier" (text unescaped)
	tString         // 'string' or $$string$$ (text unescaped)
	tNumber         // numbers, and anything else starting with a digit (uuids, hex blobs)
	tPunct          // one character of punctuation
)

type token struct {
	kind      tokKind
	text      string
	line, col int
	off       int // byte offset of the token in the source
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of input"
	case tQIdent:
		return `"` + t.text + `"`
	case tString:
		return "'" + t.text + "'"
	}
	return "'" + t.text + "'"
}

// is reports whether t is the keyword or punctuation kw (case-insensitive for
// keywords; quoted identifiers never match).
func (t token) is(kw string) bool {
	return (t.kind == tIdent || t.kind == tPunct) && strings.EqualFold(t.text, kw)
}

// SyntaxError reports a CQL parse failure at a 1-based line and column.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d:%d: %s", e.Line, e.Col, e.Msg)
}

type lexer struct {
	src       string
	i         int
	line, col int
	toks      []token
}

// lex splits src into tokens, dropping whitespace and the three comment forms
// ("--", "//", "/* */").
func lex(src string) ([]token, error) {
	l := &lexer{src: src, line: 1, col: 1}
	for {
		tok, err := l.next()
		if err != nil {
			return nil, err
		}
		l.toks = append(l.toks, tok)
		if tok.kind == tEOF {
			return l.toks, nil
		}
	}
}

func (l *lexer) advance(n int) {
	for k := 0; k < n && l.i < len(l.src); k++ {
		if l.src[l.i] == '\n' {
			l.line++
			l.col = 1
		} else if l.src[l.i]&0xC0 != 0x80 {
			l.col++
		}
		l.i++
	}
}

func (l *lexer) errorf(line, col int, format string, args ...any) error {
	return &SyntaxError{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentPart(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9'
}

func (l *lexer) next() (token, error) {
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			l.advance(1)
			continue
		case c == '-' && strings.HasPrefix(l.src[l.i:], "--"), c == '/' && strings.HasPrefix(l.src[l.i:], "//"):
			for l.i < len(l.src) && l.src[l.i] != '\n' {
				l.advance(1)
			}
			continue
		case c == '/' && strings.HasPrefix(l.src[l.i:], "/*"):
			line, col := l.line, l.col
			end := strings.Index(l.src[l.i+2:], "*/")
			if end < 0 {
				return token{}, l.errorf(line, col, "unterminated comment")
			}
			l.advance(end + 4)
			continue
		}
		break
	}
	tok := token{line: l.line, col: l.col, off: l.i}
	if l.i >= len(l.src) {
		return tok, nil
	}
	c := l.src[l.i]
	switch {
	case isIdentStart(c):
		j := l.i
		for j < len(l.src) && isIdentPart(l.src[j]) {
			j++
		}
		tok.kind, tok.text = tIdent, l.src[l.i:j]
		l.advance(j - l.i)
	case c == '"' || c == '\'':
		var b strings.Builder
		j := l.i + 1
		for {
			k := strings.IndexByte(l.src[j:], c)
			if k < 0 {
				return tok, l.errorf(tok.line, tok.col, "unterminated %s", map[byte]string{'"': "quoted identifier", '\'': "string"}[c])
			}
			b.WriteString(l.src[j : j+k])
			j += k + 1
			if j < len(l.src) && l.src[j] == c {
				b.WriteByte(c)
				j++
				continue
			}
			break
		}
		tok.kind, tok.text = tString, strings.ToValidUTF8(b.String(), "\uFFFD")
		if c == '"' {
			tok.kind = tQIdent
		}
		l.advance(j - l.i)
	case c == '$' && strings.HasPrefix(l.src[l.i:], "$$"):
		end := strings.Index(l.src[l.i+2:], "$$")
		if end < 0 {
			return tok, l.errorf(tok.line, tok.col, "unterminated $$ string")
		}
		tok.kind, tok.text = tString, l.src[l.i+2:l.i+2+end]
		l.advance(end + 4)
	case c >= '0' && c <= '9' || (c == '-' || c == '+' || c == '.') && l.i+1 < len(l.src) && l.src[l.i+1] >= '0' && l.src[l.i+1] <= '9':
		j := l.i + 1
		for j < len(l.src) {
			d := l.src[j]
			// Letters, '.', '-' (uuids, exponents) and '+' after an exponent mark.
			if isIdentPart(d) || d == '.' || d == '-' || d == '+' && (l.src[j-1] == 'e' || l.src[j-1] == 'E') {
				j++
				continue
			}
			break
		}
		tok.kind, tok.text = tNumber, l.src[l.i:j]
		l.advance(j - l.i)
	default:
		tok.kind, tok.text = tPunct, l.src[l.i:l.i+1]
		l.advance(1)
	}
	return tok, nil
}

// parser walks a token slice.
type parser struct {
	toks []token
	p    int
}

func (p *parser) peek() token { return p.toks[p.p] }

func (p *parser) next() token {
	t := p.toks[p.p]
	if t.kind != tEOF {
		p.p++
	}
	return t
}

func (p *parser) errorf(t token, format string, args ...any) error {
	return &SyntaxError{Line: t.line, Col: t.col, Msg: fmt.Sprintf(format, args...)}
}

// accept consumes the next token if it is kw.
func (p *parser) accept(kw string) bool {
	if p.peek().is(kw) {
		p.p++
		return true
	}
	return false
}

func (p *parser) expect(kw string) error {
	if t := p.peek(); !t.is(kw) {
		return p.errorf(t, "expected %q, found %s", kw, t)
	}
	p.p++
	return nil
}

// ident reads an identifier: unquoted ones are lower-cased, quoted ones keep their
// case (Cassandra's ColumnIdentifier rules).
func (p *parser) ident(what string) (string, error) {
	t := p.peek()
	switch t.kind {
	case tIdent:
		p.p++
		return strings.ToLower(t.text), nil
	case tQIdent:
		p.p++
		return t.text, nil
	}
	return "", p.errorf(t, "expected %s, found %s", what, t)
}
