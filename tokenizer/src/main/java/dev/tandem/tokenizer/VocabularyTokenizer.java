package dev.tandem.tokenizer;

import java.util.Optional;
import java.util.OptionalInt;

/** What every tokenizer answers straight from its GGUF vocabulary; subclasses bring the algorithm. */
abstract class VocabularyTokenizer implements Tokenizer {

    protected final Vocabulary vocab;

    VocabularyTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
    }

    @Override
    public String tokenText(int id) {
        return vocab.text(id);
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public OptionalInt bosId() {
        return vocab.bos();
    }

    @Override
    public OptionalInt eosId() {
        return vocab.eos();
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return vocab.isEndOfGeneration(id);
    }

    @Override
    public Optional<String> chatTemplate() {
        return vocab.chatTemplate();
    }

    @Override
    public boolean addsBos() {
        return vocab.addBos();
    }

    @Override
    public boolean addsEos() {
        return vocab.addEos();
    }
}
