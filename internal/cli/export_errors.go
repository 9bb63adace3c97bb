package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/sink"
	"github.com/aegisthus/aegisthus/internal/sstable"
)

// classifyPipeline words the pipeline's errors for the command line and sorts
// them by exit code.
func classifyPipeline(err error) error {
	err = wordPipeline(err)
	switch {
	case errors.Is(err, sink.ErrOutput):
		return &OutputError{err}
	case errors.Is(err, pipeline.ErrOutputNotEmpty), errors.Is(err, pipeline.ErrNothingToResume), errors.Is(err, sink.ErrLocked):
		return &UsageError{err}
	case errors.Is(err, pipeline.ErrUnitsMissing):
		return &PartialError{err}
	case errors.Is(err, sstable.ErrMissingComponent), errors.Is(err, fs.ErrNotExist), errors.Is(err, pipeline.ErrBadBase),
		errors.Is(err, pipeline.ErrInputChanged), errors.Is(err, pipeline.ErrBadPlan):
		return fmt.Errorf("%w: %w", ErrInput, err)
	case errors.Is(err, pipeline.ErrNeedsSchema), errors.As(err, new(*pipeline.OptionError)), errors.Is(err, pipeline.ErrForeignFiles):
		return &UsageError{err}
	case errors.Is(err, pipeline.ErrPartial):
		return &PartialError{err}
	}
	return err
}

// wordPipeline words the pipeline's errors as the command line has them: an
// option as its flag (each option is named as its flag without the dashes),
// with a hint at the flag that helps.
func wordPipeline(err error) error {
	msg := err.Error()
	var rd *pipeline.RunDiffersError
	if oe := (*pipeline.OptionError)(nil); errors.As(err, &oe) {
		msg = strings.Replace(msg, oe.Error(), "--"+oe.Error(), 1)
	}
	switch {
	case errors.Is(err, pipeline.ErrOutputNotEmpty):
		msg += " (use --resume to finish a run, --overwrite to replace it)"
	case errors.As(err, &rd) && rd.Now != 0:
		msg = strings.Replace(msg, rd.Error(), "--"+rd.Error(), 1)
	case errors.As(err, &rd):
		msg += "; use --overwrite to start again"
	case errors.Is(err, pipeline.ErrNeedsSchema):
		msg += " (--schema FILE.cql)"
	case errors.Is(err, pipeline.ErrBaseLayout):
		msg += " (--layout partitions)"
	}
	if msg == err.Error() {
		return err
	}
	return &rewordedError{msg: msg, err: err}
}

// rewordedError is err with another message.
type rewordedError struct {
	msg string
	err error
}

func (e *rewordedError) Error() string { return e.msg }
func (e *rewordedError) Unwrap() error { return e.err }
