package dev.tandem.tools;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Measures memory read bandwidth: threads summing disjoint parts of a buffer much larger than the caches. */
final class MemoryBandwidth {

    private static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private MemoryBandwidth() {
    }

    /** Best of {@code runs} passes, in bytes per second. */
    static double measure(long bytes, int threads, int runs) throws Exception {
        long size = bytes / (threads * 128L) * threads * 128L;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(size, 4096);
            buf.fill((byte) 1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                double best = 0;
                for (int r = 0; r < runs; r++) {
                    long part = size / threads;
                    long start = System.nanoTime();
                    List<Future<Double>> parts = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        long from = t * part;
                        parts.add(pool.submit(() -> sum(buf, from, from + part)));
                    }
                    double sink = 0;
                    for (Future<Double> f : parts) {
                        sink += f.get();
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    if (sink == 42) {
                        System.out.print("");
                    }
                    best = Math.max(best, size / seconds);
                }
                return best;
            } finally {
                pool.shutdown();
            }
        }
    }

    private static double sum(MemorySegment s, long from, long to) {
        return VECTOR ? VectorSum.sum(s, from, to) : scalarSum(s, from, to);
    }

    private static double scalarSum(MemorySegment s, long from, long to) {
        long a = 0;
        long b = 0;
        for (long o = from; o < to; o += 16) {
            a += s.get(ValueLayout.JAVA_LONG_UNALIGNED, o);
            b += s.get(ValueLayout.JAVA_LONG_UNALIGNED, o + 8);
        }
        return a + b;
    }

    private static final class VectorSum {
        private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

        static double sum(MemorySegment s, long from, long to) {
            FloatVector a = FloatVector.zero(F);
            FloatVector b = a;
            FloatVector c = a;
            FloatVector d = a;
            long step = F.vectorByteSize();
            for (long o = from; o + 4 * step <= to; o += 4 * step) {
                a = a.add(FloatVector.fromMemorySegment(F, s, o, ByteOrder.LITTLE_ENDIAN));
                b = b.add(FloatVector.fromMemorySegment(F, s, o + step, ByteOrder.LITTLE_ENDIAN));
                c = c.add(FloatVector.fromMemorySegment(F, s, o + 2 * step, ByteOrder.LITTLE_ENDIAN));
                d = d.add(FloatVector.fromMemorySegment(F, s, o + 3 * step, ByteOrder.LITTLE_ENDIAN));
            }
            return a.add(b).add(c).add(d).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        }
    }
}
