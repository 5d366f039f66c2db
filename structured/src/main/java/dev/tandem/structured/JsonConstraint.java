package dev.tandem.structured;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSON schema compiled for one vocabulary: hands out {@link Sequence}s that forbid, at every step, the tokens
 * whose bytes the schema's automaton refuses. Masks are computed by walking the automaton down the
 * {@link TokenIndex}'s trie and cached per automaton state, so the states a schema keeps coming back to (inside an
 * unbounded string, between array items) cost one lookup. Thread-safe; share one per (schema, vocabulary).
 */
public final class JsonConstraint {

    private static final int MAX_CACHED_STATES = 4096;

    private final Node root;
    private final TokenIndex index;
    private final int words;
    private final Map<State, Mask> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<State, Mask> eldest) {
            return size() > MAX_CACHED_STATES;
        }
    };

    private JsonConstraint(Node root, TokenIndex index) {
        this.root = root;
        this.index = index;
        this.words = (index.vocabSize + 63) >>> 6;
    }

    /** Compiles {@code schemaJson}; throws {@link UnsupportedSchemaException} for what is not served. */
    public static JsonConstraint compile(String schemaJson, TokenIndex index) {
        return new JsonConstraint(SchemaCompiler.compile(schemaJson), index);
    }

    /**
     * A new sequence's constraint.
     *
     * @param budget tokens the sequence may still generate (max_tokens, or less where the context ends first):
     *               the JSON is closed within them when the vocabulary can spell every byte
     */
    public Sequence start(int budget) {
        return new Sequence(new State(new Frames.ValueFrame(root, 0), State.EMPTY), budget);
    }

    /** The tokens allowed in one state; {@code maxCost} is the most bytes any of them leaves to close the JSON. */
    private record Mask(long[] allowed, int maxCost, int count) {
    }

    private Mask mask(State state) {
        synchronized (cache) {
            Mask m = cache.get(state);
            if (m != null) {
                return m;
            }
        }
        Mask m = compute(state, Integer.MAX_VALUE);
        synchronized (cache) {
            cache.put(state, m);
        }
        return m;
    }

    /** Walks the trie from {@code state}; keeps tokens that leave at most {@code costLimit} bytes to close. */
    private Mask compute(State state, int costLimit) {
        long[] allowed = new long[words];
        int[] stats = new int[2]; // max cost, count
        walk(0, state, costLimit, allowed, stats);
        return new Mask(allowed, stats[0], stats[1]);
    }

    private void walk(int node, State state, int costLimit, long[] allowed, int[] stats) {
        TokenIndex t = index;
        for (int e = t.childStart[node], end = t.childStart[node + 1]; e < end; e++) {
            State next = state.step(t.childByte[e] & 0xFF);
            if (next == null) {
                continue;
            }
            int child = t.childNode[e];
            int from = t.tokenStart[child];
            int to = t.tokenStart[child + 1];
            if (from < to) {
                int cost = next.closeCost();
                if (cost <= costLimit) {
                    for (int k = from; k < to; k++) {
                        int id = t.tokenIds[k];
                        allowed[id >>> 6] |= 1L << id;
                        stats[1]++;
                    }
                    stats[0] = Math.max(stats[0], cost);
                }
            }
            if (!next.isComplete()) {
                walk(child, next, costLimit, allowed, stats);
            }
        }
    }

    /** States cached so far (for tests and figures). */
    public int cachedStates() {
        synchronized (cache) {
            return cache.size();
        }
    }

    /** One sequence's position in the automaton. Not thread-safe: one sequence, one thread at a time. */
    public final class Sequence {

        private State state;
        private int budget;

        private Sequence(State state, int budget) {
            this.state = state;
            this.budget = budget;
        }

        /** Sets the logits of the tokens the schema forbids next to -infinity. */
        public void mask(float[] logits) {
            Mask m = JsonConstraint.this.mask(state);
            long[] allowed = m.allowed;
            if (m.maxCost > budget - 1) {
                // Few tokens left: only those after which the JSON can still be closed in time.
                Mask tight = compute(state, Math.max(0, budget - 1));
                if (tight.count > 0) {
                    allowed = tight.allowed;
                }
            }
            boolean end = state.canEnd();
            int[] eog = index.endOfGeneration;
            float[] endLogits = new float[eog.length];
            for (int k = 0; k < eog.length; k++) {
                endLogits[k] = eog[k] < logits.length ? logits[eog[k]] : 0f;
            }
            int n = Math.min(logits.length, index.vocabSize);
            for (int w = 0; w < words; w++) {
                long bits = allowed[w];
                if (bits == -1L) {
                    continue;
                }
                int base = w << 6;
                int limit = Math.min(64, n - base);
                for (int i = 0; i < limit; i++) {
                    if ((bits & (1L << i)) == 0) {
                        logits[base + i] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
            for (int i = n; i < logits.length; i++) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
            if (end) {
                // End-of-generation tokens have no bytes: allowed exactly where the JSON may end, with their own logits.
                for (int k = 0; k < eog.length; k++) {
                    if (eog[k] < logits.length) {
                        logits[eog[k]] = endLogits[k];
                    }
                }
            }
        }

        /** Moves past a chosen token. */
        public void accept(int token) {
            budget--;
            if (token < 0 || token >= index.vocabSize || index.isEndOfGeneration(token)) {
                return;
            }
            State s = state;
            for (byte b : index.bytes(token)) {
                s = s == null ? null : s.step(b & 0xFF);
            }
            if (s == null) {
                throw new IllegalStateException("token " + token + " is not allowed by the schema here");
            }
            state = s;
        }

        /** The JSON value is complete: nothing more may follow. */
        public boolean isComplete() {
            return state.isComplete();
        }

        /** The JSON could end here (complete, or a top-level number that could also go on). */
        public boolean canEnd() {
            return state.canEnd();
        }
    }
}
