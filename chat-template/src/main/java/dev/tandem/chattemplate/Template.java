package dev.tandem.chattemplate;

import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A Jinja chat template, parsed once, rendered as Jinja2 renders it with Hugging Face's {@code apply_chat_template}
 * environment: {@code trim_blocks}, {@code lstrip_blocks}, loop controls, an immutable sandbox, {@code tojson} as
 * {@code json.dumps}, {@code raise_exception} and {@code strftime_now}. Immutable and thread-safe.
 *
 * <pre>{@code
 * Template t = Template.parse(source);
 * String prompt = t.render(Map.of("messages", messages, "add_generation_prompt", true, "bos_token", "<s>"));
 * }</pre>
 */
public final class Template {

    private final List<Node> body;
    private final Supplier<LocalDateTime> clock;

    private Template(List<Node> body, Supplier<LocalDateTime> clock) {
        this.body = body;
        this.clock = clock;
    }

    /**
     * @throws TemplateException of kind SYNTAX when the source is not a valid template
     */
    public static Template parse(String source) {
        return new Template(Parser.parse(source), LocalDateTime::now);
    }

    /** The same template with {@code strftime_now} reading this clock (a fixed date for reproducible prompts). */
    public Template withClock(Supplier<LocalDateTime> now) {
        return new Template(body, now);
    }

    /**
     * Renders with these variables: Java strings, booleans, numbers, lists, maps (or values from
     * {@link Json#fromJackson}); a variable left out is undefined, as in Jinja2.
     *
     * @throws TemplateException when the template raises or fails, with Jinja2's message
     */
    public String render(Map<String, ?> variables) {
        Map<String, Object> globals = Globals.create(clock);
        Scope root = new Scope(new Scope(null, globals), new HashMap<>());
        variables.forEach((name, value) -> root.set(name, Values.fromJava(value)));
        StringBuilder out = new StringBuilder(1024);
        new Interpreter().execute(body, root, out);
        return out.toString();
    }
}
