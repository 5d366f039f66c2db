package dev.tandem.frontend.openai;


import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** Body of {@code GET /v1/models}. */
@RegisterForReflection
@JsonPropertyOrder({"object", "data"})
public record ModelList(List<ModelCard> data) {

    @JsonProperty(value = "object", access = JsonProperty.Access.READ_ONLY)
    public String object() {
        return "list";
    }
}
