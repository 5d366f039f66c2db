package dev.tandem.frontend.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One entry of {@code GET /v1/models}.
 *
 * @param created       epoch seconds
 * @param contextWindow the model's context length in tokens; omitted when null
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "object", "created", "owned_by", "context_window"})
public record ModelCard(String id, long created, @JsonProperty("context_window") Integer contextWindow) {

    @JsonProperty(value = "object", access = JsonProperty.Access.READ_ONLY)
    public String object() {
        return "model";
    }

    @JsonProperty(value = "owned_by", access = JsonProperty.Access.READ_ONLY)
    public String ownedBy() {
        return "tandem";
    }
}
