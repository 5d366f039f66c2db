package dev.tandem.frontend.chat;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Global functions Hugging Face chat templates call; Jinjava invokes them reflectively. */
@RegisterForReflection
public final class TemplateFunctions {

    private TemplateFunctions() {
    }

    /** {@code raise_exception(msg)}: how a template rejects a conversation it cannot render. */
    public static String raiseException(String message) {
        throw new RaisedException(message);
    }

    static final class RaisedException extends RuntimeException {

        RaisedException(String message) {
            super(message);
        }
    }
}
