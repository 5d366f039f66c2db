package dev.tandem.worker;

import dev.tandem.model.ModelConfig;
import io.grpc.Status;

/** What a worker refuses before touching the engine. The frontend checks the same; workers do not trust it. */
public final class PromptCheck {

    private PromptCheck() {
    }

    /** @return an INVALID_ARGUMENT status saying what is wrong, or null when the prompt can be run */
    public static Status check(int[] prompt, ModelConfig config) {
        if (prompt.length == 0) {
            return Status.INVALID_ARGUMENT.withDescription("the prompt has no tokens");
        }
        if (prompt.length >= config.contextLength()) {
            return Status.INVALID_ARGUMENT.withDescription("the prompt has " + prompt.length
                    + " tokens; the model's context holds " + config.contextLength() + " including the generated ones");
        }
        for (int token : prompt) {
            if (token < 0 || token >= config.vocabSize()) {
                return Status.INVALID_ARGUMENT.withDescription("token id " + token + " is outside the vocabulary (0.."
                        + (config.vocabSize() - 1) + ")");
            }
        }
        return null;
    }
}
