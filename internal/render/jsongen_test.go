package render

import "testing"

// TestJSONGenLayout pins what Jackson's DefaultPrettyPrinter with
// JsonTransformer's CompactIndenters writes for the shapes no fixture shows:
// an empty document, -e's key arrays (serializePartitionKey leaves both
// indenters compact while the outer array's separator is written), and the
// same calls without the pretty printer (-l).
func TestJSONGenLayout(t *testing.T) {
	keys := func(g *jsonGen, ks ...string) {
		g.startArray()
		for _, k := range ks {
			g.objCompact, g.arrCompact = true, true
			g.startArray()
			g.rawString(`"` + k + `"`)
			g.endArray()
			g.objCompact, g.arrCompact = false, false
		}
		g.endArray()
	}
	tests := []struct {
		name   string
		pretty bool
		write  func(g *jsonGen)
		want   string
	}{
		{"empty", true, func(g *jsonGen) { keys(g) }, "[ ]"},
		{"keys", true, func(g *jsonGen) { keys(g, "a", "b:c") }, "[ [ \"a\" ], [ \"b:c\" ]\n]"},
		{"keys compact", false, func(g *jsonGen) { keys(g, "a", "b") }, `[["a"],["b"]]`},
		{"empty object in array", true, func(g *jsonGen) {
			g.startArray()
			g.startObject()
			g.field("rows")
			g.startArray()
			g.endArray()
			g.endObject()
			g.startObject()
			g.endObject()
			g.endArray()
		}, "[\n  {\n    \"rows\" : [ ]\n  },\n  { }\n]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g jsonGen
			g.reset(nil)
			g.pretty = tt.pretty
			tt.write(&g)
			if string(g.b) != tt.want {
				t.Errorf("got %q, want %q", g.b, tt.want)
			}
		})
	}
}
