package dev.tandem.structured;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.gguf.GgufFile;
import dev.tandem.testing.SharedData;
import dev.tandem.tokenizer.Tokenizer;
import dev.tandem.tokenizer.Tokenizers;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The per-step cost of masking on the 32,000-token SentencePiece and the 50,257-token GPT-2 vocabularies: a
 * generation of random logits under a schema, timing {@code mask} alone. Prints the figures the README quotes;
 * asserts only a loose ceiling (shared CI machines are noisy).
 */
class MaskCostTest {

    @Test
    void sentencePiece32k() throws Exception {
        measure("ggml-vocab-llama-spm.gguf");
    }

    @Test
    void gpt2Bpe50k() throws Exception {
        measure("ggml-vocab-gpt-2.gguf");
    }

    private static void measure(String name) throws Exception {
        Tokenizer tokenizer;
        try (GgufFile file = GgufFile.open(SharedData.file("vocab/" + name))) {
            tokenizer = Tokenizers.fromGguf(file);
        }
        long t0 = System.nanoTime();
        TokenIndex index = TokenIndex.of(tokenizer);
        long indexMicros = (System.nanoTime() - t0) / 1000;
        for (String schema : new String[] {SchemaCompiler.JSON_OBJECT, ConstrainedGenerationTest.SCHEMAS.get(1)}) {
            // Warm the JIT on one schema instance, then time a fresh one (cold cache) and a second run (warm cache).
            run(JsonConstraint.compile(schema, index), tokenizer, index, 3, null);
            JsonConstraint constraint = JsonConstraint.compile(schema, index);
            long[] cold = run(constraint, tokenizer, index, 20, null);
            long[] warm = run(constraint, tokenizer, index, 20, null);
            String label = schema.equals(SchemaCompiler.JSON_OBJECT) ? "json_object" : "person schema";
            System.out.printf("mask cost %s vocab=%d trie_nodes=%d index_build_ms=%d %s: cold mean=%dus p50=%dus p99=%dus "
                            + "max=%dus | warm mean=%dus p50=%dus p99=%dus (steps=%d, states cached=%d)%n",
                    name, index.vocabSize(), index.trieNodes(), indexMicros / 1000, label, mean(cold), pct(cold, 50),
                    pct(cold, 99), pct(cold, 100), mean(warm), pct(warm, 50), pct(warm, 99), warm.length,
                    constraint.cachedStates());
            assertTrue(mean(warm) < 20_000, "warm masking should take well under 20 ms a step");
        }
    }

    /** Nanoseconds of each mask() call over {@code sequences} generations of random logits. */
    private static long[] run(JsonConstraint constraint, Tokenizer tokenizer, TokenIndex index, int sequences, Void unused) {
        long[] times = new long[sequences * 200];
        int n = 0;
        float[] logits = new float[tokenizer.vocabSize()];
        for (int s = 0; s < sequences; s++) {
            Random random = new Random(s);
            JsonConstraint.Sequence sequence = constraint.start(200);
            for (int step = 0; step < 200; step++) {
                for (int i = 0; i < logits.length; i++) {
                    logits[i] = random.nextFloat() * 6;
                }
                long start = System.nanoTime();
                sequence.mask(logits);
                times[n++] = System.nanoTime() - start;
                int token = ConstrainedGenerationTest.pick(logits, random);
                if (tokenizer.isEndOfGeneration(token)) {
                    break;
                }
                sequence.accept(token);
                if (sequence.isComplete()) {
                    break;
                }
            }
        }
        long[] out = Arrays.copyOf(times, n);
        for (int i = 0; i < n; i++) {
            out[i] /= 1000;
        }
        Arrays.sort(out);
        return out;
    }

    private static long mean(long[] t) {
        return t.length == 0 ? 0 : Arrays.stream(t).sum() / t.length;
    }

    private static long pct(long[] t, int p) {
        return t.length == 0 ? 0 : t[Math.min(t.length - 1, (int) Math.ceil(p / 100.0 * t.length) - 1)];
    }
}
