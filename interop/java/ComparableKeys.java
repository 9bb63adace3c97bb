// ComparableKeys prints, for every partitioner and a fixed set of keys (named
// ones, edge cases with zero and 0xFF bytes, 400 seeded random ones), the
// byte-comparable form BTI's Partitions.db trie maps a partition key to
// (DecoratedKey.asComparableBytes, OSS50), as Cassandra computes it:
// "<partitioner> <key hex> <form hex>" per line. OrderPreservingPartitioner
// gets only the keys that are valid UTF-8. The output is
// internal/token/testdata/comparable-keys.txt:
//
//	java -cp "$(interop/bin/classpath)" interop/java/ComparableKeys.java \
//	  | grep -E '^[A-Za-z0-9]+Partitioner ' > internal/token/testdata/comparable-keys.txt
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.*;
import org.apache.cassandra.config.DatabaseDescriptor;
import org.apache.cassandra.db.DecoratedKey;
import org.apache.cassandra.dht.*;
import org.apache.cassandra.utils.bytecomparable.*;

public class ComparableKeys {
    static String hex(byte[] b) { StringBuilder s = new StringBuilder(); for (byte x : b) s.append(String.format("%02x", x & 0xff)); return s.toString(); }
    public static void main(String[] args) {
        DatabaseDescriptor.clientInitialization();
        List<byte[]> keys = new ArrayList<>();
        for (String s : new String[]{"a", "ab", "key1", "zz", "\u00e9t\u00e9", "\u4e2d\u6587", "\ud83d\ude00x"}) keys.add(s.getBytes(StandardCharsets.UTF_8));
        keys.add(new byte[]{0}); keys.add(new byte[]{0, 0}); keys.add(new byte[]{1, 0}); keys.add(new byte[]{0, 1}); keys.add(new byte[]{(byte)0xff}); keys.add(new byte[]{(byte)0xfe, 0, (byte)0xff});
        Random r = new Random(17);
        for (int i = 0; i < 400; i++) { byte[] k = new byte[1 + r.nextInt(12)]; r.nextBytes(k); keys.add(k); }
        IPartitioner[] ps = {Murmur3Partitioner.instance, RandomPartitioner.instance, ByteOrderedPartitioner.instance, OrderPreservingPartitioner.instance};
        for (IPartitioner p : ps) {
            for (byte[] k : keys) {
                if (p instanceof OrderPreservingPartitioner) {
                    try { StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(k)); } catch (java.nio.charset.CharacterCodingException e) { continue; }
                }
                DecoratedKey dk = p.decorateKey(ByteBuffer.wrap(k));
                byte[] bc = ByteSourceInverse.readBytes(dk.asComparableBytes(ByteComparable.Version.OSS50));
                System.out.println(p.getClass().getSimpleName() + " " + hex(k) + " " + hex(bc));
            }
        }
    }
}
