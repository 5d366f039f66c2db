package dev.tandem.worker;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.tandem.engine.sampling.TokenConstraint;
import dev.tandem.structured.JsonConstraint;
import dev.tandem.structured.TokenIndex;
import dev.tandem.tokenizer.Tokenizer;

/**
 * A worker's structured-output constraints: the vocabulary's token index (built once, on first use) and the
 * schemas compiled lately (a small LRU cache, so a schema sent again is not compiled again and keeps its masks).
 */
public final class StructuredOutputs {

    private static final int CACHED_SCHEMAS = 32;
    private static final Map<Tokenizer, StructuredOutputs> BY_TOKENIZER = new ConcurrentHashMap<>();

    private final Tokenizer tokenizer;
    private volatile TokenIndex index;
    private final Map<String, JsonConstraint> compiled = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JsonConstraint> eldest) {
            return size() > CACHED_SCHEMAS;
        }
    };

    private StructuredOutputs(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public static StructuredOutputs of(Tokenizer tokenizer) {
        return BY_TOKENIZER.computeIfAbsent(tokenizer, StructuredOutputs::new);
    }

    /**
     * The constraint of a new sequence, or null when {@code jsonSchema} is empty.
     *
     * @param budget tokens the sequence may generate, its first included
     * @throws dev.tandem.structured.UnsupportedSchemaException when the schema is not served
     */
    public TokenConstraint start(String jsonSchema, int budget) {
        if (jsonSchema == null || jsonSchema.isEmpty()) {
            return null;
        }
        JsonConstraint constraint;
        synchronized (compiled) {
            constraint = compiled.get(jsonSchema);
        }
        if (constraint == null) {
            constraint = JsonConstraint.compile(jsonSchema, index());
            synchronized (compiled) {
                compiled.put(jsonSchema, constraint);
            }
        }
        JsonConstraint.Sequence sequence = constraint.start(budget);
        return new TokenConstraint() {
            @Override
            public void mask(float[] logits) {
                sequence.mask(logits);
            }

            @Override
            public void accept(int token) {
                sequence.accept(token);
            }

            @Override
            public boolean isComplete() {
                return sequence.isComplete();
            }
        };
    }

    private TokenIndex index() {
        TokenIndex i = index;
        if (i == null) {
            synchronized (this) {
                if (index == null) {
                    index = TokenIndex.of(tokenizer);
                }
                i = index;
            }
        }
        return i;
    }
}
