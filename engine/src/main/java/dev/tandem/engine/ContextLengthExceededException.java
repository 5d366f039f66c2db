package dev.tandem.engine;

/** A sequence would grow past the model's context length. */
public class ContextLengthExceededException extends IllegalArgumentException {

    public ContextLengthExceededException(String message) {
        super(message);
    }
}
