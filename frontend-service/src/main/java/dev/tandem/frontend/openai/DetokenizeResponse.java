package dev.tandem.frontend.openai;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Answer of {@code POST /detokenize}: the text of the ids. */
@RegisterForReflection
public record DetokenizeResponse(String prompt) {
}
