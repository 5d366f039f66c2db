package dev.tandem.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits input text around special-token texts before the tokenizer model runs, as llama.cpp's
 * tokenizer_st_partition does: for each special token, longest first, every occurrence inside a
 * not-yet-matched text fragment becomes a token fragment. Control and unknown tokens are only
 * matched when special parsing is on; user-defined tokens always are.
 */
final class SpecialTokenSplitter {

    /** A piece of input: either raw text (token == -1) or one special token. */
    record Fragment(String text, int token) {
        boolean isText() {
            return token < 0;
        }
    }

    private SpecialTokenSplitter() {
    }

    static List<Fragment> split(Vocabulary vocab, String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(new Fragment(text, -1));
        for (int id : vocab.specialsLongestFirst()) {
            TokenType type = vocab.type(id);
            if (!parseSpecial && (type == TokenType.CONTROL || type == TokenType.UNKNOWN)) {
                continue;
            }
            String special = vocab.text(id);
            List<Fragment> next = new ArrayList<>(fragments.size() + 2);
            for (Fragment f : fragments) {
                if (!f.isText() || !f.text().contains(special)) {
                    next.add(f);
                    continue;
                }
                String raw = f.text();
                int from = 0;
                int at;
                while ((at = raw.indexOf(special, from)) >= 0) {
                    if (at > from) {
                        next.add(new Fragment(raw.substring(from, at), -1));
                    }
                    next.add(new Fragment(special, id));
                    from = at + special.length();
                }
                if (from < raw.length()) {
                    next.add(new Fragment(raw.substring(from), -1));
                }
            }
            fragments = next;
        }
        return fragments;
    }
}
