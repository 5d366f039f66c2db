package dev.tandem.frontend.tools;

import java.util.Optional;

/**
 * The parser of a served model ({@code TANDEM_TOOL_CALL_PARSER}, as Dynamo's {@code --dyn-tool-call-parser}):
 * {@code hermes}, {@code llama3_json} or {@code auto}, which reads the chat template: one that writes
 * {@code <tool_call>} is Hermes-style, one that knows {@code <|python_tag|>} or the {@code ipython} role is
 * Llama 3's; anything else (and a model without a template, which gets Tandem's default format) is Hermes-style.
 */
public final class ToolCallParsers {

    public static final String AUTO = "auto";

    private ToolCallParsers() {
    }

    public static ToolCallParser of(String configured, Optional<String> chatTemplate) {
        String name = configured == null ? AUTO : configured.strip().toLowerCase(java.util.Locale.ROOT);
        return switch (name) {
            case HermesToolParser.NAME -> new HermesToolParser();
            case Llama3JsonToolParser.NAME, "llama3", "llama3.1", "llama3.2" -> new Llama3JsonToolParser();
            case AUTO -> detect(chatTemplate.orElse(""));
            default -> throw new IllegalArgumentException("tandem.tool-call-parser must be hermes, llama3_json or auto,"
                    + " got '" + configured + "'");
        };
    }

    static ToolCallParser detect(String template) {
        if (template.contains(HermesToolParser.OPEN)) {
            return new HermesToolParser();
        }
        if (template.contains(Llama3JsonToolParser.PYTHON_TAG) || template.contains("ipython")) {
            return new Llama3JsonToolParser();
        }
        return new HermesToolParser();
    }
}
