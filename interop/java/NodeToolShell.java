// NodeToolShell runs org.apache.cassandra.tools.NodeTool many times in one
// JVM, so a workload that flushes often does not pay a JVM start per flush.
// It is still Cassandra's own NodeTool class from the pinned jars, talking
// JMX to the node exactly as `nodetool` does.
//
// Protocol: each stdin line is one nodetool command line, arguments separated
// by tabs (e.g. "-h\t127.0.0.1\t-p\t29199\tflush\tks\tt"). For each, stdout
// gets "<exit code> <byte count>\n" followed by that many bytes of combined
// stdout and stderr of the command.
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.cassandra.tools.INodeProbeFactory;
import org.apache.cassandra.tools.NodeProbe;
import org.apache.cassandra.tools.NodeTool;
import org.apache.cassandra.tools.Output;

public class NodeToolShell
{
    // The same as NodeTool's own (package-private) NodeProbeFactory.
    static final INodeProbeFactory FACTORY = new INodeProbeFactory()
    {
        public NodeProbe create(String host, int port) throws java.io.IOException
        {
            return new NodeProbe(host, port);
        }

        public NodeProbe create(String host, int port, String username, String password) throws java.io.IOException
        {
            return new NodeProbe(host, port, username, password);
        }
    };

    public static void main(String[] args) throws Exception
    {
        PrintStream stdout = System.out;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null)
        {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
            int code;
            // Some commands print to System.out rather than to Output (6.0's
            // snapshot): keep the protocol's stdout for the framing only.
            System.setOut(ps);
            try
            {
                code = new NodeTool(FACTORY, new Output(ps, ps)).execute(line.split("\t"));
            }
            catch (Throwable t)
            {
                t.printStackTrace(ps);
                code = 99;
            }
            finally
            {
                System.setOut(stdout);
            }
            ps.flush();
            byte[] b = buf.toByteArray();
            stdout.print(code + " " + b.length + "\n");
            stdout.write(b);
            stdout.flush();
        }
    }
}
