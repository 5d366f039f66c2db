package dev.tandem.frontend.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8StreamDecoderTest {

    private final Utf8StreamDecoder decoder = new Utf8StreamDecoder();

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    @Test
    void asciiPassesStraightThrough() {
        assertEquals(", there", decoder.push(", there".getBytes(StandardCharsets.UTF_8)));
        assertEquals("", decoder.flush());
    }

    @Test
    void holdsATwoByteCharacterUntilComplete() {
        assertEquals("caf", decoder.push(bytes('c', 'a', 'f', 0xC3)));
        assertEquals("é!", decoder.push(bytes(0xA9, '!')));
    }

    @Test
    void holdsAFourByteEmojiSplitIntoFour() {
        byte[] emoji = "😀".getBytes(StandardCharsets.UTF_8);
        assertEquals("", decoder.push(bytes(emoji[0])));
        assertEquals("", decoder.push(bytes(emoji[1])));
        assertEquals("", decoder.push(bytes(emoji[2])));
        assertEquals("😀", decoder.push(bytes(emoji[3])));
    }

    @Test
    void emptyPiecesChangeNothing() {
        assertEquals("", decoder.push(new byte[0]));
        assertEquals("", decoder.push(bytes(0xE2, 0x82)));
        assertEquals("", decoder.push(new byte[0]));
        assertEquals("€", decoder.push(bytes(0xAC)));
    }

    @Test
    void incompleteCharacterAtTheEndBecomesOneReplacement() {
        assertEquals("a", decoder.push(bytes('a', 0xF0, 0x9F)));
        assertEquals("\uFFFD", decoder.flush());
        assertEquals("", decoder.flush());
    }

    @Test
    void bytesThatCanNeverBeValidAreReplacedAtOnce() {
        assertEquals("a\uFFFD", decoder.push(bytes('a', 0x80)));
        assertEquals("\uFFFD", decoder.push(bytes(0xED, 0xA0))); // starts a surrogate: never valid
        assertEquals("\uFFFD", decoder.push(bytes(0xFF)));
    }

    @Test
    void incompleteTailLength() {
        assertEquals(0, Utf8StreamDecoder.incompleteTailLength(bytes('a')));
        assertEquals(1, Utf8StreamDecoder.incompleteTailLength(bytes('a', 0xC3)));
        assertEquals(2, Utf8StreamDecoder.incompleteTailLength(bytes(0xE2, 0x82)));
        assertEquals(3, Utf8StreamDecoder.incompleteTailLength(bytes(0xF0, 0x9F, 0x98)));
        assertEquals(0, Utf8StreamDecoder.incompleteTailLength(bytes(0xF0, 0x9F, 0x98, 0x80)));
        assertEquals(0, Utf8StreamDecoder.incompleteTailLength(bytes(0xE0, 0x80))); // overlong
    }
}
