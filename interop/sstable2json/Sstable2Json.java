package org.apache.cassandra.tools;

import java.io.File;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.google.common.collect.ImmutableMap;

import org.apache.cassandra.config.CFMetaData;
import org.apache.cassandra.config.DatabaseDescriptor;
import org.apache.cassandra.config.KSMetaData;
import org.apache.cassandra.config.Schema;
import org.apache.cassandra.io.sstable.Descriptor;
import org.apache.cassandra.locator.SimpleStrategy;

/**
 * Runs Cassandra 2.2's sstable2json (SSTableExport) in-process on SSTables whose
 * table is given as CQL, without a daemon or system tables: the table's
 * CFMetaData is compiled from the CQL (CFMetaData.compile) and loaded into
 * Schema.instance under the keyspace and table names the SSTable's descriptor
 * derives from its path.
 *
 * Input (stdin or the file named by args[0]): one job per line,
 *   CQL-FILE <TAB> DATA-DB-PATH <TAB> OUT-FILE [<TAB> OPTION ...]
 * where OPTION is -e, -k KEY or -x KEY (as sstable2json's flags).
 */
public class Sstable2Json
{
    public static void main(String[] args) throws Exception
    {
        Util.initDatabaseDescriptor();
        List<String> lines = Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8);
        int failed = 0;
        for (String line : lines)
        {
            if (line.isEmpty() || line.startsWith("#"))
                continue;
            String[] f = line.split("\t");
            try
            {
                run(f);
            }
            catch (Throwable t)
            {
                failed++;
                new File(f[2]).delete(); // no golden file from a failed run
                System.err.println("sstable2json: " + f[1] + ": " + t);
                t.printStackTrace(System.err);
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    static void run(String[] f) throws Exception
    {
        String cql = new String(Files.readAllBytes(Paths.get(f[0])), StandardCharsets.UTF_8).trim();
        Descriptor desc = Descriptor.fromFilename(new File(f[1]).getAbsolutePath());
        // Name the table as the descriptor does: CREATE TABLE [ks.]name -> desc.cfname.
        cql = cql.replaceFirst("(?is)CREATE\\s+TABLE\\s+(\"[^\"]+\"|\\w+)(\\.(\"[^\"]+\"|\\w+))?", "CREATE TABLE \"" + desc.cfname + "\"");
        if (cql.endsWith(";"))
            cql = cql.substring(0, cql.length() - 1);
        KSMetaData old = Schema.instance.getKSMetaData(desc.ksname);
        if (old != null)
        {
            for (CFMetaData c : old.cfMetaData().values())
                Schema.instance.purge(c);
            Schema.instance.clearKeyspaceDefinition(old);
        }
        CFMetaData cfm = CFMetaData.compile(cql, desc.ksname);
        KSMetaData ksm = KSMetaData.newKeyspace(desc.ksname, SimpleStrategy.class, ImmutableMap.of("replication_factor", "1"), true, Collections.singletonList(cfm));
        Schema.instance.load(ksm);

        List<String> keys = new ArrayList<>(), excludes = new ArrayList<>();
        boolean enumerate = false;
        for (int i = 3; i < f.length; i++)
        {
            switch (f[i])
            {
                case "-e": enumerate = true; break;
                case "-k": keys.add(f[++i]); break;
                case "-x": excludes.add(f[++i]); break;
                default: throw new IllegalArgumentException("option " + f[i]);
            }
        }
        try (PrintStream out = new PrintStream(new FileOutputStream(f[2]), false, "UTF-8"))
        {
            String[] ex = excludes.isEmpty() ? null : excludes.toArray(new String[0]);
            if (enumerate)
                SSTableExport.enumeratekeys(desc, out, cfm);
            else if (!keys.isEmpty())
                SSTableExport.export(desc, out, keys, ex, cfm);
            else
                SSTableExport.export(desc, out, ex);
        }
    }
}
