package dev.tandem.frontend.openai;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** What {@code POST /apply-template} answers: the prompt text the chat template renders. */
@RegisterForReflection
public record ApplyTemplateResponse(String prompt) {
}
