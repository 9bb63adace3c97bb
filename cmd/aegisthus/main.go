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
		fmt.Fprintf(os.Stderr, "aegisthus: %s: stopped\n", sig)
		os.Exit(cli.SignalExitCode(sig))
	}()
	err := cli.NewRoot().ExecuteContext(ctx)
	select {
	case <-caught:
		// The run ended because of the signal, whatever error it returned.
		if err != nil {
			fmt.Fprintln(os.Stderr, "aegisthus:", err)
		}
		os.Exit(cli.SignalExitCode(sig))
	default:
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "aegisthus:", err)
	}
	os.Exit(cli.ExitCode(err))
}
