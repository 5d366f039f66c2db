package dev.tandem.tokenizer;

import java.io.ByteArrayOutputStream;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Text to token ids and back, as the model's GGUF vocabulary defines it. Implementations are
 * immutable and thread-safe.
 */
public interface Tokenizer {

    /**
     * Tokenizes text.
     *
     * @param addSpecial   add BOS (when the vocab's {@code tokenizer.ggml.add_bos_token} says so) and
     *                     EOS (when {@code add_eos_token} says so)
     * @param parseSpecial recognise the texts of control/special tokens (e.g. {@code <s>}) in the text;
     *                     when false they are tokenized as plain text
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * The raw UTF-8 bytes this token contributes to output text: SentencePiece '▁' becomes a space,
     * a byte-fallback token {@code <0xNN>} its byte, control tokens (BOS, EOS, ...) nothing. A
     * multi-byte character may be split across tokens, so callers must join bytes before decoding.
     */
    byte[] tokenBytes(int id);

    /** The token's text as stored in the vocabulary (e.g. {@code ▁the}, {@code <0x0A>}, {@code </s>}). */
    String tokenText(int id);

    int vocabSize();

    OptionalInt bosId();

    OptionalInt eosId();

    /** True for tokens that end generation: EOS, EOT, EOM and the vocabulary's other end-of-turn tokens. */
    boolean isEndOfGeneration(int id);

    /** The Jinja chat template from {@code tokenizer.chat_template}, if the model has one. */
    Optional<String> chatTemplate();

    /** Whether {@link #encode} with {@code addSpecial} prepends BOS. */
    boolean addsBos();

    /** Whether {@link #encode} with {@code addSpecial} appends EOS. */
    boolean addsEos();

    /** BOS token text, e.g. {@code <s>}, or "" when the vocab has none (useful for chat templates). */
    default String bosText() {
        return bosId().isPresent() ? tokenText(bosId().getAsInt()) : "";
    }

    /** EOS token text, e.g. {@code </s>}, or "" when the vocab has none. */
    default String eosText() {
        return eosId().isPresent() ? tokenText(eosId().getAsInt()) : "";
    }

    /** Concatenated {@link #tokenBytes} of the ids (no leading-space stripping). */
    default byte[] decodeBytes(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            out.writeBytes(tokenBytes(id));
        }
        return out.toByteArray();
    }
}
