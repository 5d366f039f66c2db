package dev.tandem.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

class SpmTokenizerTest {

    private static Tokenizer load(String relative) throws IOException {
        try (GgufFile file = GgufFile.open(SharedData.file(relative))) {
            return Tokenizers.fromGguf(file);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "phi-3"})
    void spmVocabVectors(String name) throws IOException {
        String vocab = "vocab/ggml-vocab-" + name + ".gguf";
        Tokenizer tok = load(vocab);
        String inp = Files.readString(SharedData.file(vocab + ".inp"), StandardCharsets.UTF_8);
        List<String> lines = Files.readAllLines(SharedData.file(vocab + ".out"), StandardCharsets.UTF_8);
        String[] cases = inp.split("\n__ggml_vocab_test__\n", -1);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (int i = 0; i < lines.size(); i++) {
            String text = cases[i];
            String line = lines.get(i).trim();
            int[] expected = line.isEmpty() ? new int[0] : Arrays.stream(line.split("\\s+")).mapToInt(Integer::parseInt).toArray();
            int[] actual = tok.encode(text, false, false);
            if (!Arrays.equals(expected, actual)) {
                failures.add("case " + i + " '" + text + "': expected " + Arrays.toString(expected) + " got " + Arrays.toString(actual));
            }
            // Detokenizing gives the text back (with the SentencePiece space prefix).
            if (!text.isEmpty()) {
                String decoded = new String(tok.decodeBytes(actual), StandardCharsets.UTF_8);
                if (!decoded.equals(" " + text)) {
                    failures.add("case " + i + " round trip: '" + decoded + "'");
                }
            }
            checked++;
        }
        assertTrue(checked >= 40, "only " + checked + " cases");
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories260K.gguf", "rand-llama-v512.gguf", "rand-llama-v32k-tied.gguf"})
    void goldenPromptTokens(String model) throws IOException {
        Tokenizer tok = load("models/" + model);
        for (JsonNode c : SharedData.golden(model).get("cases")) {
            int[] expected = SharedData.ints(c.get("prompt_tokens"));
            assertArrayEquals(expected, tok.encode(c.get("prompt").asText(), true, true), "prompt '" + c.get("prompt").asText() + "'");
        }
    }

    @Test
    void specialsAndBytes() throws IOException {
        Tokenizer tok = load("vocab/ggml-vocab-llama-spm.gguf");
        assertEquals(32000, tok.vocabSize());
        assertEquals(1, tok.bosId().getAsInt());
        assertEquals(2, tok.eosId().getAsInt());
        assertTrue(tok.isEndOfGeneration(2));
        assertFalse(tok.isEndOfGeneration(1));
        assertEquals("<s>", tok.bosText());
        // Special-token text is parsed only when asked; a space prefix follows a special token.
        assertArrayEquals(new int[] {1, 1, 15043}, tok.encode("<s>Hello", true, true));
        int[] plain = tok.encode("<s>", false, false);
        assertTrue(plain.length > 1, Arrays.toString(plain));
        // Control tokens contribute no text; byte tokens their byte; '▁' is a space.
        assertEquals(0, tok.tokenBytes(1).length);
        assertArrayEquals(new byte[] {0x0A}, tok.tokenBytes(13));
        assertEquals(" Hello", new String(tok.tokenBytes(15043), StandardCharsets.UTF_8));
    }
}
