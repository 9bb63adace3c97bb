package sinktest_test

import (
	"testing"

	"github.com/aegisthus/aegisthus/internal/sink"
	"github.com/aegisthus/aegisthus/internal/sink/sinktest"
)

func TestLocal(t *testing.T) {
	sinktest.Run(t, func(t *testing.T) sink.Sink {
		s, err := sink.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, sinktest.Options{})
}
