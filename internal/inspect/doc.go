// Package inspect builds the reports of the SSTable tools: verify (what
// sstableverify checks without reading rows), metadata (what sstablemetadata
// prints) and inspect (the layout of the files, like pebble's sstable layout).
//
// It reads an SSTable tolerantly: where sstable.Open stops at the first missing
// or broken component, these functions read what is there through the same
// per-component API (sstable.ReadStatistics, sstable.OpenChunks, ...) and
// record what is broken in the report. The reports are typed; package cli only
// chooses them by flags and prints them.
package inspect

import "errors"

// ErrInput marks input problems that are neither corrupt nor unsupported bytes:
// a missing file or component, a failed verification. The cli maps it, like
// sstable.ErrCorrupt, to the exit code for bad input.
var ErrInput = errors.New("bad input")
