// Package cassandra starts real Apache Cassandra nodes from the jars that
// interop/bin/classpath resolves with Maven, and runs Cassandra's own tools
// (NodeTool, SSTableExport, SSTableMetadataViewer) from the same jars.
//
// Every JVM it starts is put in its own process group, gets SIGKILL from the
// kernel if this process dies (Pdeathsig), and is recorded so KillAll can end
// it from a signal handler. Callers defer KillAll in main.
package cassandra

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Format selects what a node writes for new SSTables.
type Format struct {
	Name   string // SSTable version prefix written: nb, oa, da
	Compat string // storage_compatibility_mode
	Select string // sstable.selected_format
}

// Formats are the SSTable formats Cassandra 5.0 writes, keyed by version.
var Formats = map[string]Format{
	"nb": {"nb", "CASSANDRA_4", "big"},
	"oa": {"oa", "NONE", "big"},
	"da": {"da", "NONE", "bti"},
}

// Formats60 are the SSTable formats Cassandra 6.0 writes (BigFormat.BigVersion:
// nb before storage compatibility mode 5, oa before 6, else pa; BtiFormat: ea),
// keyed by version. Run with INTEROP_CASSANDRA=6.0 (bin/classpath).
var Formats60 = map[string]Format{
	"nb": {"nb", "CASSANDRA_4", "big"},
	"oa": {"oa", "CASSANDRA_5", "big"},
	"pa": {"pa", "NONE", "big"},
	"ea": {"ea", "NONE", "bti"},
}

// Cluster is a set of nodes sharing one configuration. Node i (0-based)
// listens on 127.0.0.(i+1); all nodes use the same storage and native ports
// and each its own JMX port (JMX binds to the loopback address only).
type Cluster struct {
	Interop   string // the interop/ directory (for bin/classpath)
	Dir       string // run directory; node i lives in Dir/node<i+1>
	Format    Format
	Size      int
	HeapMB    int
	PortBase  int // storage = base, native = base+42, jmx = base+199+i
	UUIDIDs   bool
	NoHints   bool   // hinted_handoff_enabled: false, so a stopped replica stays behind
	ExtraYAML string // appended to cassandra.yaml
	Log       func(format string, args ...any)
	Nodes     []*Node
	classpath string
	shell     shell
}

// Node is one Cassandra JVM.
type Node struct {
	c          *Cluster
	Index      int
	IP         string
	Dir        string
	NativePort int
	JMXPort    int
	cmd        *exec.Cmd
	exited     chan struct{}
	exitErr    error
}

var (
	procMu sync.Mutex
	procs  = map[int]*exec.Cmd{} // pid → running JVM (node or tool)
)

func track(cmd *exec.Cmd)   { procMu.Lock(); procs[cmd.Process.Pid] = cmd; procMu.Unlock() }
func untrack(cmd *exec.Cmd) { procMu.Lock(); delete(procs, cmd.Process.Pid); procMu.Unlock() }

// KillAll sends SIGKILL to the process group of every JVM started by this
// package that is still running. Safe to call more than once and from a
// signal handler goroutine.
func KillAll() {
	procMu.Lock()
	defer procMu.Unlock()
	for pid := range procs {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}

func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// Classpath returns the classpath of the pinned Cassandra, resolving it with
// Maven on first use (bin/classpath).
func Classpath(interop string) (string, error) {
	out, err := exec.Command(filepath.Join(interop, "bin", "classpath")).Output()
	if err != nil {
		return "", fmt.Errorf("bin/classpath: %w", err)
	}
	cp := strings.TrimSpace(string(out))
	if cp == "" {
		return "", errors.New("bin/classpath printed nothing")
	}
	return cp, nil
}

func (c *Cluster) logf(format string, args ...any) {
	if c.Log != nil {
		c.Log(format, args...)
	}
}

// Init prepares the run directory and configuration of every node; it starts
// nothing.
func (c *Cluster) Init() error {
	if c.Size == 0 {
		c.Size = 1
	}
	if c.HeapMB == 0 {
		c.HeapMB = 1024
	}
	if c.PortBase == 0 {
		c.PortBase = 29000
	}
	cp, err := Classpath(c.Interop)
	if err != nil {
		return err
	}
	c.classpath = cp
	c.Nodes = nil
	for i := 0; i < c.Size; i++ {
		n := &Node{
			c:          c,
			Index:      i,
			IP:         fmt.Sprintf("127.0.0.%d", i+1),
			Dir:        filepath.Join(c.Dir, fmt.Sprintf("node%d", i+1)),
			NativePort: c.PortBase + 42,
			JMXPort:    c.PortBase + 199 + i,
		}
		if err := n.writeConfig(); err != nil {
			return err
		}
		c.Nodes = append(c.Nodes, n)
	}
	return nil
}

// Hosts returns the CQL contact points "ip:port" of the nodes.
func (c *Cluster) Hosts() []string {
	var h []string
	for _, n := range c.Nodes {
		h = append(h, net.JoinHostPort(n.IP, strconv.Itoa(n.NativePort)))
	}
	return h
}

// ConfigPath is the cassandra.yaml of the node; offline tools use node 1's.
func (n *Node) ConfigPath() string { return filepath.Join(n.Dir, "conf", "cassandra.yaml") }

// DataDir is where the node keeps keyspace directories.
func (n *Node) DataDir() string { return filepath.Join(n.Dir, "data") }

func (n *Node) writeConfig() error {
	c := n.c
	for _, d := range []string{"conf", "data", "commitlog", "saved_caches", "hints", "cdc_raw", "logs"} {
		if err := os.MkdirAll(filepath.Join(n.Dir, d), 0o755); err != nil {
			return err
		}
	}
	var seeds []string
	for i := 0; i < c.Size; i++ {
		seeds = append(seeds, fmt.Sprintf("127.0.0.%d:%d", i+1, c.PortBase))
	}
	// One token per node, evenly spaced over the Murmur3 range, so the ring is
	// the same on every run.
	token := int64(-1<<63) + int64(uint64(n.Index)*(^uint64(0)/uint64(c.Size)))
	yaml := fmt.Sprintf(`# generated by interop/cassandra; do not edit
cluster_name: aegisthus-interop
num_tokens: 1
initial_token: %d
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
auto_bootstrap: false
data_file_directories:
  - %s
commitlog_directory: %s
saved_caches_directory: %s
hints_directory: %s
cdc_raw_directory: %s
commitlog_sync: periodic
commitlog_sync_period: 10000ms
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "%s"
listen_address: %s
rpc_address: %s
storage_port: %d
ssl_storage_port: %d
native_transport_port: %d
start_native_transport: true
endpoint_snitch: SimpleSnitch
authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
storage_compatibility_mode: %s
sstable:
  selected_format: %s
uuid_sstable_identifiers_enabled: %t
auto_snapshot: false
snapshot_before_compaction: false
concurrent_compactors: 1
compaction_throughput: 0MiB/s
materialized_views_enabled: true
user_defined_functions_enabled: false
read_request_timeout: 20000ms
range_request_timeout: 30000ms
write_request_timeout: 20000ms
counter_write_request_timeout: 20000ms
request_timeout: 30000ms
hinted_handoff_enabled: %t
max_hint_window: 3h
batch_size_warn_threshold: 1024KiB
batch_size_fail_threshold: 4096KiB
unlogged_batch_across_partitions_warn_threshold: 100000
tombstone_warn_threshold: 1000000
tombstone_failure_threshold: 10000000
disk_access_mode: mmap_index_only
dynamic_snitch: false
`, token, n.DataDir(), filepath.Join(n.Dir, "commitlog"), filepath.Join(n.Dir, "saved_caches"),
		filepath.Join(n.Dir, "hints"), filepath.Join(n.Dir, "cdc_raw"),
		strings.Join(seeds, ","), n.IP, n.IP, c.PortBase, c.PortBase+1, n.NativePort,
		c.Format.Compat, c.Format.Select, c.UUIDIDs, !c.NoHints)
	yaml += c.ExtraYAML
	if err := os.WriteFile(n.ConfigPath(), []byte(yaml), 0o644); err != nil {
		return err
	}
	logback := fmt.Sprintf(`<configuration scan="false">
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>%s</file>
    <encoder><pattern>%%-5level [%%thread] %%date{ISO8601} %%F:%%L - %%msg%%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
`, filepath.Join(n.Dir, "logs", "system.log"))
	return os.WriteFile(filepath.Join(n.Dir, "conf", "logback.xml"), []byte(logback), 0o644)
}

// jpms are the flags of conf/jvm17-server.options that Cassandra 5.0 needs
// on Java 17.
var jpms = []string{
	"-Djdk.attach.allowAttachSelf=true",
	"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
	"--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
	"--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
	"--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
	"--add-exports", "java.sql/java.sql=ALL-UNNAMED",
	"--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
	"--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
	"--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
	"--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
	"--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
	"--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
	"--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
	"--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
	"--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
	"--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
	"--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
	"--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
	"--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
	"--add-opens", "java.base/java.io=ALL-UNNAMED",
	"--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
	"--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
	"--add-opens", "java.base/java.lang=ALL-UNNAMED",
	"--add-opens", "java.base/java.util=ALL-UNNAMED",
	"-Dio.netty.tryReflectionSetAccessible=true",
	"-Dio.netty.allocator.useCacheForAllThreads=true",
	"-Dio.netty.allocator.maxOrder=11",
	"-Djava.net.preferIPv4Stack=true",
}

func (c *Cluster) jamm() string {
	for _, p := range filepath.SplitList(c.classpath) {
		if strings.HasPrefix(filepath.Base(p), "jamm-") {
			return p
		}
	}
	return ""
}

// Start launches the node and waits until its CQL port accepts connections.
func (n *Node) Start(ctx context.Context) error {
	c := n.c
	if n.cmd != nil {
		return fmt.Errorf("node%d already running", n.Index+1)
	}
	// The readiness probe below only sees that something answers on the CQL
	// port: refuse a port another process (another harness run's node) holds.
	for _, port := range []int{n.NativePort, n.JMXPort} {
		l, err := net.Listen("tcp", net.JoinHostPort(n.IP, strconv.Itoa(port)))
		if err != nil {
			return fmt.Errorf("node%d: %s:%d is in use (another Cassandra, e.g. a second harness run?): %w", n.Index+1, n.IP, port, err)
		}
		l.Close()
	}
	args := []string{
		fmt.Sprintf("-Xms%dM", c.HeapMB), fmt.Sprintf("-Xmx%dM", c.HeapMB), "-Xss256k",
		"-XX:+UseG1GC", "-XX:+ParallelRefProcEnabled", "-XX:MaxTenuringThreshold=1",
		"-XX:+UseThreadPriorities", "-XX:+ExitOnOutOfMemoryError", "-XX:+PerfDisableSharedMem", "-XX:CICompilerCount=2",
		"-ea", "-da:net.openhft...",
	}
	args = append(args, jpms...)
	if j := c.jamm(); j != "" {
		args = append(args, "-javaagent:"+j)
	}
	args = append(args,
		"-Dcassandra.config=file://"+n.ConfigPath(),
		"-Dlogback.configurationFile=file://"+filepath.Join(n.Dir, "conf", "logback.xml"),
		"-Dcassandra.logdir="+filepath.Join(n.Dir, "logs"),
		"-Dcassandra.storagedir="+n.Dir,
		"-Dcassandra-foreground=yes",
		"-Dcassandra.jmx.local.port="+strconv.Itoa(n.JMXPort),
		"-Djava.rmi.server.hostname=127.0.0.1",
		"-Dcassandra.available_processors=2",
		"-Dcassandra.skip_wait_for_gossip_to_settle=0",
		"-Dcassandra.ring_delay_ms=1000",
		"-Dcassandra.superuser_setup_delay_ms=0",
		"-Dcassandra.migration_task_wait_in_seconds=1",
		"-cp", c.classpath,
		"org.apache.cassandra.service.CassandraDaemon",
	)
	out, err := os.OpenFile(filepath.Join(n.Dir, "logs", "stdout.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command("java", args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Dir = n.Dir
	cmd.SysProcAttr = sysProcAttr()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		out.Close()
		return err
	}
	track(cmd)
	os.WriteFile(filepath.Join(n.Dir, "pid"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644)
	n.cmd = cmd
	n.exited = make(chan struct{})
	go func() {
		n.exitErr = cmd.Wait()
		untrack(cmd)
		out.Close()
		close(n.exited)
	}()
	c.logf("node%d: starting %s (%s, pid %d, heap %dM)", n.Index+1, n.IP, c.Format.Name, cmd.Process.Pid, c.HeapMB)
	addr := net.JoinHostPort(n.IP, strconv.Itoa(n.NativePort))
	deadline := time.Now().Add(180 * time.Second)
	for {
		select {
		case <-n.exited:
			n.cmd = nil
			return fmt.Errorf("node%d exited during start (%v); last log lines:\n%s", n.Index+1, n.exitErr, n.tail(30))
		case <-ctx.Done():
			n.Stop()
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			c.logf("node%d: CQL up on %s after %.1fs", n.Index+1, addr, time.Since(start).Seconds())
			return nil
		}
		if time.Now().After(deadline) {
			n.Stop()
			return fmt.Errorf("node%d: CQL not up on %s after 180s; last log lines:\n%s", n.Index+1, addr, n.tail(30))
		}
	}
}

func (n *Node) tail(lines int) string {
	var b []byte
	for _, f := range []string{"logs/system.log", "logs/stdout.log"} {
		d, _ := os.ReadFile(filepath.Join(n.Dir, f))
		b = append(b, d...)
	}
	ls := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return strings.Join(ls, "\n")
}

// Running reports whether the node's JVM is alive.
func (n *Node) Running() bool { return n.cmd != nil }

// Stop ends the node: SIGTERM to its process group, SIGKILL after 20s.
func (n *Node) Stop() error {
	if n.cmd == nil {
		return nil
	}
	pid := n.cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(20 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-n.exited
	}
	n.cmd = nil
	n.c.logf("node%d: stopped", n.Index+1)
	return nil
}

// Kill ends the node at once with SIGKILL, like a crash.
func (n *Node) Kill() {
	if n.cmd == nil {
		return
	}
	_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
	<-n.exited
	n.cmd = nil
	n.c.logf("node%d: killed", n.Index+1)
}

// StopAll ends the helper JVMs and stops every running node.
func (c *Cluster) StopAll() {
	c.Close()
	var wg sync.WaitGroup
	for _, n := range c.Nodes {
		wg.Add(1)
		go func() { defer wg.Done(); n.Stop() }()
	}
	wg.Wait()
}

// NodeTool runs org.apache.cassandra.tools.NodeTool against the node over
// JMX on loopback, e.g. NodeTool(ctx, "flush", "ks", "t"). Commands go
// through one long-lived JVM (java/NodeToolShell.java) shared by the cluster.
func (n *Node) NodeTool(ctx context.Context, args ...string) (string, error) {
	a := append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(n.JMXPort)}, args...)
	code, out, err := n.c.nodetool(a)
	if err == nil && code != 0 {
		err = fmt.Errorf("exit code %d", code)
	}
	if err != nil {
		return out, fmt.Errorf("nodetool %s on node%d: %w: %s", strings.Join(args, " "), n.Index+1, err, out)
	}
	return out, nil
}

type shell struct {
	mu  sync.Mutex
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func (c *Cluster) nodetool(args []string) (int, string, error) {
	s := &c.shell
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		a := []string{"-Xmx256M", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"}
		a = append(a, jpms...)
		a = append(a, "-Dlogback.configurationFile=file://"+c.toolsLogback(), "-cp", c.classpath,
			filepath.Join(c.Interop, "java", "NodeToolShell.java"))
		cmd := exec.Command("java", a...)
		cmd.Stderr = os.Stderr
		cmd.SysProcAttr = sysProcAttr()
		in, err := cmd.StdinPipe()
		if err != nil {
			return 0, "", err
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			return 0, "", err
		}
		if err := cmd.Start(); err != nil {
			return 0, "", err
		}
		track(cmd)
		s.cmd, s.in, s.out = cmd, in, bufio.NewReader(out)
	}
	if _, err := io.WriteString(s.in, strings.Join(args, "\t")+"\n"); err != nil {
		return 0, "", err
	}
	var code, size int
	hdr, err := s.out.ReadString('\n')
	if err != nil {
		return 0, "", fmt.Errorf("nodetool shell: %w", err)
	}
	if _, err := fmt.Sscanf(hdr, "%d %d", &code, &size); err != nil {
		return 0, "", fmt.Errorf("nodetool shell: bad header %q", hdr)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(s.out, b); err != nil {
		return 0, "", fmt.Errorf("nodetool shell: %w", err)
	}
	return code, string(b), nil
}

// Close ends the helper JVMs (not the nodes; see StopAll).
func (c *Cluster) Close() {
	s := &c.shell
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		s.in.Close()
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		untrack(s.cmd)
		s.cmd = nil
	}
}

func (c *Cluster) toolsLogback() string {
	p := filepath.Join(c.Dir, "tools-logback.xml")
	if _, err := os.Stat(p); err != nil {
		os.WriteFile(p, []byte(`<configuration scan="false">
  <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%-5level %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="STDERR"/></root>
</configuration>
`), 0o644)
	}
	return p
}

// Java runs a main class from the Cassandra classpath with the client JVM
// flags and returns its stdout and stderr. dir is the working directory
// ("" = current).
func (c *Cluster) Java(ctx context.Context, dir, class string, props []string, args ...string) (string, string, error) {
	a := []string{"-Xmx512M", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"}
	a = append(a, jpms...)
	a = append(a, "-Dlogback.configurationFile=file://"+c.toolsLogback())
	a = append(a, props...)
	a = append(a, "-cp", c.classpath, class)
	a = append(a, args...)
	cmd := exec.Command("java", a...)
	cmd.Dir = dir
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return "", "", err
	}
	track(cmd)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		err = <-done
	}
	untrack(cmd)
	return so.String(), se.String(), err
}

// ToolProps are the system properties the offline tools need: a
// cassandra.yaml to initialise DatabaseDescriptor from (node 1's).
func (c *Cluster) ToolProps() []string {
	return []string{"-Dcassandra.config=file://" + c.Nodes[0].ConfigPath(), "-Dcassandra.storagedir=" + filepath.Join(c.Dir, "tools")}
}

// SSTableDump runs sstabledump (org.apache.cassandra.tools.SSTableExport)
// on one Data.db file; dir is the working directory ("" = current).
func (c *Cluster) SSTableDump(ctx context.Context, dir, dataDB string, flags ...string) (string, error) {
	so, se, err := c.Java(ctx, dir, "org.apache.cassandra.tools.SSTableExport", c.ToolProps(), append(flags, dataDB)...)
	if err != nil {
		return so, fmt.Errorf("sstabledump %s: %w: %s", dataDB, err, se)
	}
	return so, nil
}

// SSTableMetadata runs sstablemetadata
// (org.apache.cassandra.tools.SSTableMetadataViewer) on one Data.db file;
// dir is the working directory.
func (c *Cluster) SSTableMetadata(ctx context.Context, dir, dataDB string, flags ...string) (string, error) {
	so, se, err := c.Java(ctx, dir, "org.apache.cassandra.tools.SSTableMetadataViewer", c.ToolProps(), append(flags, dataDB)...)
	if err != nil {
		return so, fmt.Errorf("sstablemetadata %s: %w: %s", dataDB, err, se)
	}
	return so, nil
}
