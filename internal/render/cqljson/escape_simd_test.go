//go:build goexperiment.simd && amd64

package cqljson

// escapePortable is appendJSONEscapedValid with the AVX2 scan turned off: the
// SWAR code every other build runs, for the differential tests. Tests that
// call it must not run in parallel with other escaping.
func escapePortable(dst, s []byte) ([]byte, bool) {
	defer func(v bool) { vecScan = v }(vecScan)
	vecScan = false
	return appendJSONEscapedValid(dst, s)
}
