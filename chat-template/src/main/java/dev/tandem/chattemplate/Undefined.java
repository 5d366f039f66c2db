package dev.tandem.chattemplate;

/**
 * Jinja2's default {@code Undefined}: a missing variable, attribute or item. It prints as nothing, is false, empty
 * and iterable with no items, and equals only another undefined; everything else (attributes, items, calls,
 * arithmetic, ordering, being added to a string) raises {@code UndefinedError} with the message of where it came from.
 */
final class Undefined {

    private final String message;

    Undefined(String message) {
        this.message = message;
    }

    static Undefined variable(String name) {
        return new Undefined("'" + name + "' is undefined");
    }

    static Undefined attribute(Object owner, Object name) {
        return new Undefined("'" + Values.typeName(owner) + " object' has no attribute " + Values.repr(name));
    }

    String message() {
        return message;
    }

    /** What using this value where Jinja2 raises throws. */
    TemplateException error() {
        return new TemplateException(TemplateException.Kind.UNDEFINED, message);
    }

    @Override
    public String toString() {
        return "";
    }
}
