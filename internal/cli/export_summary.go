package cli

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/dustin/go-humanize"

	"github.com/aegisthus/aegisthus/internal/pipeline"
)

// summary reports a finished export: on a terminal (text logs), a block a
// person reads (after DSBulk's operation summary: a header row, a value row,
// then the outcome in words); otherwise (a cron job, a container's log) the
// "export done" line as one JSON object whatever --log-format says, numbers
// as numbers, for a machine to read. --quiet prints neither.
func (o *exportOptions) summary(stderr io.Writer, log *slog.Logger, sum *pipeline.Summary) {
	if o.quiet {
		return
	}
	if o.logFormat == "text" && isTerminal(stderr) {
		o.summaryBlock(stderr, sum)
		return
	}
	machineLog(stderr, log, o.logFormat).Info("export done", "table", sum.Table, "sstables", sum.SSTables, "units", sum.Units,
		"resumed_units", sum.UnitsResumed, "partitions", sum.Partitions, "rows", sum.Rows, "tombstones", sum.Tombstones,
		"bytes_in", sum.BytesIn, "bytes_out", sum.BytesOut, "seconds", round1(sum.Duration.Seconds()), "out", o.out)
}

// summaryBlock writes the summary a terminal gets.
func (o *exportOptions) summaryBlock(w io.Writer, sum *pipeline.Summary) {
	secs := sum.Duration.Seconds()
	writeSummary(w, [][2]string{
		{"sstables", humanize.Comma(int64(sum.SSTables))},
		{"units", fmt.Sprintf("%s (%s resumed)", humanize.Comma(int64(sum.Units)), humanize.Comma(int64(sum.UnitsResumed)))},
		{"partitions", humanize.Comma(sum.Partitions)},
		{"rows", humanize.Comma(sum.Rows)},
		{"tombstones", humanize.Comma(sum.Tombstones)},
		{"rows/s", humanize.Comma(int64(float64(sum.Rows) / max(secs, 0.001)))},
		{"read", iec(sum.BytesIn) + " uncompressed"},
		{"written", iec(sum.BytesOut)},
	}, fmt.Sprintf("export of %s completed in %.1f s into %s", sum.Table, secs, o.out))
}

// batchSummary reports a finished many-table export, as summary does.
func (o *exportOptions) batchSummary(stderr io.Writer, log *slog.Logger, sum *pipeline.BatchSummary) {
	m := sum.Manifest
	secs := sum.Duration.Seconds()
	if !o.quiet && o.logFormat == "text" && isTerminal(stderr) {
		writeSummary(stderr, [][2]string{
			{"tables ok", humanize.Comma(int64(m.OK))},
			{"failed", humanize.Comma(int64(m.Failed))},
			{"skipped", humanize.Comma(int64(m.Skipped))},
			{"gone", humanize.Comma(int64(m.Gone))},
			{"rows", humanize.Comma(sum.Rows)},
			{"rows/s", humanize.Comma(int64(float64(sum.Rows) / max(secs, 0.001)))},
			{"written", iec(sum.BytesOut)},
		}, fmt.Sprintf("export of %d tables ended in %.1f s into %s", m.OK+m.Failed+m.Skipped+m.Gone, secs, o.out))
	} else {
		machineLog(stderr, log, o.logFormat).Info("export done", "tables_ok", m.OK, "tables_failed", m.Failed, "tables_skipped", m.Skipped,
			"tables_gone", m.Gone, "rows", sum.Rows, "bytes_out", sum.BytesOut,
			"seconds", round1(secs), "out", o.out)
	}
	for _, t := range m.Outcomes {
		if t.Status == pipeline.StatusFailed {
			log.Error("table failed", "table", t.Table, "error", strings.TrimPrefix(t.Error, t.Table+": "))
		}
	}
}

// machineLog is the logger of a summary read by a machine: the run's own with
// --log-format json, else a JSON logger on stderr.
func machineLog(stderr io.Writer, log *slog.Logger, format string) *slog.Logger {
	if format == "json" {
		return log
	}
	return slog.New(slog.NewJSONHandler(stderr, nil))
}

// writeSummary prints cols as a header row over a value row, each column as
// wide as its wider cell, then the outcome line.
func writeSummary(w io.Writer, cols [][2]string, outcome string) {
	var head, vals []string
	for _, c := range cols {
		n := max(len(c[0]), len(c[1]))
		head = append(head, fmt.Sprintf("%*s", n, c[0]))
		vals = append(vals, fmt.Sprintf("%*s", n, c[1]))
	}
	fmt.Fprintf(w, "%s\n%s\n%s\n", strings.Join(head, " | "), strings.Join(vals, " | "), outcome)
}
