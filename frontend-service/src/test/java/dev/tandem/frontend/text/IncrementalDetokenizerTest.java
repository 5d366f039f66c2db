package dev.tandem.frontend.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class IncrementalDetokenizerTest {

    /** A vocabulary of raw byte pieces, as a byte-fallback SentencePiece or byte-level BPE has. */
    private record FakeTokenizer(List<byte[]> pieces) implements Tokenizer {

        @Override
        public byte[] tokenBytes(int id) {
            return pieces.get(id);
        }

        @Override
        public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String tokenText(int id) {
            return new String(pieces.get(id), StandardCharsets.UTF_8);
        }

        @Override
        public int vocabSize() {
            return pieces.size();
        }

        @Override
        public OptionalInt bosId() {
            return OptionalInt.of(0);
        }

        @Override
        public OptionalInt eosId() {
            return OptionalInt.of(0);
        }

        @Override
        public boolean isEndOfGeneration(int id) {
            return id == 0;
        }

        @Override
        public Optional<String> chatTemplate() {
            return Optional.empty();
        }

        @Override
        public boolean addsBos() {
            return false;
        }

        @Override
        public boolean addsEos() {
            return false;
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static final byte[] EMOJI = utf8("🙂");

    private static final Tokenizer TOKENIZER = new FakeTokenizer(List.of(
            new byte[0],                         // 0: a control token (EOS) contributes nothing
            utf8(", there"),                     // 1
            utf8(" was"),                        // 2
            new byte[] {(byte) 0xC3},            // 3: first byte of é
            new byte[] {(byte) 0xA9},            // 4: second byte of é
            new byte[] {EMOJI[0]}, new byte[] {EMOJI[1]}, new byte[] {EMOJI[2]}, new byte[] {EMOJI[3]})); // 5-8

    @Test
    void keepsTheFirstTokensLeadingSpaceAsItIs() {
        IncrementalDetokenizer detokenizer = new IncrementalDetokenizer(TOKENIZER);
        assertEquals(", there", detokenizer.push(1));
        assertEquals(" was", detokenizer.push(2));
        assertEquals("", detokenizer.push(0));
        assertEquals("", detokenizer.flush());
    }

    @Test
    void joinsACharacterSplitAcrossTwoTokens() {
        IncrementalDetokenizer detokenizer = new IncrementalDetokenizer(TOKENIZER);
        assertEquals("", detokenizer.push(3));
        assertEquals("é", detokenizer.push(4));
    }

    @Test
    void joinsAnEmojiSplitAcrossFourTokens() {
        IncrementalDetokenizer detokenizer = new IncrementalDetokenizer(TOKENIZER);
        assertEquals(" was", detokenizer.push(2));
        assertEquals("", detokenizer.push(5));
        assertEquals("", detokenizer.push(6));
        assertEquals("", detokenizer.push(7));
        assertEquals("🙂", detokenizer.push(8));
    }

    @Test
    void flushReplacesAnUnfinishedCharacter() {
        IncrementalDetokenizer detokenizer = new IncrementalDetokenizer(TOKENIZER);
        assertEquals("", detokenizer.push(5));
        assertEquals("", detokenizer.push(6));
        assertEquals("\uFFFD", detokenizer.flush());
    }
}
