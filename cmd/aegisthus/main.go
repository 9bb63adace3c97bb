// Command aegisthus reads Cassandra SSTables offline and exports or inspects them.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aegisthus/aegisthus/internal/cli"
)

// grace is how long a run may take to stop after SIGINT or SIGTERM: it cancels
// the run's context, and a run blocked where cancellation cannot reach (a FIFO
// named like a component, a stalled system call) is ended when grace runs out.
const grace = 5 * time.Second

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	root := cli.NewRoot()
	var sig os.Signal
	caught := make(chan struct{})
	go func() {
		sig = <-sigs
		close(caught)
		cancel()
		select {
		case <-sigs: // a second signal: stop now
		case <-time.After(grace):
		}
		code := cli.SignalExitCode(sig)
		cli.PrintError(os.Stderr, root, os.Args[1:], fmt.Errorf("%s: stopped", sig), code)
		os.Exit(code)
	}()
	err := root.ExecuteContext(ctx)
	code := cli.ExitCode(err)
	select {
	case <-caught: // the run ended because of the signal, whatever error it returned
		code = cli.SignalExitCode(sig)
	default:
	}
	if err != nil {
		cli.PrintError(os.Stderr, root, os.Args[1:], err, code)
	}
	os.Exit(code)
}
