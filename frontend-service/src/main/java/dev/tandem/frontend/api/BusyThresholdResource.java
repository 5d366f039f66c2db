package dev.tandem.frontend.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.tandem.frontend.model.ServedModel;
import dev.tandem.frontend.routing.BusyThresholds;

/**
 * Dynamo's {@code /busy_threshold} (the spec's §4.5): {@code POST {"model", "active_decode_blocks_threshold"?,
 * "active_prefill_tokens_threshold"?, "active_prefill_tokens_threshold_frac"?}} sets the thresholds given, or with
 * none reads them, and echoes the model's thresholds; {@code GET} lists every model's. A body that is not such JSON
 * gets a 422 {@code {"error": …}}.
 */
@Path("/busy_threshold")
@Produces(MediaType.APPLICATION_JSON)
public class BusyThresholdResource {

    private static final Logger LOG = Logger.getLogger(BusyThresholdResource.class);

    private final BusyThresholds thresholds;
    private final ServedModel model;
    private final ObjectMapper json;

    public BusyThresholdResource(BusyThresholds thresholds, ServedModel model, ObjectMapper json) {
        this.thresholds = thresholds;
        this.model = model;
        this.json = json;
    }

    @GET
    public Map<String, Object> list() {
        return Map.of("thresholds", List.of(echo(thresholds.values())));
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response set(String body) {
        JsonNode request;
        try {
            request = json.readTree(body == null ? "" : body);
        } catch (Exception e) {
            return unprocessable("Failed to parse the request body as JSON: " + e.getMessage());
        }
        if (request == null || !request.isObject() || !request.path("model").isTextual()) {
            return unprocessable("The body must be a JSON object with a string field `model`");
        }
        String requested = request.path("model").asText();
        if (!requested.equals(model.name())) {
            return Response.status(404).entity(Map.of("error", "Model not found: " + requested)).build();
        }
        Double decodeBlocks;
        Long prefillTokens;
        Double prefillFrac;
        try {
            decodeBlocks = fraction(request, "active_decode_blocks_threshold", true);
            JsonNode tokens = request.path("active_prefill_tokens_threshold");
            if (!tokens.isMissingNode() && !tokens.isNull() && !(tokens.canConvertToLong() && tokens.isIntegralNumber()
                    && tokens.asLong() >= 0)) {
                throw new IllegalArgumentException("active_prefill_tokens_threshold must be a non-negative integer");
            }
            prefillTokens = tokens.isMissingNode() || tokens.isNull() ? null : tokens.asLong();
            prefillFrac = fraction(request, "active_prefill_tokens_threshold_frac", false);
        } catch (IllegalArgumentException e) {
            return unprocessable(e.getMessage());
        }
        BusyThresholds.Values values = decodeBlocks == null && prefillTokens == null && prefillFrac == null
                ? thresholds.values()
                : thresholds.update(decodeBlocks, prefillTokens, prefillFrac);
        if (decodeBlocks != null || prefillTokens != null || prefillFrac != null) {
            LOG.infof("Busy thresholds of %s are now: active_decode_blocks_threshold=%s active_prefill_tokens_threshold=%s "
                    + "active_prefill_tokens_threshold_frac=%s", model.name(), values.activeDecodeBlocksThreshold(),
                    values.activePrefillTokensThreshold(), values.activePrefillTokensThresholdFrac());
        }
        return Response.ok(echo(values)).build();
    }

    private static Double fraction(JsonNode request, String field, boolean unit) {
        JsonNode value = request.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isNumber() || value.asDouble() < 0 || (unit && value.asDouble() > 1)) {
            throw new IllegalArgumentException(field + " must be a number " + (unit ? "between 0 and 1" : "of at least 0"));
        }
        return value.asDouble();
    }

    private Map<String, Object> echo(BusyThresholds.Values values) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model.name());
        body.put("active_decode_blocks_threshold", values.activeDecodeBlocksThreshold());
        body.put("active_prefill_tokens_threshold", values.activePrefillTokensThreshold());
        body.put("active_prefill_tokens_threshold_frac", values.activePrefillTokensThresholdFrac());
        return body;
    }

    private static Response unprocessable(String message) {
        return Response.status(422).entity(Map.of("error", message)).build();
    }
}
