package dev.tandem.frontend.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.tree.Node;
import dev.tandem.frontend.openai.OpenAiException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Hugging Face chat template, parsed once by Jinjava and configured like the Jinja environment
 * {@code transformers} renders chat templates with: {@code trim_blocks}, {@code lstrip_blocks}, one
 * trailing newline of the source dropped, {@code raise_exception}, Python string methods.
 *
 * <p>Undefined variables render empty as in Jinja, because templates probe optional ones ({@code
 * tools is defined}); every FATAL Jinjava error (syntax error, unknown tag, function or method,
 * raised exception) fails the render, where Jinjava alone would return partial text.
 */
final class JinjaTemplate {

    private final Jinjava jinjava;
    private final Node root;
    private final List<TemplateError> parseErrors;

    JinjaTemplate(String source) {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                .build());
        jinjava.registerFunction(new ELFunctionDefinition(
                "", "raise_exception", TemplateFunctions.class, "raiseException", String.class));
        JinjavaInterpreter parser = jinjava.newInterpreter();
        this.root = parser.parse(source.endsWith("\n") ? source.substring(0, source.length() - 1) : source);
        // Reported when rendering rather than thrown here: a model whose template is broken can
        // still serve text completions.
        this.parseErrors = List.copyOf(parser.getErrors());
    }

    /** Thread-safe: the parsed tree is only read; each call gets its own interpreter. */
    String render(Map<String, Object> bindings) {
        failOnFatal(parseErrors);
        // A copy of the global context per render, as Jinjava's own render does: for-loops mutate
        // sets inherited from the parent context, which races when renders share it.
        JinjavaInterpreter interpreter = new JinjavaInterpreter(
                jinjava, new Context(jinjava.getGlobalContextCopy(), bindings), jinjava.getGlobalConfig());
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            String output = interpreter.render(root, true);
            failOnFatal(interpreter.getErrors());
            return output;
        } catch (OpenAiException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failure(raisedMessage(e).orElse(e.getMessage()));
        } finally {
            JinjavaInterpreter.popCurrent();
        }
    }

    private static void failOnFatal(List<TemplateError> errors) {
        for (TemplateError error : errors) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw failure(raisedMessage(error.getException()).orElse(error.getMessage()));
            }
        }
    }

    /** Jinjava wraps what a function throws; the template's own words are more useful. */
    private static Optional<String> raisedMessage(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof TemplateFunctions.RaisedException raised) {
                return Optional.of(raised.getMessage());
            }
        }
        return Optional.empty();
    }

    private static OpenAiException failure(String reason) {
        return OpenAiException.badRequest("messages", "chat template failed: " + reason);
    }
}
