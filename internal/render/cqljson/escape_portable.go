//go:build !(goexperiment.simd && amd64)

package cqljson

// vecScan is false without GOEXPERIMENT=simd on amd64 (see escape_simd.go):
// the SWAR scan of escape.go does the work, and the compiler drops the calls.
const vecScan = false

func plainPrefixVec(s []byte) int { panic("cqljson: plainPrefixVec without SIMD") }
