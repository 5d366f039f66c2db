package dev.tandem.chattemplate;

/** One lexical token: template text, a tag delimiter, or a piece of an expression. */
record Token(Kind kind, String value, int line) {

    enum Kind {
        TEXT, VARIABLE_BEGIN, VARIABLE_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF
    }

    boolean is(Kind k, String v) {
        return kind == k && value.equals(v);
    }

    boolean isName(String v) {
        return is(Kind.NAME, v);
    }

    boolean isOperator(String v) {
        return is(Kind.OPERATOR, v);
    }

    @Override
    public String toString() {
        return kind == Kind.EOF ? "end of template" : "'" + value + "'";
    }
}
