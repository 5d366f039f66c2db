package dev.tandem.chattemplate;

import dev.tandem.chattemplate.Token.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a template into tokens as Jinja2's lexer does with {@code trim_blocks} and {@code lstrip_blocks}: text
 * between tags, and the expression tokens inside {@code {{ }}} and {@code {% %}}; comments disappear. Whitespace
 * control is applied here, on every tag kind: {@code -} strips all whitespace on that side, {@code +} keeps the
 * line's indentation, a block or comment tag drops the one newline after it, and the spaces and tabs before a block
 * or comment tag alone at the start of its line are removed.
 */
final class Lexer {

    private static final String[] OPERATORS = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "(",
        ")", "[", "]", "{", "}", "<", ">", "=", ".", ":", "|", ",", ";"};

    private final String src;
    private final int[] lineStarts;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;

    private Lexer(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        // Jinja2's keep_trailing_newline=False: one trailing newline of the source is not output.
        this.src = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        int[] starts = new int[16];
        int n = 0;
        starts[n++] = 0;
        for (int i = 0; i < src.length(); i++) {
            if (src.charAt(i) == '\n') {
                if (n == starts.length) {
                    starts = Arrays.copyOf(starts, n * 2);
                }
                starts[n++] = i + 1;
            }
        }
        this.lineStarts = Arrays.copyOf(starts, n);
    }

    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(source);
        lexer.run();
        return lexer.tokens;
    }

    private int line(int at) {
        int i = Arrays.binarySearch(lineStarts, at);
        return (i >= 0 ? i : -i - 2) + 1;
    }

    private void run() {
        int len = src.length();
        while (pos < len) {
            int textStart = pos;
            boolean lineStarting = pos == 0 || src.charAt(pos - 1) == '\n';
            int tag = nextTag(pos);
            if (tag < 0) {
                emitText(src.substring(textStart), textStart);
                break;
            }
            char kind = src.charAt(tag + 1);
            char modifier = tag + 2 < len ? src.charAt(tag + 2) : 0;
            String text = src.substring(textStart, tag);
            if (modifier == '-') {
                text = rstrip(text);
            } else if (modifier != '+' && kind != '{') {
                int lineStart = text.lastIndexOf('\n') + 1;
                if ((lineStart > 0 || lineStarting) && lineStart < text.length() && isBlank(text, lineStart)) {
                    text = text.substring(0, lineStart);
                }
            }
            emitText(text, textStart);
            int inner = tag + 2 + (modifier == '-' || modifier == '+' ? 1 : 0);
            if (kind == '#') {
                comment(tag, inner);
            } else {
                tag(kind == '{', tag, inner);
            }
        }
        tokens.add(new Token(Kind.EOF, "", line(len)));
    }

    /** The next {@code {{}, {@code {%} or {@code {#} at or after {@code from}, or -1. */
    private int nextTag(int from) {
        int i = from;
        while ((i = src.indexOf('{', i)) >= 0 && i + 1 < src.length()) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
            i++;
        }
        return -1;
    }

    private void emitText(String text, int at) {
        if (!text.isEmpty()) {
            tokens.add(new Token(Kind.TEXT, text, line(at)));
        }
    }

    private void comment(int tag, int inner) {
        int end = src.indexOf("#}", inner);
        if (end < 0) {
            throw TemplateException.syntax("Missing end of comment tag", line(tag));
        }
        pos = end + 2;
        afterTagEnd(src.charAt(end - 1) == '-' && end - 1 >= inner, true);
    }

    /** After a tag: {@code -} eats all following whitespace, trim_blocks one newline after a block or comment. */
    private void afterTagEnd(boolean strip, boolean block) {
        if (strip) {
            while (pos < src.length() && isWhitespace(src.charAt(pos))) {
                pos++;
            }
        } else if (block && pos < src.length() && src.charAt(pos) == '\n') {
            pos++;
        }
    }

    private void tag(boolean variable, int tag, int inner) {
        tokens.add(new Token(variable ? Kind.VARIABLE_BEGIN : Kind.BLOCK_BEGIN, variable ? "{{" : "{%", line(tag)));
        char close = variable ? '}' : '%';
        int depth = 0;
        pos = inner;
        int len = src.length();
        while (true) {
            while (pos < len && isWhitespace(src.charAt(pos))) {
                pos++;
            }
            if (pos >= len) {
                throw TemplateException.syntax("Unexpected end of template: missing " + (variable ? "'}}'" : "'%}'"),
                        line(tag));
            }
            if (depth == 0) {
                int end = -1;
                boolean strip = false;
                if ((src.startsWith("-", pos) || src.startsWith("+", pos)) && src.startsWith(close + "}", pos + 1)) {
                    strip = src.charAt(pos) == '-';
                    end = pos + 3;
                } else if (src.startsWith(close + "}", pos)) {
                    end = pos + 2;
                }
                if (end >= 0) {
                    tokens.add(new Token(variable ? Kind.VARIABLE_END : Kind.BLOCK_END, variable ? "}}" : "%}",
                            line(pos)));
                    boolean plus = src.charAt(pos) == '+';
                    pos = end;
                    afterTagEnd(strip, !variable && !plus);
                    return;
                }
            }
            char c = src.charAt(pos);
            int start = pos;
            if (Character.isLetter(c) || c == '_') {
                while (pos < len && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                    pos++;
                }
                tokens.add(new Token(Kind.NAME, src.substring(start, pos), line(start)));
            } else if (c >= '0' && c <= '9') {
                number(start);
            } else if (c == '\'' || c == '"') {
                tokens.add(new Token(Kind.STRING, string(c), line(start)));
            } else {
                String op = null;
                for (String candidate : OPERATORS) {
                    if (src.startsWith(candidate, pos)) {
                        op = candidate;
                        break;
                    }
                }
                if (op == null) {
                    throw TemplateException.syntax("Unexpected char '" + c + "'", line(pos));
                }
                switch (op) {
                    case "(", "[", "{" -> depth++;
                    case ")", "]", "}" -> depth = Math.max(0, depth - 1);
                    default -> { }
                }
                pos += op.length();
                tokens.add(new Token(Kind.OPERATOR, op, line(start)));
            }
        }
    }

    private void number(int start) {
        int len = src.length();
        boolean afterDot = start > 0 && src.charAt(start - 1) == '.';
        pos = digits(start);
        boolean isFloat = false;
        if (!afterDot && pos + 1 < len && src.charAt(pos) == '.' && isDigit(src.charAt(pos + 1))) {
            pos = digits(pos + 1);
            isFloat = true;
        }
        if (!afterDot && pos < len && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int e = pos + 1;
            if (e < len && (src.charAt(e) == '+' || src.charAt(e) == '-')) {
                e++;
            }
            if (e < len && isDigit(src.charAt(e))) {
                pos = digits(e);
                isFloat = true;
            }
        }
        String text = src.substring(start, pos).replace("_", "");
        tokens.add(new Token(isFloat ? Kind.FLOAT : Kind.INTEGER, text, line(start)));
    }

    private int digits(int from) {
        int i = from;
        while (i < src.length() && (isDigit(src.charAt(i)) || src.charAt(i) == '_')) {
            i++;
        }
        return i;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** A quoted literal, unescaped as Python's {@code unicode-escape} codec does (what Jinja2 uses). */
    private String string(char quote) {
        int start = pos;
        StringBuilder out = new StringBuilder();
        pos++;
        int len = src.length();
        while (true) {
            if (pos >= len) {
                throw TemplateException.syntax("Unterminated string", line(start));
            }
            char c = src.charAt(pos);
            if (c == quote) {
                pos++;
                return out.toString();
            }
            if (c != '\\' || pos + 1 >= len) {
                out.append(c);
                pos++;
                continue;
            }
            char e = src.charAt(pos + 1);
            pos += 2;
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case '\\' -> out.append('\\');
                case '\'' -> out.append('\'');
                case '"' -> out.append('"');
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'v' -> out.append('\u000b');
                case '\n' -> { }
                case 'x' -> out.appendCodePoint(hex(2));
                case 'u' -> out.appendCodePoint(hex(4));
                case 'U' -> out.appendCodePoint(hex(8));
                default -> {
                    if (e >= '0' && e <= '7') {
                        int value = e - '0';
                        for (int k = 0; k < 2 && pos < len && src.charAt(pos) >= '0' && src.charAt(pos) <= '7'; k++) {
                            value = value * 8 + (src.charAt(pos++) - '0');
                        }
                        out.append((char) value);
                    } else {
                        out.append('\\').append(e);
                    }
                }
            }
        }
    }

    private int hex(int digits) {
        if (pos + digits > src.length()) {
            throw TemplateException.syntax("Truncated escape in string", line(pos));
        }
        try {
            int value = Integer.parseInt(src.substring(pos, pos + digits), 16);
            pos += digits;
            return value;
        } catch (NumberFormatException e) {
            throw TemplateException.syntax("Bad escape in string", line(pos));
        }
    }

    /** Python's {@code str.isspace} for one char, which {@code str.strip()} and {@code \s} use. */
    static boolean isWhitespace(char c) {
        return switch (c) {
            case ' ', '\t', '\n', '\r', '\u000b', '\f', '\u001c', '\u001d', '\u001e', '\u001f', '\u0085', '\u00a0',
                '\u1680', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000' -> true;
            default -> c >= '\u2000' && c <= '\u200a';
        };
    }

    private static boolean isBlank(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            if (!isWhitespace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static String rstrip(String text) {
        int end = text.length();
        while (end > 0 && isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }
}
