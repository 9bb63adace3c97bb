package memsink_test

import (
	"testing"

	"github.com/aegisthus/aegisthus/internal/sink"
	"github.com/aegisthus/aegisthus/internal/sink/memsink"
	"github.com/aegisthus/aegisthus/internal/sink/sinktest"
)

func TestMemsink(t *testing.T) {
	sinktest.Run(t, func(*testing.T) sink.Sink { return memsink.New() }, sinktest.Options{})
}
