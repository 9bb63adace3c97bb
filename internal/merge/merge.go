// Package merge merges the partitions of many SSTables (from one or many replicas)
// into one stream, the way Cassandra merges them for a read at CONSISTENCY ALL:
// partitions by (token, key), rows by clustering order, cells by the 4.0+
// reconciliation rules (Cells.reconcile, Row.Merger, CounterContext.merge), with
// partition, range, row and complex deletions shadowing what they cover.
//
// It keeps one unfiltered per input in memory: a partition of any width streams.
// It does not evaluate TTLs: expiry depends on the export's --now and is the
// renderer's business; reconciliation itself never depends on now (CASSANDRA-14592).
package merge

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/token"
)

// Column is one column of the merged table.
type Column struct {
	Static  bool
	Complex bool // non-frozen collection or UDT
	Counter bool
	// PathCompare orders the cell paths of a complex column.
	PathCompare func(a, b []byte) int
	// Dropped says the column was dropped at DroppedAt (schema.Table.Dropped):
	// its cells and complex deletions at or before then are discarded.
	Dropped   bool
	DroppedAt int64
}

// discards reports whether a cell or complex deletion of c written at
// timestamp ts is gone with the column's drop (DeserializationHelper.isDropped).
func (c *Column) discards(ts int64) bool { return c.Dropped && ts <= c.DroppedAt }

// Table is what the merge needs to know of the table.
type Table struct {
	Columns     []Column
	Clustering  Comparator
	Partitioner token.Partitioner
	// HasDropped says some column is Dropped: every row then goes through
	// mergeCells, which discards its dropped cells.
	HasDropped bool
}

// Input is one SSTable's (or one token range of it) stream of partitions.
type Input struct {
	Scanner rows.Stream
	// StaticMap and RegularMap translate the SSTable's column indexes (its
	// serialization header, in on-disk order) into Table.Columns indexes.
	StaticMap, RegularMap []int
	// Lo and Hi, when set, keep only partitions whose token t has Lo < t <= Hi
	// (byte-comparable tokens, token.Partitioner.AppendToken). The scanner's byte
	// range may start earlier and end later: partitions outside are skipped.
	Lo, Hi []byte
}

// RangeTombstone is one range deletion of a partition as an input stored it:
// everything between Start and End (each a clustering prefix with its bound kind)
// written at or before Deletion.MarkedForDeleteAt is deleted.
type RangeTombstone struct {
	Start, End         [][]byte // owned copies
	StartKind, EndKind rows.BoundKind
	Deletion           rows.DeletionTime
}

type input struct {
	Input
	openAt   [][]byte // clustering where the open deletion started (KeepRanges)
	openKind rows.BoundKind
	tok      []byte // byte-comparable token of the current partition key, when needTok
	// needTok: tok is compared (with other inputs' or with Lo and Hi). One
	// input without bounds (dump, a one-SSTable unit) never needs it.
	needTok bool
	inPart  bool // positioned on a partition header
	// ordered: both column maps are increasing, so this input's cells arrive in
	// Table column order and a row from it alone needs no sorting.
	ordered bool
	// staticSame and regularSame: the column map is the identity, so a row from
	// this input alone keeps its cells' column ids as they are.
	staticSame, regularSame bool
	head                    bool // Scanner.Unfiltered is the next item of the current partition
	open                    rows.DeletionTime
}

// Partition is the merged header of the current partition.
type Partition struct {
	Key      []byte // valid until the next NextPartition
	Deletion rows.DeletionTime
	Sources  int // how many inputs hold this partition
}

// Row is a merged row. Slices alias the inputs' buffers and the merger's scratch:
// they are valid until the next NextRow or NextPartition.
type Row struct {
	Static     bool
	Clustering [][]byte
	Liveness   rows.Liveness
	// Deletion is the row deletion that survived the merge (it supersedes the
	// partition and range deletions covering the row); Live otherwise.
	Deletion rows.DeletionTime
	// Shadowable says Deletion is a shadowable deletion (it outlived the liveness).
	Shadowable bool
	// Active is the partition or range deletion that covers this row.
	Active           rows.DeletionTime
	Cells            []rows.Cell // Column is a Table.Columns index; sorted by (column, path)
	ComplexDeletions []rows.ComplexDeletion
	// Runs, when not nil, is the decoder's index of Cells (rows.Unfiltered.Runs):
	// Runs[c] is the [lo, hi) range of column c's cells, c a Table.Columns
	// index, for the first len(Runs) columns. It is set when the row is one
	// version's cells as decoded, neither remapped nor compacted; otherwise it
	// is nil and a caller that needs the runs finds them in Cells.
	Runs [][2]int
}

// Merger merges inputs. It is not safe for concurrent use.
type Merger struct {
	t       *Table
	inputs  []*input
	parts   []*input // inputs holding the current partition
	started bool
	part    Partition
	out     Row
	cells   []rows.Cell // out.Cells' own buffer (out.Cells may alias an input's instead)
	// cdels is out.ComplexDeletions' own buffer (it may alias an input's instead).
	cdels []rows.ComplexDeletion
	// KeepRanges makes the merger collect each partition's range tombstones for
	// Ranges (the lossless layout prints them). Memory: one copy per range.
	KeepRanges bool
	ranges     []RangeTombstone
	tombstones int64
	used       []*input // inputs whose head the last row consumed
	taken      bool     // the last row of a one-input partition consumed its head
	vers       []*input
	cdel       []rows.DeletionTime // per table column, scratch
	touched    []int
	arena      []byte
	err        error
}

// New returns a merger over inputs, each positioned before its first partition.
func New(t *Table, inputs []Input) *Merger {
	m := &Merger{t: t, cdel: make([]rows.DeletionTime, len(t.Columns))}
	for i := range m.cdel {
		m.cdel[i] = rows.Live
	}
	for _, in := range inputs {
		m.inputs = append(m.inputs, &input{Input: in, ordered: increasing(in.StaticMap) && increasing(in.RegularMap),
			staticSame: identity(in.StaticMap), regularSame: identity(in.RegularMap),
			needTok: len(inputs) > 1 || in.Lo != nil || in.Hi != nil})
	}
	return m
}

// Err returns the first error of any input.
func (m *Merger) Err() error { return m.err }

// Tombstones returns how many tombstones the merge has read and applied so far:
// partition deletions, range deletions, row deletions (shadowable ones too),
// collection deletions and cell tombstones, counted once per input holding them.
func (m *Merger) Tombstones() int64 { return m.tombstones }

// Partition returns the current merged partition header.
func (m *Merger) Partition() *Partition { return &m.part }

// advancePartition moves in to its next partition inside its token range.
func (m *Merger) advancePartition(in *input) {
	in.head = false
	for {
		in.inPart = in.Scanner.NextPartition()
		if !in.inPart {
			if err := in.Scanner.Err(); err != nil && m.err == nil {
				m.err = err
			}
			return
		}
		if !in.needTok {
			return
		}
		in.tok = m.t.Partitioner.AppendToken(in.tok[:0], in.Scanner.Partition().Key)
		if in.Lo != nil && bytes.Compare(in.tok, in.Lo) <= 0 {
			continue // before the range: the scan started at an earlier sample
		}
		if in.Hi != nil && bytes.Compare(in.tok, in.Hi) > 0 {
			in.inPart = false // past the range
		}
		return
	}
}

func (m *Merger) compareKeys(a, b *input) int {
	if c := bytes.Compare(a.tok, b.tok); c != 0 {
		return c
	}
	return bytes.Compare(a.Scanner.Partition().Key, b.Scanner.Partition().Key)
}

// NextPartition advances to the next partition in token order across all inputs.
func (m *Merger) NextPartition() bool {
	if m.err != nil {
		return false
	}
	if len(m.inputs) == 1 {
		return m.nextPartitionSingle(m.inputs[0])
	}
	if !m.started {
		m.started = true
		for _, in := range m.inputs {
			m.advancePartition(in)
		}
	} else {
		for _, in := range m.parts {
			m.advancePartition(in)
		}
	}
	if m.err != nil {
		return false
	}
	m.parts = m.parts[:0]
	var first *input
	for _, in := range m.inputs {
		if !in.inPart {
			continue
		}
		if first == nil {
			first = in
			continue
		}
		if m.compareKeys(in, first) < 0 {
			first = in
		}
	}
	if first == nil {
		return false
	}
	m.part = Partition{Key: first.Scanner.Partition().Key, Deletion: rows.Live}
	for _, in := range m.inputs {
		if in.inPart && (in == first || m.compareKeys(in, first) == 0) {
			m.parts = append(m.parts, in)
			if d := in.Scanner.Partition().Deletion; !d.IsLive() {
				m.tombstones++
			}
			if d := in.Scanner.Partition().Deletion; d.Supersedes(m.part.Deletion) {
				m.part.Deletion = d
			}
			in.open = rows.Live
			in.head = false
		}
	}
	m.part.Sources = len(m.parts)
	m.ranges = m.ranges[:0]
	for _, in := range m.parts {
		m.advanceHead(in)
	}
	m.used = m.used[:0]
	m.taken = false
	return m.err == nil
}

// nextPartitionSingle is NextPartition for a merger of one input: its next
// partition is the merged one, with no keys to compare.
func (m *Merger) nextPartitionSingle(in *input) bool {
	if !m.started || len(m.parts) > 0 {
		m.started = true
		m.advancePartition(in)
	}
	m.parts = m.parts[:0]
	if m.err != nil || !in.inPart {
		return false
	}
	p := in.Scanner.Partition()
	m.part = Partition{Key: p.Key, Deletion: rows.Live, Sources: 1}
	if !p.Deletion.IsLive() {
		m.tombstones++
	}
	if p.Deletion.Supersedes(rows.Live) {
		m.part.Deletion = p.Deletion
	}
	in.open = rows.Live
	m.parts = append(m.parts, in)
	m.ranges = m.ranges[:0]
	m.used = m.used[:0]
	m.taken = false
	m.advanceHead(in)
	return m.err == nil
}

func (m *Merger) advanceHead(in *input) {
	in.head = in.Scanner.Next()
	if !in.head {
		if err := in.Scanner.Err(); err != nil && m.err == nil {
			m.err = err
		}
	}
}

func (m *Merger) compareHeads(a, b *input) int {
	ua, ub := a.Scanner.Unfiltered(), b.Scanner.Unfiltered()
	return m.t.Clustering.Compare(ua.Clustering, ua.Bound, ub.Clustering, ub.Bound)
}

// NextRow advances to the next merged row of the current partition: the static
// row first (when any input has static columns), then rows in clustering order.
// Range tombstone markers are applied, not returned.
func (m *Merger) NextRow() bool {
	if len(m.parts) == 1 {
		return m.nextRowSingle(m.parts[0])
	}
	for _, in := range m.used {
		m.advanceHead(in)
	}
	m.used = m.used[:0]
	for m.err == nil {
		var first *input
		for _, in := range m.parts {
			if in.head && (first == nil || m.compareHeads(in, first) < 0) {
				first = in
			}
		}
		if first == nil {
			return false
		}
		u := first.Scanner.Unfiltered()
		if u.Kind == rows.KindMarker {
			m.marker(first, u)
			continue
		}
		m.vers = m.vers[:0]
		for _, in := range m.parts {
			if in.head && in.Scanner.Unfiltered().Kind != rows.KindMarker && (in == first || m.compareHeads(in, first) == 0) {
				m.vers = append(m.vers, in)
			}
		}
		active := m.part.Deletion
		if u.Kind != rows.KindStatic {
			for _, in := range m.parts {
				if in.open.Supersedes(active) {
					active = in.open
				}
			}
		}
		m.mergeRow(u, active)
		m.used = append(m.used, m.vers...)
		return m.err == nil
	}
	return false
}

// marker takes in's range tombstone bound u: it opens or closes in's range
// deletion (and is kept for the partitions layout), then moves in on.
func (m *Merger) marker(in *input, u *rows.Unfiltered) {
	if m.KeepRanges {
		m.keepRange(in, u)
	}
	if u.Bound.IsStart() {
		m.tombstones++
		in.open = u.StartDeletion
	} else {
		in.open = rows.Live
	}
	m.advanceHead(in)
}

// nextRowSingle is NextRow for a partition only one input holds (most of them):
// there are no heads to order and no versions to line up, but markers, the
// partition and range deletions, and the row's own merge (mergeSingle: deletions,
// liveness, complex deletions, dropped columns, column maps) are applied as for
// many inputs.
func (m *Merger) nextRowSingle(in *input) bool {
	if m.taken {
		m.taken = false
		m.advanceHead(in)
	}
	for m.err == nil && in.head {
		u := in.Scanner.Unfiltered()
		if u.Kind == rows.KindMarker {
			m.marker(in, u)
			continue
		}
		active := m.part.Deletion
		if u.Kind != rows.KindStatic && in.open.Supersedes(active) {
			active = in.open
		}
		m.taken = true
		m.mergeSingle(in, u, active)
		return m.err == nil
	}
	return false
}

// keepRange records the range a marker closes and remembers where the next opens.
func (m *Merger) keepRange(in *input, u *rows.Unfiltered) {
	own := func(c [][]byte) [][]byte {
		out := make([][]byte, len(c))
		for i, v := range c {
			if v != nil {
				out[i] = append([]byte{}, v...)
			}
		}
		return out
	}
	if u.Bound.IsEnd() && !in.open.IsLive() {
		endKind := u.Bound
		switch u.Bound {
		case rows.ExclEndInclStartBoundary:
			endKind = rows.ExclEndBound
		case rows.InclEndExclStartBoundary:
			endKind = rows.InclEndBound
		}
		// A range the partition deletion covers entirely adds nothing.
		if in.open.Supersedes(m.part.Deletion) {
			m.ranges = append(m.ranges, RangeTombstone{Start: in.openAt, StartKind: in.openKind,
				End: own(u.Clustering), EndKind: endKind, Deletion: in.open})
		}
	}
	if u.Bound.IsStart() {
		in.openAt = own(u.Clustering)
		switch u.Bound {
		case rows.ExclEndInclStartBoundary:
			in.openKind = rows.InclStartBound
		case rows.InclEndExclStartBoundary:
			in.openKind = rows.ExclStartBound
		default:
			in.openKind = u.Bound
		}
	}
}

// Ranges returns the range tombstones of the current partition once NextRow has
// returned false (with KeepRanges set), in clustering order of their starts,
// identical ranges from several inputs kept once. Valid until NextPartition.
func (m *Merger) Ranges() []RangeTombstone {
	c := &m.t.Clustering
	slices.SortFunc(m.ranges, func(a, b RangeTombstone) int {
		if r := c.Compare(a.Start, a.StartKind, b.Start, b.StartKind); r != 0 {
			return r
		}
		if r := c.Compare(a.End, a.EndKind, b.End, b.EndKind); r != 0 {
			return r
		}
		return cmp.Compare(a.Deletion.MarkedForDeleteAt, b.Deletion.MarkedForDeleteAt)
	})
	out := m.ranges[:0]
	for i, r := range m.ranges {
		if i > 0 {
			p := out[len(out)-1]
			if p.Deletion == r.Deletion && p.StartKind == r.StartKind && p.EndKind == r.EndKind &&
				c.Compare(p.Start, p.StartKind, r.Start, r.StartKind) == 0 && c.Compare(p.End, p.EndKind, r.End, r.EndKind) == 0 {
				continue
			}
		}
		out = append(out, r)
	}
	m.ranges = out
	return out
}

// countTombstones counts u's row and complex deletions; its cell tombstones are
// counted where its cells are visited (singleCells, mergeCells).
func (m *Merger) countTombstones(u *rows.Unfiltered) {
	if !u.Deletion.IsLive() {
		m.tombstones++
	}
	if !u.ShadowableDeletion.IsLive() {
		m.tombstones++
	}
	m.tombstones += int64(len(u.ComplexDeletions))
}

// Row returns the current merged row.
func (m *Merger) Row() *Row { return &m.out }

// supersedesLiveness is LivenessInfo.supersedes.
func supersedesLiveness(a, b rows.Liveness) bool {
	if a.Timestamp != b.Timestamp {
		return a.Timestamp > b.Timestamp
	}
	aExpired, bExpired := a.TTL == rows.ExpiredLivenessTTL, b.TTL == rows.ExpiredLivenessTTL
	if aExpired != bExpired {
		return aExpired
	}
	if a.IsExpiring() == b.IsExpiring() {
		return a.LocalExpirationTime > b.LocalExpirationTime ||
			(a.LocalExpirationTime == b.LocalExpirationTime && a.TTL < b.TTL)
	}
	return a.IsExpiring()
}

// mergeRow merges the versions in m.vers of the row first is one of (Row.Merger).
func (m *Merger) mergeRow(first *rows.Unfiltered, active rows.DeletionTime) {
	active = m.mergeRowDeletion(first, active)

	// One version under no deletion (the common case): its cells are the result,
	// less those its own complex deletions cover. They stay in the input's
	// buffer, with their column ids rewritten in place (the input's row is ours
	// until the next advance).
	if len(m.vers) == 1 && m.vers[0].ordered && active.IsLive() && !m.t.HasDropped {
		in := m.vers[0]
		if m.out.Static {
			m.singleCells(in.Scanner.Unfiltered(), in.StaticMap, in.staticSame)
		} else {
			m.singleCells(in.Scanner.Unfiltered(), in.RegularMap, in.regularSame)
		}
		return
	}
	m.mergeCells(active)
}

// mergeSingle is mergeRow for a partition only in holds: u, its row, is the
// only version. Most rows have no deletion of their own nor above them: they
// go straight to singleCells.
func (m *Merger) mergeSingle(in *input, u *rows.Unfiltered, active rows.DeletionTime) {
	if !in.ordered || m.t.HasDropped || !active.IsLive() ||
		u.Deletion.Supersedes(rows.Live) || u.ShadowableDeletion.Supersedes(rows.Live) {
		m.countTombstones(u)
		m.mergeSingleDeleted(in, u, active)
		return
	}
	// Both row deletions are live (nothing else fails to supersede Live):
	// countTombstones reduces to the complex deletions.
	m.tombstones += int64(len(u.ComplexDeletions))
	out := &m.out
	out.Static = u.Kind == rows.KindStatic
	out.Clustering = u.Clustering
	out.Liveness = rows.EmptyLiveness
	if supersedesLiveness(u.Liveness, rows.EmptyLiveness) {
		out.Liveness = u.Liveness
	}
	out.Deletion, out.Shadowable, out.Active = rows.Live, false, active
	if out.Static {
		m.singleCells(u, in.StaticMap, in.staticSame)
	} else {
		m.singleCells(u, in.RegularMap, in.regularSame)
	}
}

// mergeSingleDeleted is mergeSingle for a row under a deletion (its own or a
// partition or range deletion), of an input whose columns need sorting, or of
// a table with dropped columns.
func (m *Merger) mergeSingleDeleted(in *input, u *rows.Unfiltered, active rows.DeletionTime) {
	m.startRow(u)
	out := &m.out
	if supersedesLiveness(u.Liveness, out.Liveness) {
		out.Liveness = u.Liveness
	}
	if u.Deletion.Supersedes(out.Deletion) {
		out.Deletion = u.Deletion
	}
	shadowable := rows.Live
	if u.ShadowableDeletion.Supersedes(shadowable) {
		shadowable = u.ShadowableDeletion
	}
	active = m.rowActive(shadowable, active)
	if in.ordered && active.IsLive() && !m.t.HasDropped {
		if out.Static {
			m.singleCells(u, in.StaticMap, in.staticSame)
		} else {
			m.singleCells(u, in.RegularMap, in.regularSame)
		}
		return
	}
	m.vers = append(m.vers[:0], in)
	m.mergeCells(active)
}

// mergeRowDeletion starts the merged row: its clustering, and the newest
// liveness and row deletion of every version (a shadowable deletion only while
// no newer liveness shadows it). It returns the deletion in force for the row's
// cells: active, or the row's own when that supersedes it.
func (m *Merger) mergeRowDeletion(first *rows.Unfiltered, active rows.DeletionTime) rows.DeletionTime {
	m.startRow(first)
	out := &m.out
	shadowable := rows.Live
	for _, in := range m.vers {
		u := in.Scanner.Unfiltered()
		m.countTombstones(u)
		if supersedesLiveness(u.Liveness, out.Liveness) {
			out.Liveness = u.Liveness
		}
		if u.Deletion.Supersedes(out.Deletion) {
			out.Deletion = u.Deletion
		}
		if u.ShadowableDeletion.Supersedes(shadowable) {
			shadowable = u.ShadowableDeletion
		}
	}
	return m.rowActive(shadowable, active)
}

// startRow resets the merged row for the row first is a version of.
func (m *Merger) startRow(first *rows.Unfiltered) {
	out := &m.out
	out.Static = first.Kind == rows.KindStatic
	out.Clustering = first.Clustering
	out.Liveness = rows.EmptyLiveness
	out.Deletion = rows.Live
	out.Shadowable = false
	m.cells = m.cells[:0]
	out.Cells = m.cells
	out.Runs = nil
	m.cdels = m.cdels[:0]
	out.ComplexDeletions = m.cdels
	m.arena = m.arena[:0]
}

// rowActive settles the merged row's deletion, given the newest shadowable
// deletion of its versions, and returns the deletion in force for its cells.
func (m *Merger) rowActive(shadowable, active rows.DeletionTime) rows.DeletionTime {
	out := &m.out
	// A shadowable deletion counts only while no newer liveness shadows it (Row.Deletion).
	if !shadowable.IsLive() && out.Liveness.Timestamp <= shadowable.MarkedForDeleteAt && shadowable.Supersedes(out.Deletion) {
		out.Deletion, out.Shadowable = shadowable, true
	}
	if !out.Deletion.IsLive() && out.Deletion.Supersedes(active) {
		active = out.Deletion
	} else {
		out.Deletion, out.Shadowable = rows.Live, false
	}
	out.Active = active
	if active.Deletes(out.Liveness.Timestamp) {
		out.Liveness = rows.EmptyLiveness
	}
	return active
}

// mergeCells merges the cells of every version of the row under active: complex
// deletions first (they decide which of a column's cells survive), then the
// cells, sorted and reconciled when more than one version holds them.
func (m *Merger) mergeCells(active rows.DeletionTime) {
	out := &m.out

	for _, in := range m.vers {
		u := in.Scanner.Unfiltered()
		cmap := in.RegularMap
		if out.Static {
			cmap = in.StaticMap
		}
		for _, cd := range u.ComplexDeletions {
			c := cmap[cd.Column]
			if m.t.Columns[c].discards(cd.Deletion.MarkedForDeleteAt) {
				continue
			}
			if cd.Deletion.Supersedes(m.cdel[c]) {
				if m.cdel[c].IsLive() {
					m.touched = append(m.touched, c)
				}
				m.cdel[c] = cd.Deletion
			}
		}
	}
	sorted := true
	single := len(m.vers) == 1 && m.vers[0].ordered
	for _, in := range m.vers {
		u := in.Scanner.Unfiltered()
		cmap := in.RegularMap
		if out.Static {
			cmap = in.StaticMap
		}
		for i := range u.Cells {
			cell := u.Cells[i]
			if cell.Tombstone {
				m.tombstones++
			}
			c := cmap[cell.Column]
			del := active
			if m.cdel[c].Supersedes(del) {
				del = m.cdel[c]
			}
			if del.Deletes(cell.Timestamp) || m.t.Columns[c].discards(cell.Timestamp) {
				continue
			}
			cell.Column = c
			if n := len(out.Cells); n > 0 && sorted && !single && m.cellCompare(&out.Cells[n-1], &cell) >= 0 {
				sorted = false
			}
			out.Cells = append(out.Cells, cell)
		}
	}
	m.cells = out.Cells // keep the grown buffer for the next row
	for _, c := range m.touched {
		if m.cdel[c].Supersedes(active) {
			out.ComplexDeletions = append(out.ComplexDeletions, rows.ComplexDeletion{Column: c, Deletion: m.cdel[c]})
		}
		m.cdel[c] = rows.Live
	}
	m.cdels = out.ComplexDeletions // keep the grown buffer for the next row
	m.touched = m.touched[:0]
	// touched follows the inputs' on-disk column order, not Table.Columns'.
	if len(out.ComplexDeletions) > 1 {
		slices.SortFunc(out.ComplexDeletions, func(a, b rows.ComplexDeletion) int { return cmp.Compare(a.Column, b.Column) })
	}
	if sorted {
		return
	}
	slices.SortStableFunc(out.Cells, func(a, b rows.Cell) int { return m.cellCompare(&a, &b) })
	cells := out.Cells[:0]
	for i := 0; i < len(out.Cells); {
		win := out.Cells[i]
		j := i + 1
		for ; j < len(out.Cells) && m.cellCompare(&out.Cells[i], &out.Cells[j]) == 0; j++ {
			win = m.reconcile(&m.t.Columns[win.Column], win, out.Cells[j])
		}
		cells = append(cells, win)
		i = j
	}
	out.Cells = cells
}

// singleCells is mergeRow's result for one ordered version under no partition,
// range or row deletion: its cells, less those its complex deletions cover
// (every INSERT of a collection writes one just below its cells), dropped in
// place in the input's buffer, with column ids mapped unless cmap is the
// identity (same). Cells and complex deletions both come in column order, and
// cmap is increasing, so the input's ids order them as the table's do. It also
// counts the cell tombstones.
//
// It runs for nearly every row of a one-SSTable export, so nothing moves
// unless a cell is covered (usually none is), and when the decoder indexed the
// cells (u.Runs) only the cells of deleted collections are visited, and the
// index goes on to the renderer with them; otherwise scanCells visits each
// cell once, in a leaf loop Go keeps in registers.
func (m *Merger) singleCells(u *rows.Unfiltered, cmap []int, same bool) {
	out := &m.out
	cells, cds := u.Cells, u.ComplexDeletions
	switch {
	case len(cds) == 0:
		out.ComplexDeletions = m.cdels[:0]
	case same && allDeleting(cds):
		out.ComplexDeletions = cds
	default:
		m.singleComplexDeletions(cds, cmap, same)
	}
	var tombstones int64
	var covered int
	if u.Runs != nil {
		tombstones, covered = int64(u.TombstoneCells), firstCovered(cells, u.Runs, cds)
	} else {
		tombstones, covered = scanCells(cells, cds)
	}
	m.tombstones += tombstones
	out.Runs = nil
	if covered < len(cells) {
		cells = compactCovered(cells, cds, covered)
	} else if same {
		out.Runs = u.Runs
	}
	if !same {
		for i := range cells {
			cells[i].Column = cmap[cells[i].Column]
		}
	}
	out.Cells = cells
}

// allDeleting reports whether every one of cds deletes something.
func allDeleting(cds []rows.ComplexDeletion) bool {
	for i := range cds {
		if !cds[i].Deletion.Supersedes(rows.Live) {
			return false
		}
	}
	return true
}

// singleComplexDeletions sets the merged row's complex deletions to cds less
// its live ones, mapped by cmap.
func (m *Merger) singleComplexDeletions(cds []rows.ComplexDeletion, cmap []int, same bool) {
	out := &m.out
	out.ComplexDeletions = m.cdels[:0]
	for _, cd := range cds {
		if cd.Deletion.Supersedes(rows.Live) {
			c := cd.Column
			if !same {
				c = cmap[c]
			}
			out.ComplexDeletions = append(out.ComplexDeletions, rows.ComplexDeletion{Column: c, Deletion: cd.Deletion})
		}
	}
	m.cdels = out.ComplexDeletions
}

// scanCells counts the tombstones of cells and finds the first cell a complex
// deletion of cds covers (len(cells) when none), both sorted by column.
func scanCells(cells []rows.Cell, cds []rows.ComplexDeletion) (tombstones int64, covered int) {
	i := 0
	for _, cd := range cds {
		if cd.Deletion.IsLive() {
			continue
		}
		for ; i < len(cells) && cells[i].Column < cd.Column; i++ {
			if cells[i].Tombstone {
				tombstones++
			}
		}
		for ; i < len(cells) && cells[i].Column == cd.Column; i++ {
			if cells[i].Tombstone {
				tombstones++
			}
			if cd.Deletion.Deletes(cells[i].Timestamp) {
				for j := i + 1; j < len(cells); j++ {
					if cells[j].Tombstone {
						tombstones++
					}
				}
				return tombstones, i
			}
		}
	}
	for ; i < len(cells); i++ {
		if cells[i].Tombstone {
			tombstones++
		}
	}
	return tombstones, len(cells)
}

// firstCovered is scanCells' second result for a row whose decoder indexed
// its cells by column (runs, rows.Unfiltered.Runs): it visits only the cells
// of the columns cds delete.
func firstCovered(cells []rows.Cell, runs [][2]int, cds []rows.ComplexDeletion) int {
	for _, cd := range cds {
		if cd.Deletion.IsLive() || uint(cd.Column) >= uint(len(runs)) {
			continue
		}
		rg := runs[cd.Column]
		for i := rg[0]; i < rg[1]; i++ {
			if cd.Deletion.Deletes(cells[i].Timestamp) {
				return i
			}
		}
	}
	return len(cells)
}

// compactCovered returns cells (sorted by column, as are cds) less those a
// complex deletion of their column covers, compacted in place; cells[from] is
// the first covered one.
func compactCovered(cells []rows.Cell, cds []rows.ComplexDeletion, from int) []rows.Cell {
	n, k := from, 0
	for i := from; i < len(cells); i++ {
		c := cells[i].Column
		for k < len(cds) && cds[k].Column < c {
			k++
		}
		if k < len(cds) && cds[k].Column == c && cds[k].Deletion.Deletes(cells[i].Timestamp) {
			continue
		}
		cells[n] = cells[i]
		n++
	}
	return cells[:n]
}

func (m *Merger) cellCompare(a, b *rows.Cell) int {
	if a.Column != b.Column {
		return cmp.Compare(a.Column, b.Column)
	}
	col := &m.t.Columns[a.Column]
	if !col.Complex {
		return 0
	}
	return col.PathCompare(a.Path, b.Path)
}

// reconcile picks or builds the winner of two versions of one cell (Cells.reconcile,
// 4.0+ rules, FORMAT.md §9.2 and §9.10; the TTL tie-break of two expiring cells
// is Cells.resolveRegular's, which FORMAT.md §9.2 omits).
func (m *Merger) reconcile(col *Column, a, b rows.Cell) rows.Cell {
	if col.Counter && !a.Tombstone && !b.Tombstone {
		var merged []byte
		var err error
		m.arena, merged, err = mergeContexts(m.arena, a.Value, b.Value)
		if err != nil {
			if m.err == nil {
				m.err = fmt.Errorf("counter cell: %w", err)
			}
			return a
		}
		a.Value = merged
		a.Timestamp = max(a.Timestamp, b.Timestamp)
		return a
	}
	if col.Counter && a.Tombstone != b.Tombstone {
		if a.Tombstone {
			return a
		}
		return b
	}
	if a.Timestamp != b.Timestamp {
		if a.Timestamp > b.Timestamp {
			return a
		}
		return b
	}
	aSpecial := a.Tombstone || a.IsExpiring()
	bSpecial := b.Tombstone || b.IsExpiring()
	if aSpecial != bSpecial {
		if aSpecial {
			return a
		}
		return b
	}
	if aSpecial {
		if a.Tombstone != b.Tombstone {
			if a.Tombstone {
				return a
			}
			return b
		}
		if a.LocalDeletionTime != b.LocalDeletionTime {
			if a.LocalDeletionTime > b.LocalDeletionTime {
				return a
			}
			return b
		}
		// Both expiring with the same expiry: the lower TTL (the later write) wins
		// before values are compared.
		if !a.Tombstone && a.TTL != b.TTL {
			if a.TTL < b.TTL {
				return a
			}
			return b
		}
	}
	if bytes.Compare(a.Value, b.Value) >= 0 {
		return a
	}
	return b
}

func identity(m []int) bool {
	for i, c := range m {
		if c != i {
			return false
		}
	}
	return true
}

func increasing(m []int) bool {
	for i := 1; i < len(m); i++ {
		if m[i] <= m[i-1] {
			return false
		}
	}
	return true
}

// NewTable returns the merge's view of t: per column whether it is static,
// complex or a counter and how its cell paths sort, and the clustering order.
func NewTable(t *schema.Table) *Table {
	mt := &Table{Partitioner: t.Partitioner}
	for _, c := range t.Clustering {
		mt.Clustering.Types = append(mt.Clustering.Types, c.Type.Compare)
	}
	for _, c := range t.Columns {
		mc := Column{Static: c.Static, Complex: c.Type.IsMultiCell(), Counter: c.Type.Kind == cql.Counter}
		if mc.Complex {
			mc.PathCompare = c.Type.PathType().Compare
		}
		if ts, ok := t.DroppedAt(c.Name); ok {
			mc.Dropped, mc.DroppedAt = true, ts
			mt.HasDropped = true
		}
		mt.Columns = append(mt.Columns, mc)
	}
	return mt
}

// NewInput returns the merge input for sc, a stream of one source whose schema
// is src (one SSTable's), merged into the table t.
func NewInput(sc rows.Stream, src, t *schema.Table) Input {
	in := Input{Scanner: sc}
	in.StaticMap, in.RegularMap = t.ColumnMaps(src)
	return in
}
