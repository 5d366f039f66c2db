package dev.tandem.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = gpt2}: GPT-2, Llama 3, Qwen, ...), a port of
 * llama.cpp's llm_tokenizer_bpe:
 * <ol>
 *   <li>special-token texts are split out first ({@link SpecialTokenSplitter});</li>
 *   <li>each text fragment is split into words by the vocabulary's pre-tokenizer regexes;</li>
 *   <li>each word's UTF-8 bytes are spelled as GPT-2 byte characters ({@link ByteLevel});</li>
 *   <li>adjacent symbols are merged by merge rank (lowest first, ties leftmost) while a merge applies.</li>
 * </ol>
 */
public final class BpeTokenizer extends VocabularyTokenizer {

    private final PreTokenizer preTokenizer;
    private final byte[][] pieces;

    public BpeTokenizer(Vocabulary vocab) {
        super(vocab);
        this.preTokenizer = PreTokenizer.forType(vocab.pre());
        this.pieces = new byte[vocab.size()][];
        for (int id = 0; id < vocab.size(); id++) {
            pieces[id] = switch (vocab.type(id)) {
                case NORMAL -> ByteLevel.decode(vocab.text(id));
                case USER_DEFINED -> vocab.text(id).getBytes(StandardCharsets.UTF_8);
                // Control, unknown, unused (and byte, which byte-level vocabularies do not use): no text.
                default -> new byte[0];
            };
        }
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        SpmTokenizer.IntList out = new SpmTokenizer.IntList();
        if (addSpecial && vocab.addBos()) {
            out.add(vocab.bos().getAsInt());
        }
        for (SpecialTokenSplitter.Fragment f : SpecialTokenSplitter.split(vocab, text, parseSpecial)) {
            if (!f.isText()) {
                out.add(f.token());
                continue;
            }
            for (String word : preTokenizer.split(f.text())) {
                tokenizeWord(ByteLevel.encode(word.getBytes(StandardCharsets.UTF_8)), out);
            }
        }
        if (addSpecial && vocab.addEos()) {
            out.add(vocab.eos().getAsInt());
        }
        return out.toArray();
    }

    private record Bigram(int left, int right, int rank, String text) {
    }

    /** BPE over one byte-level spelled word (one char per byte). */
    private void tokenizeWord(String word, SpmTokenizer.IntList out) {
        if (word.isEmpty()) {
            return;
        }
        if (preTokenizer.ignoreMerges()) {
            int id = vocab.idOf(word);
            if (id >= 0) {
                out.add(id);
                return;
            }
        }
        int n = word.length();
        int[] start = new int[n];
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            start[i] = i;
            len[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> {
            int c = Integer.compare(a.rank, b.rank);
            return c != 0 ? c : Integer.compare(a.left, b.left);
        });
        for (int i = 1; i < n; i++) {
            addBigram(word, start, len, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Bigram bigram = queue.poll();
            int l = bigram.left;
            int r = bigram.right;
            if (len[l] == 0 || len[r] == 0) {
                continue;
            }
            // Outdated when either side has changed since the pair was queued.
            if (len[l] + len[r] != bigram.text.length()
                    || !word.regionMatches(start[l], bigram.text, 0, bigram.text.length())) {
                continue;
            }
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            addBigram(word, start, len, prev[l], l, queue);
            addBigram(word, start, len, l, next[l], queue);
        }
        for (int i = 0; i != -1; i = next[i]) {
            String piece = word.substring(start[i], start[i] + len[i]);
            int id = vocab.idOf(piece);
            if (id >= 0) {
                out.add(id);
            } else {
                // As llama.cpp: fall back to single-byte texts that are tokens (in practice ASCII).
                for (int j = 0; j < piece.length(); j++) {
                    char c = piece.charAt(j);
                    int single = c < 0x80 ? vocab.idOf(String.valueOf(c)) : -1;
                    if (single >= 0) {
                        out.add(single);
                    }
                }
            }
        }
    }

    private void addBigram(String word, int[] start, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) {
            return;
        }
        String l = word.substring(start[left], start[left] + len[left]);
        String r = word.substring(start[right], start[right] + len[right]);
        int rank = vocab.mergeRank(l, r);
        if (rank >= 0) {
            queue.add(new Bigram(left, right, rank, l + r));
        }
    }

    @Override
    public byte[] tokenBytes(int id) {
        return pieces[id].clone();
    }
}
