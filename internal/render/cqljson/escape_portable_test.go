//go:build !(goexperiment.simd && amd64)

package cqljson

// escapePortable is appendJSONEscapedValid, which in this build is the SWAR
// code only (escape_simd_test.go has the differential form).
func escapePortable(dst, s []byte) ([]byte, bool) { return appendJSONEscapedValid(dst, s) }
