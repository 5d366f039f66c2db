package dev.tandem.chattemplate;

/**
 * markupsafe's {@code Markup}, what {@code |safe} and {@code |escape} return: a string already safe for HTML. It
 * matters in one place even without autoescaping: {@code markup + text} HTML-escapes the text (Functionary's
 * template relies on it). Elsewhere it behaves as its text.
 */
record Markup(String text) {

    static Object plain(Object value) {
        return value instanceof Markup m ? m.text() : value;
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&#34;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
