// PartitionerFixtures writes testdata/partitioners/: one BTI (da) SSTable of
// the same table per partitioner other than Murmur3 (RandomPartitioner,
// ByteOrderedPartitioner, OrderPreservingPartitioner), through Cassandra's own
// CQLSSTableWriter, as a bulk loader would (a node takes its partitioner from
// cassandra.yaml for the whole cluster; the writer takes it per table). 300
// partitions of 1 to 3 rows, every 50th of 400 (Rows.db entries), every 7th
// key with a zero byte. From the repository root, with the JVM flags of
// interop/cassandra/node.go:
//
//	java --add-opens java.base/java.io=ALL-UNNAMED ... -cp "$(interop/bin/classpath)" \
//	  interop/java/PartitionerFixtures.java /tmp/out
//	for p in random byteordered orderpreserving; do cp -r /tmp/out/$p testdata/partitioners/; done
import java.io.File;
import java.nio.ByteBuffer;
import org.apache.cassandra.config.DatabaseDescriptor;
import org.apache.cassandra.dht.*;
import org.apache.cassandra.io.sstable.CQLSSTableWriter;

public class PartitionerFixtures {
    public static void main(String[] args) throws Exception {
        DatabaseDescriptor.clientInitialization();
        String out = args[0];
        IPartitioner[] ps = {RandomPartitioner.instance, ByteOrderedPartitioner.instance, OrderPreservingPartitioner.instance};
        String[] names = {"random", "byteordered", "orderpreserving"};
        for (int i = 0; i < ps.length; i++) {
            File dir = new File(out, names[i] + "/ks/t");
            dir.mkdirs();
            CQLSSTableWriter w = CQLSSTableWriter.builder().inDirectory(dir.getPath())
                .forTable("CREATE TABLE ks.t (k text, c int, v text, PRIMARY KEY (k, c))")
                .using("INSERT INTO ks.t (k, c, v) VALUES (?, ?, ?) USING TIMESTAMP 1700000000000000")
                .withPartitioner(ps[i]).withFormat(DatabaseDescriptor.getSSTableFormats().get("bti")).build();
            for (int k = 0; k < 300; k++) {
                int rowsN = (k % 50 == 0) ? 400 : 1 + k % 3;
                for (int c = 0; c < rowsN; c++) w.addRow("key" + k + (k % 7 == 0 ? "\u0000z" : ""), c, "value " + k + "/" + c + " padding padding padding");
            }
            w.close();
        }
    }
}
