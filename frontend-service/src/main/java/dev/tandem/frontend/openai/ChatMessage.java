package dev.tandem.frontend.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** One chat message; {@code content} is already flattened to text (see {@link MessageContentDeserializer}). */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatMessage(String role, @JsonDeserialize(using = MessageContentDeserializer.class) String content) {
}
