// Package pqtest reads Parquet files back for tests, with the library's own
// reader, into plain values fmt prints the same way every time.
package pqtest

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// Rows reads every row of the Parquet file b: column name → value, nested
// groups as maps, lists as []any, byte arrays as the reader gives them.
func Rows(b []byte) ([]map[string]any, error) {
	r := parquet.NewGenericReader[any](bytes.NewReader(b))
	defer r.Close()
	out := make([]any, r.NumRows())
	if n, err := r.Read(out); n != len(out) || (err != nil && err != io.EOF) {
		return nil, fmt.Errorf("read %d of %d rows: %v", n, len(out), err)
	}
	rows := make([]map[string]any, len(out))
	for i, o := range out {
		m, ok := Norm(reflect.ValueOf(o)).(map[string]any)
		if !ok {
			return nil, fmt.Errorf("row %d is a %T", i, o)
		}
		rows[i] = m
	}
	return rows, nil
}

// Norm turns what the reader returns (pointers, and structs for nested groups
// it cannot type otherwise) into nil, maps, []any and plain values.
func Norm(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return Norm(v.Elem())
	case reflect.Struct:
		m := map[string]any{}
		for i := range v.NumField() {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("parquet"), ",")
			m[name] = Norm(v.Field(i))
		}
		return m
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Bytes()
		}
		l := make([]any, v.Len())
		for i := range l {
			l[i] = Norm(v.Index(i))
		}
		return l
	case reflect.Map:
		m := map[string]any{}
		for _, k := range v.MapKeys() {
			m[fmt.Sprint(k.Interface())] = Norm(v.MapIndex(k))
		}
		return m
	}
	return v.Interface()
}
