package dev.tandem.structured;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.tandem.gguf.GgufFile;
import dev.tandem.model.SyntheticModel;
import dev.tandem.testing.SharedData;
import dev.tandem.tokenizer.Tokenizer;
import dev.tandem.tokenizer.Tokenizers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Random logits through the constraint always give JSON that the schema accepts, on every kind of vocabulary. */
class ConstrainedGenerationTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static final List<String> SCHEMAS = List.of(
            SchemaCompiler.JSON_OBJECT,
            """
            {"type":"object","properties":{
               "name":{"type":"string","minLength":2,"maxLength":12},
               "age":{"type":"integer","minimum":18,"maximum":120},
               "score":{"type":"number"},
               "member":{"type":"boolean"},
               "nothing":{"type":"null"},
               "tags":{"type":"array","items":{"type":"string","maxLength":5},"minItems":1,"maxItems":3},
               "color":{"enum":["red","green","blue"]},
               "version":{"const":2},
               "address":{"type":"object","properties":{
                   "street":{"type":"string"},"zip":{"type":"integer","minimum":-50,"maximum":99999}},
                   "required":["zip"],"additionalProperties":false},
               "maybe":{"type":["string","null"]}
             },
             "required":["name","age","tags","address"],"additionalProperties":false}
            """,
            """
            {"type":"array","items":{"type":"object","properties":{"x":{"type":"integer"},"y":{"type":"integer","minimum":100}},
             "required":["x","y"]},"minItems":2,"maxItems":4}
            """,
            """
            {"type":"object","additionalProperties":{"type":"integer","minimum":0,"maximum":9}}
            """,
            """
            {"$defs":{"point":{"type":"object","properties":{"lat":{"type":"number"},"lon":{"type":"number"}},"required":["lat","lon"]}},
             "type":"object","properties":{"from":{"$ref":"#/$defs/point"},"to":{"$ref":"#/$defs/point"}},"required":["from","to"]}
            """,
            // alternatives that only a const property tells apart, as tool_choice "required" writes calls
            """
            {"type":"array","minItems":1,"maxItems":3,"items":{"anyOf":[
              {"type":"object","properties":{"name":{"const":"get_weather"},"arguments":{"type":"object",
                "properties":{"city":{"type":"string","maxLength":8}},"required":["city"],"additionalProperties":false}},
               "required":["name","arguments"],"additionalProperties":false},
              {"type":"object","properties":{"name":{"const":"get_time"},"arguments":{"type":"object",
                "properties":{"zone":{"type":"integer","minimum":-12,"maximum":14}},"required":["zone"],"additionalProperties":false}},
               "required":["name","arguments"],"additionalProperties":false}]}}
            """,
            // alternatives that overlap: a digit may begin either number, a quote either string
            """
            {"type":"object","properties":{
               "n":{"anyOf":[{"type":"integer","minimum":0,"maximum":9},{"type":"number"}]},
               "s":{"anyOf":[{"type":"string","maxLength":3},{"enum":["hello","world",null]}]}},
             "required":["n","s"],"additionalProperties":false}
            """);

    static Tokenizer synthetic() {
        return SyntheticModel.tokenizer();
    }

    static Tokenizer vocab(String name) throws Exception {
        try (GgufFile file = GgufFile.open(SharedData.file("vocab/" + name))) {
            return Tokenizers.fromGguf(file);
        }
    }

    @Test
    void randomLogitsAlwaysGiveValidJsonOnTheSyntheticVocabulary() throws Exception {
        generateMany(synthetic(), 40);
    }

    @Test
    void randomLogitsAlwaysGiveValidJsonOnSentencePiece() throws Exception {
        generateMany(vocab("ggml-vocab-llama-spm.gguf"), 8);
    }

    @Test
    void randomLogitsAlwaysGiveValidJsonOnByteLevelBpe() throws Exception {
        generateMany(vocab("ggml-vocab-gpt-2.gguf"), 8);
    }

    @Test
    void aTightBudgetStillClosesTheJson() throws Exception {
        TokenIndex index = TokenIndex.of(synthetic());
        for (String schema : SCHEMAS) {
            JsonConstraint constraint = JsonConstraint.compile(schema, index);
            int shortest = SchemaCompiler.compile(schema).minLength;
            for (int seed = 0; seed < 10; seed++) {
                String text = generate(constraint, index, synthetic(), new Random(seed), shortest + 5 + seed);
                assertValid(schema, text);
            }
        }
    }

    @Test
    void unsupportedKeywordsAreRefusedByName() {
        var e = assertThrows(UnsupportedSchemaException.class,
                () -> SchemaCompiler.validate("{\"type\":\"string\",\"pattern\":\"a+\"}"));
        assertTrue(e.getMessage().contains("pattern"), e.getMessage());
        assertThrows(UnsupportedSchemaException.class, () -> SchemaCompiler.validate("{\"type\":\"number\",\"minimum\":1}"));
        assertThrows(UnsupportedSchemaException.class,
                () -> SchemaCompiler.validate("{\"oneOf\":[{\"type\":\"integer\"},{\"type\":\"string\"}]}"));
    }

    @Test
    void theTrieHoldsEveryTokenWithBytes() throws Exception {
        Tokenizer t = synthetic();
        TokenIndex index = TokenIndex.of(t);
        int listed = index.tokenStart[index.trieNodes()];
        int withBytes = 0;
        for (int id = 0; id < t.vocabSize(); id++) {
            if (!t.isEndOfGeneration(id) && t.tokenBytes(id).length > 0) {
                withBytes++;
            }
        }
        assertEquals(withBytes, listed);
        assertEquals(Set.of(2), Set.of(index.endOfGeneration[0]));
    }

    static void generateMany(Tokenizer tokenizer, int seeds) throws Exception {
        TokenIndex index = TokenIndex.of(tokenizer);
        for (String schema : SCHEMAS) {
            JsonConstraint constraint = JsonConstraint.compile(schema, index);
            for (int seed = 0; seed < seeds; seed++) {
                String text = generate(constraint, index, tokenizer, new Random(seed * 31L + schema.length()), 400);
                assertValid(schema, text);
            }
        }
    }

    /** Samples from random logits (a third of the time greedily), as a model with random weights would. */
    static String generate(JsonConstraint constraint, TokenIndex index, Tokenizer tokenizer, Random random, int budget) {
        JsonConstraint.Sequence sequence = constraint.start(budget);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        float[] logits = new float[tokenizer.vocabSize()];
        for (int step = 0; step < budget; step++) {
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) random.nextGaussian() * 3;
            }
            sequence.mask(logits);
            int token = pick(logits, random);
            if (tokenizer.isEndOfGeneration(token)) {
                break;
            }
            sequence.accept(token);
            out.writeBytes(tokenizer.tokenBytes(token));
            if (sequence.isComplete()) {
                break;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static int pick(float[] logits, Random random) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double total = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            total += p[i];
        }
        double u = random.nextDouble() * total;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                last = i;
                u -= p[i];
                if (u < 0) {
                    return i;
                }
            }
        }
        if (last < 0) {
            throw new AssertionError("every token masked");
        }
        return last;
    }

    static void assertValid(String schema, String text) throws Exception {
        JsonNode value;
        try {
            value = JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
        JsonSchema validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(JSON.readTree(schema));
        Set<ValidationMessage> errors = validator.validate(value);
        assertTrue(errors.isEmpty(), () -> errors + " for " + text + " against " + schema);
    }
}
