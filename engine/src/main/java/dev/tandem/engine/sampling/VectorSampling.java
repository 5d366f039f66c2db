package dev.tandem.engine.sampling;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The sampler's dense loops on vectors; only loaded when the Vector API is enabled. */
final class VectorSampling {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private VectorSampling() {
    }

    /** The vector part of {@link Exp#shifted}; returns where the scalar tail starts. */
    static int shifted(float[] x, float max, float invT, float[] out) {
        int upper = F.loopBound(x.length);
        FloatVector vmax = FloatVector.broadcast(F, max);
        FloatVector vinvT = FloatVector.broadcast(F, invT);
        for (int i = 0; i < upper; i += F.length()) {
            FloatVector a = FloatVector.fromArray(F, x, i).sub(vmax).mul(vinvT);
            VectorMask<Float> zero = a.compare(VectorOperators.LT, Exp.MIN_ARG);
            FloatVector n = a.mul(Exp.LOG2E).add(Exp.ROUNDER).sub(Exp.ROUNDER);
            FloatVector r = n.fma(FloatVector.broadcast(F, -Exp.LN2_HI), a);
            r = n.fma(FloatVector.broadcast(F, -Exp.LN2_LO), r);
            FloatVector p = FloatVector.broadcast(F, Exp.POLY[0]);
            for (int k = 1; k < Exp.POLY.length; k++) {
                p = p.fma(r, FloatVector.broadcast(F, Exp.POLY[k]));
            }
            FloatVector y = p.fma(r.mul(r), r).add(1f);
            IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
            FloatVector scale = bits.reinterpretAsFloats();
            y.mul(scale).blend(0f, zero).intoArray(out, i);
        }
        return upper;
    }

    /** The largest value (NaN if there is one). */
    static float max(float[] x) {
        int upper = F.loopBound(x.length);
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < upper; i += F.length()) {
            m = m.max(FloatVector.fromArray(F, x, i));
        }
        float max = m.reduceLanes(VectorOperators.MAX);
        for (int i = upper; i < x.length; i++) {
            max = Math.max(max, x[i]);
        }
        return max;
    }
}
