// Gen prints Double.toString and Float.toString for the inputs of
// internal/javafmt/javafloat_test.go. Run it with a JDK 17 (Cassandra 5.0's JDK;
// JDK 19 and later print shortest digits instead) from this directory:
//
//	java Gen.java | gzip -9n > ../javafloat.txt.gz
//
// Output: "d HEX STRING" / "f HEX STRING" for the edge cases, then a line
// "random N M" followed by N double and M float strings, one a line, for the
// inputs randomDouble and randomFloat derive from splitmix64, then a line
// "decimal N M" and as many strings for the values niceDecimal's text reads
// as, continuing the same sequence (both mirrored in the Go test).
public class Gen {
    static long state = 0x6165676973746875L; // "aegisthu"

    static long next() { // splitmix64
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static long randomDouble() {
        long x = next(), bits = next();
        switch ((int) (x & 3)) {
        case 0: case 1:
            return bits;
        case 2:
            return (bits & 0x800FFFFFFFFFFFFFL) | ((1023 - 30 + (x >>> 2) % 100) << 52);
        default:
            bits = (bits & 0x800FFFFFFFFFFFFFL) | ((1023 - 30 + (x >>> 2) % 100) << 52);
            return bits & ~((1L << ((x >>> 10) % 53)) - 1);
        }
    }

    static int randomFloat() {
        long x = next();
        int bits = (int) (next() >>> 32);
        switch ((int) (x & 3)) {
        case 0: case 1:
            return bits;
        case 2:
            return (bits & 0x807FFFFF) | (int) ((127 - 20 + (x >>> 2) % 50) << 23);
        default:
            bits = (bits & 0x807FFFFF) | (int) ((127 - 20 + (x >>> 2) % 50) << 23);
            return bits & ~((1 << ((x >>> 10) % 24)) - 1);
        }
    }

    static void d(double v) {
        System.out.printf("d %016x %s%n", Double.doubleToRawLongBits(v), Double.toString(v));
    }

    static void f(float v) {
        System.out.printf("f %08x %s%n", Float.floatToRawIntBits(v), Float.toString(v));
    }

    public static void main(String[] args) {
        if (args.length == 2 && args[0].equals("stream")) {
            stream(Long.parseLong(args[1]));
            return;
        }
        double[] ds = {
            0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 100.0, 1e-3, 1e7,
            Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, -Double.MAX_VALUE,
            Math.nextDown(Double.MIN_NORMAL), Math.nextUp(Double.MIN_VALUE), 2 * Double.MIN_VALUE,
            Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            -1.69167474879187488E17, 3.5064412318210957E17,
            9007199254740992.0, 9007199254740993.0, 9007199254740991.0, 9007199254740994.0,
            1e23, 2e23, 8.41e21, 5e-324, 1e22, 1e21, 1e20, 1e16, 1e17, 1e15,
            1.2345678901234567, 12345678901234567.0, 0.12345678901234567, 1.1, 2.2, 3.3,
            4.35, 0.001, 0.0010000000000000002, 0.0009999999999999998, 9999999.0, 9999999.999999998,
            10000000.000000002, 1234567.0, 123456789.0, 2.0E-3, 1.0E-5, 1.0E-4, 5.0E-324,
            4.9E-324, 1.7976931348623157E308, 2.2250738585072014E-308, 2.225073858507201E-308,
            Math.PI, Math.E, 1e-300, 1e300, 123.456, 0.5, 0.25, 0.125, 1.5, 1e-10, 1e-20, 1e100,
        };
        for (double v : ds) { d(v); d(-v); }
        for (int e = -1074; e <= 1023; e++) { d(Math.scalb(1.0, e)); }
        for (int e = -30; e <= 30; e++) {
            double p = Double.parseDouble("1e" + e);
            d(p); d(Math.nextUp(p)); d(Math.nextDown(p));
        }
        for (int e = -20; e <= 62; e++) {
            double p = Math.scalb(1.0, e);
            d(Math.nextUp(p)); d(Math.nextDown(p)); d(p * 3); d(p * 5); d(p * 7);
        }
        for (long i = 1; i <= 64; i++) { d((double) i / 10); d((double) i / 100); d((double) i / 1000); d(i * 1e6); d(i * 1e7); }

        float[] fs = {
            0f, -0f, 1f, 0.1f, 0.2f, 0.3f, 1f / 3, 100f, 1e-3f, 1e7f, 1e10f, 1e-44f, 1e-45f,
            Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, Math.nextDown(Float.MIN_NORMAL),
            Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 16777216f, 16777217f,
            16777215f, 3.4028235E38f, 1.17549435E-38f, 1.4E-45f, 123.456f, 9999999f, 0.001f,
            (float) Math.PI, (float) Math.E, 2e-3f, 1.0E-5f, 3.5064412318210957E17f, 1.1f, 2.2f,
        };
        for (float v : fs) { f(v); f(-v); }
        for (int e = -149; e <= 127; e++) { f(Math.scalb(1.0f, e)); }
        for (int e = -10; e <= 12; e++) {
            float p = Float.parseFloat("1e" + e);
            f(p); f(Math.nextUp(p)); f(Math.nextDown(p));
        }
        for (int i = 1; i <= 64; i++) { f((float) i / 10); f((float) i / 100); f((float) i / 1000); f(i * 1e6f); f(i * 1e7f); }

        // The cases where appendShortest must defer to the port: subnormals
        // with few significant bits (forced second E-form digit), decimals
        // exactly halfway between two doubles or floats and their neighbours,
        // integers around 2^53 and 2^63.
        for (int m = 1; m <= 300; m++) { d(Double.longBitsToDouble(m)); f(Float.intBitsToFloat(m)); }
        for (int j = 1; j <= 23; j++) { ties(j, 54, false); }
        for (int j = 1; j <= 10; j++) { ties(j, 25, true); }
        for (int e : new int[] {53, 54, 63, 64}) {
            double p = Math.scalb(1.0, e);
            for (int k = 1; k <= 3; k++) { p = Math.nextUp(p); d(p); }
            p = Math.scalb(1.0, e);
            for (int k = 1; k <= 3; k++) { p = Math.nextDown(p); d(p); }
        }

        int nd = 20000, nf = 20000;
        System.out.printf("random %d %d%n", nd, nf);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < nd; i++) { sb.append(Double.toString(Double.longBitsToDouble(randomDouble()))).append('\n'); }
        for (int i = 0; i < nf; i++) { sb.append(Float.toString(Float.intBitsToFloat(randomFloat()))).append('\n'); }
        System.out.print(sb);

        System.out.printf("decimal %d %d%n", nd, nf);
        sb = new StringBuilder();
        for (int i = 0; i < nd; i++) { sb.append(Double.toString(Double.parseDouble(niceDecimal()))).append('\n'); }
        for (int i = 0; i < nf; i++) { sb.append(Float.toString(Float.parseFloat(niceDecimal()))).append('\n'); }
        System.out.print(sb);
    }

    // stream prints "d HEX STRING" / "f HEX STRING" for n values drawn from
    // the families of the file (random bits, randomDouble/randomFloat,
    // niceDecimal, scores in [0, 10^k)), seeded apart from it, for the Go
    // test that compares against a running JDK (AEGISTHUS_JAVAFLOAT_JDK).
    static void stream(long n) {
        state = 0x73747265616dL; // "stream"
        java.io.PrintStream out = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        StringBuilder sb = new StringBuilder();
        for (long i = 0; i < n; i++) {
            boolean isFloat = false;
            long bits = 0;
            switch ((int) (i % 7)) {
            case 0: bits = next(); break;
            case 1: bits = next() >>> 32; isFloat = true; break;
            case 2: bits = randomDouble(); break;
            case 3: bits = randomFloat() & 0xFFFFFFFFL; isFloat = true; break;
            case 4: bits = Double.doubleToRawLongBits(Double.parseDouble(niceDecimal())); break;
            case 5: bits = Float.floatToRawIntBits(Float.parseFloat(niceDecimal())) & 0xFFFFFFFFL; isFloat = true; break;
            default:
                long x = next();
                bits = Double.doubleToRawLongBits((double) (x >>> 11) / (1L << 53) * Math.pow(10, (int) Long.remainderUnsigned(x, 16) - 5));
            }
            if (isFloat) {
                sb.append("f ").append(Long.toHexString(bits)).append(' ').append(Float.toString(Float.intBitsToFloat((int) bits))).append('\n');
            } else {
                sb.append("d ").append(Long.toHexString(bits)).append(' ').append(Double.toString(Double.longBitsToDouble(bits))).append('\n');
            }
            if (sb.length() > 1 << 16) {
                out.print(sb);
                sb.setLength(0);
            }
        }
        out.print(sb);
        out.flush();
    }

    // niceDecimal returns k*10^n as text for a k of 1 to 17 digits and n in
    // -40..40, as data holds them.
    static String niceDecimal() {
        long x = next();
        int digits = 1 + (int) Long.remainderUnsigned(x, 17);
        long k = Long.remainderUnsigned(next(), pow10(digits));
        return k + "e" + ((int) ((x >>> 8) % 81) - 40);
    }

    static long pow10(int n) { long p = 1; for (int i = 0; i < n; i++) { p *= 10; } return p; }

    // ties prints q*10^j for odd q with q*5^j of p bits (a midpoint between
    // two doubles, p = 54, or floats, p = 25), times 1, 2 and 4, and the
    // neighbours of the value each reads as.
    static void ties(int j, int p, boolean isFloat) {
        long p5 = 1;
        for (int i = 0; i < j; i++) { p5 *= 5; }
        long lo = ((1L << (p - 1)) + p5 - 1) / p5, hi = ((1L << p) - 1) / p5;
        for (long q : new long[] {lo, (lo + hi) / 2, hi}) {
            q |= 1;
            if (q > hi) { q -= 2; }
            for (int shift = 0; shift <= 2; shift++) {
                String s = (q << shift) + "e" + j;
                if (isFloat) {
                    float v = Float.parseFloat(s);
                    f(v); f(Math.nextUp(v)); f(Math.nextDown(v));
                } else {
                    double v = Double.parseDouble(s);
                    d(v); d(Math.nextUp(v)); d(Math.nextDown(v));
                }
            }
        }
    }
}
