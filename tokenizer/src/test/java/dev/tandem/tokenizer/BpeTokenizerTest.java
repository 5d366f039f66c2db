package dev.tandem.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.gguf.GgufFile;
import dev.tandem.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BpeTokenizerTest {

    private static Tokenizer load(String relative) throws IOException {
        try (GgufFile file = GgufFile.open(SharedData.file(relative))) {
            return Tokenizers.fromGguf(file);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt-2", "mpt", "starcoder", "refact", "falcon", "deepseek-llm", "deepseek-coder"})
    void bpeVocabVectors(String name) throws IOException {
        String vocab = "vocab/ggml-vocab-" + name + ".gguf";
        Tokenizer tok = load(vocab);
        String inp = Files.readString(SharedData.file(vocab + ".inp"), StandardCharsets.UTF_8);
        List<String> lines = Files.readAllLines(SharedData.file(vocab + ".out"), StandardCharsets.UTF_8);
        String[] cases = inp.split("\n__ggml_vocab_test__\n", -1);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = cases[i];
            String line = lines.get(i).trim();
            int[] expected = line.isEmpty() ? new int[0] : Arrays.stream(line.split("\\s+")).mapToInt(Integer::parseInt).toArray();
            int[] actual = tok.encode(text, false, false);
            if (!Arrays.equals(expected, actual)) {
                failures.add("case " + i + " '" + text + "': expected " + Arrays.toString(expected) + " got " + Arrays.toString(actual));
            }
            String decoded = new String(tok.decodeBytes(actual), StandardCharsets.UTF_8);
            if (!decoded.equals(text)) {
                failures.add("case " + i + " round trip: '" + decoded + "'");
            }
        }
        assertTrue(lines.size() >= 40);
        assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures));
    }

    @Test
    void goldenPromptTokens() throws IOException {
        String model = "rand-qwen2-gpt2v-tied.gguf";
        Tokenizer tok = load("models/" + model);
        assertEquals(50257, tok.vocabSize());
        for (JsonNode c : SharedData.golden(model).get("cases")) {
            int[] expected = SharedData.ints(c.get("prompt_tokens"));
            assertArrayEquals(expected, tok.encode(c.get("prompt").asText(), true, true), "prompt '" + c.get("prompt").asText() + "'");
        }
        assertTrue(tok.isEndOfGeneration(50256));
        assertEquals(" the", new String(tok.tokenBytes(262), StandardCharsets.UTF_8));
    }
}
