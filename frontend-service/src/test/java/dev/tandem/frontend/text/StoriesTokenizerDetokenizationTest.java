package dev.tandem.frontend.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.gguf.GgufFile;
import dev.tandem.tokenizer.Tokenizer;
import dev.tandem.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Streams real token ids of stories260K's 512-token SentencePiece vocabulary, which spells every
 * non-ASCII character as byte-fallback tokens, one byte per token. Skipped without ../shared.
 */
class StoriesTokenizerDetokenizationTest {

    private static Tokenizer tokenizer;

    @BeforeAll
    static void loadTokenizer() throws Exception {
        Path model = Path.of(System.getProperty("shared.dir", "../../shared"), "models", "stories260K.gguf");
        Assumptions.assumeTrue(Files.isRegularFile(model), model + " not found: skipping");
        try (GgufFile file = GgufFile.open(model)) {
            tokenizer = Tokenizers.fromGguf(file);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Once upon a time, there was a little girl named Lily.", "café au lait", "Lily 🙂 smiled"})
    void streamedTextEqualsTheWholeDecodeAndNeverSplitsACharacter(String text) {
        int[] ids = tokenizer.encode(text, false, false);
        IncrementalDetokenizer detokenizer = new IncrementalDetokenizer(tokenizer);
        StringBuilder streamed = new StringBuilder();
        for (int id : ids) {
            String piece = detokenizer.push(id);
            assertTrue(piece.chars().noneMatch(c -> c == '\uFFFD'), "split character in '" + piece + "'");
            streamed.append(piece);
        }
        streamed.append(detokenizer.flush());
        // SentencePiece adds a leading space to the text, and we keep the bytes as they are.
        assertEquals(" " + text, streamed.toString());
    }
}
