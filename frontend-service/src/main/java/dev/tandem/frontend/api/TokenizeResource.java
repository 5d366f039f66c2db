package dev.tandem.frontend.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.tandem.frontend.config.FrontendConfig;
import dev.tandem.frontend.generation.RequestPreparer;
import dev.tandem.frontend.openai.DetokenizeRequest;
import dev.tandem.frontend.openai.DetokenizeResponse;
import dev.tandem.frontend.openai.RequestValidator;
import dev.tandem.frontend.openai.TokenizeRequest;
import dev.tandem.frontend.openai.TokenizeResponse;

/**
 * {@code POST /tokenize} and {@code POST /detokenize}, as vLLM has them: the served model's tokenizer (and, for
 * messages, its chat template) applied exactly as the generation endpoints apply them, so that {@code count} is the
 * {@code prompt_tokens} a completion of the same input reports.
 */
@Path("/")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class TokenizeResource {

    private final RequestPreparer preparer;
    private final FrontendConfig config;

    public TokenizeResource(RequestPreparer preparer, FrontendConfig config) {
        this.preparer = preparer;
        this.config = config;
    }

    @POST
    @Path("tokenize")
    public TokenizeResponse tokenize(TokenizeRequest body) {
        RequestValidator.validate(body, config.ignoreUnsupportedParams());
        int[] tokens = body.messages() != null
                ? preparer.tokenizeChat(body.model(), body.messages(),
                        body.addGenerationPrompt() == null || body.addGenerationPrompt(), body.addSpecialTokens())
                : preparer.tokenizePrompt(body.model(), body.prompt(),
                        body.addSpecialTokens() == null || body.addSpecialTokens());
        return TokenizeResponse.of(tokens, preparer.contextLength());
    }

    @POST
    @Path("detokenize")
    public DetokenizeResponse detokenize(DetokenizeRequest body) {
        RequestValidator.validate(body, config.ignoreUnsupportedParams());
        return new DetokenizeResponse(preparer.detokenize(body.model(), body.tokens()));
    }
}
