package dev.tandem.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;

/**
 * SentencePiece-style tokenizer ({@code tokenizer.ggml.model = llama}), a port of llama.cpp's
 * llm_tokenizer_spm so that ids match llama.cpp exactly:
 * <ol>
 *   <li>special-token texts are split out first ({@link SpecialTokenSplitter});</li>
 *   <li>each text fragment gets a leading space when it starts the input or follows a special
 *       token (add_space_prefix), and spaces become '▁';</li>
 *   <li>starting from single characters, the adjacent pair whose concatenation is a vocabulary
 *       token with the highest score is merged, repeatedly (ties: leftmost first);</li>
 *   <li>symbols that are not tokens fall back to their UTF-8 bytes as {@code <0xNN>} tokens.</li>
 * </ol>
 */
public final class SpmTokenizer extends VocabularyTokenizer {

    private static final String SPACE_MARK = "\u2581"; // '▁'

    /** Token id of each byte value's {@code <0xNN>} token, -1 where the vocab lacks it. */
    private final int[] byteTokens = new int[256];
    /** Precomputed output bytes per token (token_to_piece without special rendering). */
    private final byte[][] pieces;

    public SpmTokenizer(Vocabulary vocab) {
        super(vocab);
        for (int b = 0; b < 256; b++) {
            int id = vocab.idOf(String.format("<0x%02X>", b));
            if (id < 0 && b < 128) {
                // llama.cpp falls back to the byte itself as a token text.
                id = vocab.idOf(String.valueOf((char) b));
            }
            byteTokens[b] = id;
        }
        this.pieces = new byte[vocab.size()][];
        for (int id = 0; id < vocab.size(); id++) {
            pieces[id] = piece(id);
        }
    }

    private byte[] piece(int id) {
        String text = vocab.text(id);
        return switch (vocab.type(id)) {
            case NORMAL -> text.replace(SPACE_MARK, " ").getBytes(StandardCharsets.UTF_8);
            case USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
            case BYTE -> new byte[] {parseByteToken(text)};
            // Control (BOS/EOS), unknown, unused: contribute no text, as llama.cpp renders them
            // when special rendering is off.
            default -> new byte[0];
        };
    }

    private static byte parseByteToken(String text) {
        if (text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
            return (byte) Integer.parseInt(text.substring(3, 5), 16);
        }
        // A byte token that is not <0xNN>: use its first UTF-8 byte.
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return b.length > 0 ? b[0] : 0;
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList out = new IntList();
        if (addSpecial && vocab.addBos()) {
            out.add(vocab.bos().getAsInt());
        }
        // "prefix with space if first token or if the previous fragment was a special token"
        boolean previousWasSpecial = true;
        for (SpecialTokenSplitter.Fragment f : SpecialTokenSplitter.split(vocab, text, parseSpecial)) {
            if (f.isText()) {
                String raw = vocab.addSpacePrefix() && previousWasSpecial ? " " + f.text() : f.text();
                tokenizeFragment(raw.replace(" ", SPACE_MARK), out);
                previousWasSpecial = false;
            } else {
                out.add(f.token());
                previousWasSpecial = true;
            }
        }
        if (addSpecial && vocab.addEos()) {
            out.add(vocab.eos().getAsInt());
        }
        return out.toArray();
    }

    /** One symbol of the merge chain: a run of characters [start, start+len) of the text. */
    private static final class Symbol {
        int start;
        int len;
        int prev;
        int next;
    }

    /** A candidate merge of two adjacent symbols into a vocabulary token. */
    private record Bigram(int left, int right, float score, int size) {
    }

    private void tokenizeFragment(String text, IntList out) {
        if (text.isEmpty()) {
            return;
        }
        // Split into characters (code points; llama.cpp uses UTF-8 sequences, the same units).
        int count = text.codePointCount(0, text.length());
        Symbol[] symbols = new Symbol[count];
        int offset = 0;
        for (int i = 0; i < count; i++) {
            Symbol s = new Symbol();
            s.start = offset;
            s.len = Character.charCount(text.codePointAt(offset));
            offset += s.len;
            s.prev = i - 1;
            s.next = i + 1 < count ? i + 1 : -1;
            symbols[i] = s;
        }

        // Highest score first; on equal scores the leftmost pair, as llm_bigram_spm::comparator.
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> {
            int c = Float.compare(b.score, a.score);
            return c != 0 ? c : Integer.compare(a.left, b.left);
        });
        for (int i = 1; i < count; i++) {
            tryAddBigram(text, symbols, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Bigram bigram = queue.poll();
            Symbol left = symbols[bigram.left];
            Symbol right = symbols[bigram.right];
            // Skip pairs whose symbols were merged elsewhere since the pair was queued.
            if (left.len == 0 || right.len == 0 || left.len + right.len != bigram.size) {
                continue;
            }
            left.len += right.len;
            right.len = 0;
            left.next = right.next;
            if (right.next >= 0) {
                symbols[right.next].prev = bigram.left;
            }
            tryAddBigram(text, symbols, left.prev, bigram.left, queue);
            tryAddBigram(text, symbols, bigram.left, left.next, queue);
        }

        for (int i = 0; i != -1; i = symbols[i].next) {
            Symbol s = symbols[i];
            String piece = text.substring(s.start, s.start + s.len);
            int id = vocab.idOf(piece);
            if (id >= 0) {
                out.add(id);
            } else {
                // Merged symbols are always tokens, so only single characters get here
                // (llama.cpp's rev_merge resegmentation never triggers): emit their bytes.
                for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                    int byteId = byteTokens[b & 0xFF];
                    if (byteId < 0) {
                        byteId = vocab.unk().orElseThrow(() -> new IllegalStateException(
                                "vocabulary has neither a byte token for 0x" + Integer.toHexString(b & 0xFF) + " nor <unk>"));
                    }
                    out.add(byteId);
                }
            }
        }
    }

    private void tryAddBigram(String text, Symbol[] symbols, int left, int right, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) {
            return;
        }
        Symbol l = symbols[left];
        int size = l.len + symbols[right].len;
        int id = vocab.idOf(text.substring(l.start, l.start + size));
        if (id < 0) {
            return;
        }
        queue.add(new Bigram(left, right, vocab.score(id), size));
    }

    @Override
    public byte[] tokenBytes(int id) {
        return pieces[id].clone();
    }


    /** A growable int array, to avoid boxing token ids. */
    static final class IntList {
        private int[] data = new int[16];
        private int size;

        void add(int v) {
            if (size == data.length) {
                data = java.util.Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(data, size);
        }
    }
}
