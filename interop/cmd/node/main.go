// Command node starts real Cassandra nodes from the pinned jars, runs a
// command while they are up (or waits for Ctrl-C), and always stops them.
//
//	go run ./cmd/node -format oa -nodes 1 -- cqlsh-like-command args...
//
// The command sees INTEROP_HOSTS (ip:port,...), INTEROP_JMX_PORTS,
// INTEROP_DIR and INTEROP_CONFIG (node 1's cassandra.yaml).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/aegisthus/aegisthus/interop/cassandra"
)

func main() {
	format := flag.String("format", "nb", "SSTable format to write: nb, oa or da")
	nodes := flag.Int("nodes", 1, "number of nodes (127.0.0.1..N)")
	heap := flag.Int("heap", 1024, "heap per node in MiB")
	port := flag.Int("port-base", 29000, "storage port; native = +42, JMX = +199+i")
	dir := flag.String("dir", "", "run directory (default: a new temp dir, removed afterwards)")
	keep := flag.Bool("keep", false, "keep the run directory")
	flag.Parse()
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	os.Exit(run(*format, *nodes, *heap, *port, *dir, *keep, flag.Args()))
}

func run(format string, nodes, heap, port int, dir string, keep bool, args []string) int {
	defer cassandra.KillAll()
	f, ok := cassandra.Formats[format]
	if !ok {
		log.Printf("unknown format %q", format)
		return 2
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "aegisthus-node-")
		if err != nil {
			log.Print(err)
			return 1
		}
		dir = d
		if !keep {
			defer os.RemoveAll(d)
		}
	}
	interop, _ := filepath.Abs(filepath.Join(filepath.Dir(os.Args[0]), ".."))
	if v := os.Getenv("INTEROP_DIR_ROOT"); v != "" {
		interop = v
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := &cassandra.Cluster{Interop: interop, Dir: dir, Format: f, Size: nodes, HeapMB: heap, PortBase: port, Log: log.Printf}
	if err := c.Init(); err != nil {
		log.Print(err)
		return 1
	}
	defer c.StopAll()
	for _, n := range c.Nodes {
		if err := n.Start(ctx); err != nil {
			log.Print(err)
			return 1
		}
	}
	var jmx []string
	for _, n := range c.Nodes {
		jmx = append(jmx, strconv.Itoa(n.JMXPort))
	}
	env := append(os.Environ(),
		"INTEROP_HOSTS="+strings.Join(c.Hosts(), ","),
		"INTEROP_JMX_PORTS="+strings.Join(jmx, ","),
		"INTEROP_DIR="+dir,
		"INTEROP_CONFIG="+c.Nodes[0].ConfigPath())
	if len(args) == 0 {
		fmt.Printf("nodes up: %s (jmx %s) in %s; Ctrl-C stops them\n", strings.Join(c.Hosts(), ","), strings.Join(jmx, ","), dir)
		<-ctx.Done()
		return 0
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr, cmd.Env = os.Stdin, os.Stdout, os.Stderr, env
	// Its own process group, killed whole on Ctrl-C, so no grandchild survives.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if err := cmd.Run(); err != nil {
		log.Print(err)
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() > 0 {
			return ee.ExitCode()
		}
		return 1
	}
	return 0
}
