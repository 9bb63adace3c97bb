package cassandra

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
)

// ToolBatch is one JVM running java/ToolBatch.java: it calls the main method
// of Cassandra's offline tool classes (SSTableExport, SSTableMetadataViewer)
// once per request, so many SSTables cost one JVM start. Not safe for
// concurrent use; start one per worker.
type ToolBatch struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
	mu  sync.Mutex
}

// Tool classes, as the sstabledump and sstablemetadata scripts run them.
const (
	SSTableExport         = "org.apache.cassandra.tools.SSTableExport"
	SSTableMetadataViewer = "org.apache.cassandra.tools.SSTableMetadataViewer"
)

// HarnessToolJVM are the JVM flags of the harness's own tool JVMs: a small
// heap, the serial collector and C1 only, because they run many short tool
// calls (fixtures, interop checks). Not what users run: see ScriptToolJVM.
var HarnessToolJVM = append([]string{"-Xmx512M", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Duser.timezone=UTC"}, jpms...)

// ScriptToolJVM are the JVM flags Cassandra 5.0's tools/bin/sstabledump passes
// on Java 17, in its order: `"$JAVA" $JAVA_AGENT -ea -cp "$CLASSPATH" $JVM_OPTS
// -Xmx$MAX_HEAP_SIZE` with MAX_HEAP_SIZE=256M, where tools/bin/cassandra.in.sh
// sets no JAVA_AGENT and builds JVM_OPTS from the "-" lines of
// conf/jvm-clients.options (none) and conf/jvm17-clients.options (the JPMS
// flags below, nothing else). So no -XX flag: the JVM's own defaults choose
// the collector (G1 on a machine with 2 CPUs and 2 GB or more) and the JIT
// (tiered, C1 then C2). The script's -Dcassandra.storagedir and
// -Dlogback.configurationFile come from ToolProps and the tool logback file.
var ScriptToolJVM = append([]string{"-ea"}, append(jvm17Clients, "-Xmx256M")...)

// jvm17Clients are the option lines of Cassandra 5.0's conf/jvm17-clients.options.
var jvm17Clients = []string{
	"-Djdk.attach.allowAttachSelf=true",
	"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
	"--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
	"--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
	"--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
	"--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
	"--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
	"--add-exports", "java.sql/java.sql=ALL-UNNAMED",
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
	"--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
	"--add-opens", "java.base/java.io=ALL-UNNAMED",
	"--add-opens", "java.base/java.util.concurrent=ALL-UNNAMED",
	"--add-opens", "java.base/java.util=ALL-UNNAMED",
	"--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
	"--add-opens", "java.base/java.lang=ALL-UNNAMED",
	"--add-opens", "java.base/java.math=ALL-UNNAMED",
	"--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
	"--add-opens", "java.base/java.lang=ALL-UNNAMED",
	"--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
	"--add-opens", "java.base/java.net=ALL-UNNAMED",
}

// NewToolBatch starts a tool JVM with the harness's flags (HarnessToolJVM)
// and the offline tools' system properties.
func (c *Cluster) NewToolBatch() (*ToolBatch, error) {
	return c.NewToolBatchJVM(HarnessToolJVM)
}

// NewToolBatchJVM is NewToolBatch with the given JVM flags (heap, GC, JIT,
// JPMS); the system properties and classpath are the same.
func (c *Cluster) NewToolBatchJVM(jvm []string) (*ToolBatch, error) {
	a := slices.Clone(jvm)
	a = append(a, "-Dlogback.configurationFile=file://"+c.toolsLogback())
	a = append(a, c.ToolProps()...)
	a = append(a, "-cp", c.classpath, filepath.Join(c.Interop, "java", "ToolBatch.java"))
	cmd := exec.Command("java", a...)
	cmd.Stderr = &dropJavaWarnings{w: os.Stderr}
	cmd.SysProcAttr = sysProcAttr()
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	track(cmd)
	return &ToolBatch{cmd: cmd, in: in, out: bufio.NewReader(out)}, nil
}

// Run calls class.main(args) with System.out written to stdoutFile and
// System.err to stderrFile, and returns the exit status the tool asked for
// (0 if it returned normally).
func (b *ToolBatch) Run(stdoutFile, stderrFile, class string, args ...string) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	line := strings.Join(append([]string{stdoutFile, stderrFile, class}, args...), "\t")
	if _, err := io.WriteString(b.in, line+"\n"); err != nil {
		return 0, err
	}
	s, err := b.out.ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("tool batch: %w", err)
	}
	var code int
	if _, err := fmt.Sscanf(s, "%d", &code); err != nil {
		return 0, fmt.Errorf("tool batch: bad reply %q", s)
	}
	return code, nil
}

// Pid is the JVM's process id.
func (b *ToolBatch) Pid() int { return b.cmd.Process.Pid }

// RunFinal makes the JVM's last call: ToolBatch removes its SecurityManager
// first, so the tool runs as under its own script and its System.exit ends
// the JVM. It waits for the JVM to exit and returns its state, whose rusage
// covers the JVM's whole life. Kill (from another goroutine) stops it early.
func (b *ToolBatch) RunFinal(stdoutFile, stderrFile, class string, args ...string) (*os.ProcessState, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	line := strings.Join(append([]string{"!" + stdoutFile, stderrFile, class}, args...), "\t")
	if _, err := io.WriteString(b.in, line+"\n"); err != nil {
		return nil, err
	}
	b.in.Close()
	io.Copy(io.Discard, b.out) // an exit code if the tool returned instead of exiting
	err := b.cmd.Wait()
	untrack(b.cmd)
	if b.cmd.ProcessState == nil {
		return nil, err
	}
	return b.cmd.ProcessState, nil
}

// Kill ends the JVM at once.
func (b *ToolBatch) Kill() { _ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL) }

// Close ends the JVM.
func (b *ToolBatch) Close() {
	if b.cmd.ProcessState != nil { // RunFinal waited for it
		return
	}
	b.in.Close()
	done := make(chan struct{})
	go func() { b.cmd.Wait(); close(done) }()
	<-done
	untrack(b.cmd)
	_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
}

// dropJavaWarnings passes stderr through except the JVM's four-line warning
// that ToolBatch installs a SecurityManager (its way to catch System.exit).
type dropJavaWarnings struct {
	w   io.Writer
	buf []byte
}

func (d *dropJavaWarnings) Write(p []byte) (int, error) {
	d.buf = append(d.buf, p...)
	for {
		i := strings.IndexByte(string(d.buf), '\n')
		if i < 0 {
			return len(p), nil
		}
		line := d.buf[:i+1]
		if !strings.HasPrefix(string(line), "WARNING: ") {
			d.w.Write(line)
		}
		d.buf = d.buf[i+1:]
	}
}
