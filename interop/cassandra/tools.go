package cassandra

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
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

// NewToolBatch starts a tool JVM with the offline tools' system properties.
func (c *Cluster) NewToolBatch() (*ToolBatch, error) {
	a := []string{"-Xmx512M", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Duser.timezone=UTC"}
	a = append(a, jpms...)
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

// Close ends the JVM.
func (b *ToolBatch) Close() {
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
