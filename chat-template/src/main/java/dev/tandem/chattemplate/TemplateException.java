package dev.tandem.chattemplate;

/**
 * A template that cannot be parsed or that fails while rendering: a syntax error, an undefined value used where
 * Jinja2 raises ({@code UndefinedError}), a type error, or the template's own {@code raise_exception(message)}.
 * The message is Jinja2's where it has one.
 */
public class TemplateException extends RuntimeException {

    private final Kind kind;

    /** Which failure, named as Jinja2 names its exceptions. */
    public enum Kind {
        /** The template's source is malformed ({@code TemplateSyntaxError}). */
        SYNTAX("TemplateSyntaxError"),
        /** An undefined value was used where Jinja2 raises ({@code UndefinedError}). */
        UNDEFINED("UndefinedError"),
        /** An operation on values of the wrong type ({@code TypeError}, {@code ValueError}, ...). */
        TYPE("TypeError"),
        /** The template called {@code raise_exception(message)} ({@code TemplateError}). */
        RAISED("TemplateError"),
        /** An operation the sandbox refuses ({@code SecurityError}). */
        SECURITY("SecurityError");

        private final String pythonName;

        Kind(String pythonName) {
            this.pythonName = pythonName;
        }

        public String pythonName() {
            return pythonName;
        }
    }

    public TemplateException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    static TemplateException syntax(String message, int line) {
        return new TemplateException(Kind.SYNTAX, message + " (line " + line + ")");
    }

    static TemplateException type(String message) {
        return new TemplateException(Kind.TYPE, message);
    }
}
