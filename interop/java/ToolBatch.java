// ToolBatch runs the main method of Cassandra's offline tools
// (org.apache.cassandra.tools.SSTableExport = sstabledump,
// org.apache.cassandra.tools.SSTableMetadataViewer = sstablemetadata) many
// times in one JVM, because a JVM start per SSTable costs seconds. The tool
// classes and their arguments are exactly those the shell scripts use.
//
// Protocol: each stdin line is "<stdout file>\t<stderr file>\t<main class>\t<args...>"
// (tab-separated). The tool's System.out and System.err go to those files; a
// System.exit(n) from the tool is intercepted. For each line, stdout gets
// "<exit code>\n". A stdout file written "!<file>" makes that call the last
// one: the SecurityManager is removed first, so the tool runs as under its own
// script and its System.exit ends this JVM (benchmarks read its rusage).
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.security.Permission;
import java.util.Arrays;

public class ToolBatch
{
    static final class Exit extends SecurityException
    {
        final int status;

        Exit(int status)
        {
            super("exit " + status);
            this.status = status;
        }
    }

    @SuppressWarnings("removal")
    public static void main(String[] args) throws Exception
    {
        PrintStream stdout = System.out, stderr = System.err;
        System.setSecurityManager(new SecurityManager()
        {
            public void checkPermission(Permission perm) { }

            public void checkPermission(Permission perm, Object context) { }

            public void checkExit(int status)
            {
                throw new Exit(status);
            }
        });
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null)
        {
            String[] f = line.split("\t");
            if (f[0].startsWith("!"))
            {
                f[0] = f[0].substring(1);
                System.setSecurityManager(null);
            }
            int code = 0;
            try (PrintStream out = new PrintStream(new FileOutputStream(f[0]), false, StandardCharsets.UTF_8);
                 PrintStream err = new PrintStream(new FileOutputStream(f[1]), true, StandardCharsets.UTF_8))
            {
                System.setOut(out);
                System.setErr(err);
                try
                {
                    Class.forName(f[2]).getMethod("main", String[].class).invoke(null, (Object) Arrays.copyOfRange(f, 3, f.length));
                }
                catch (InvocationTargetException e)
                {
                    Throwable t = e.getCause();
                    if (t instanceof Exit)
                        code = ((Exit) t).status;
                    else
                    {
                        t.printStackTrace(err);
                        code = 98;
                    }
                }
                catch (Throwable t)
                {
                    t.printStackTrace(err);
                    code = 99;
                }
                out.flush();
            }
            finally
            {
                System.setOut(stdout);
                System.setErr(stderr);
            }
            stdout.print(code + "\n");
            stdout.flush();
        }
    }
}
