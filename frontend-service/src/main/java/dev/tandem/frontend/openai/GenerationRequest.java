package dev.tandem.frontend.openai;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** The fields chat and text completions share, so that {@link RequestValidator} checks them once. */
sealed interface GenerationRequest permits ChatCompletionRequest, CompletionRequest {

    String model();

    Boolean stream();

    StreamOptions streamOptions();

    Integer maxTokens();

    Double temperature();

    Double topP();

    Integer topK();

    Double minP();

    Long seed();

    List<String> stop();

    Integer n();

    Boolean ignoreEos();

    Double repetitionPenalty();

    Double frequencyPenalty();

    Double presencePenalty();

    Map<String, Double> logitBias();

    /** Fields the request type does not declare (see {@link UnsupportedParams}). */
    Map<String, JsonNode> otherFields();
}
