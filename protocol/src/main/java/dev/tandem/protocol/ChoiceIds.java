package dev.tandem.protocol;

/**
 * The workers' request ids of a request's choices (OpenAI's {@code n}): {@code <id>} for choice 0 and
 * {@code <id>-<i>} for choice i, so each choice can be cancelled alone. The frontend names the choices so, and a
 * prefill worker that ran their shared prompt knows a cancel of any of them by it.
 */
public final class ChoiceIds {

    private ChoiceIds() {
    }

    /** The request id of choice {@code index}. */
    public static String of(String requestId, int index) {
        return index == 0 ? requestId : requestId + "-" + index;
    }

    /** Whether {@code id} names one of the {@code choices} choices of request {@code requestId}. */
    public static boolean belongsTo(String id, String requestId, int choices) {
        if (id.equals(requestId)) {
            return true;
        }
        if (choices <= 1 || id.length() <= requestId.length() + 1 || !id.startsWith(requestId)
                || id.charAt(requestId.length()) != '-') {
            return false;
        }
        String index = id.substring(requestId.length() + 1);
        // as of() writes it: decimal, no leading zero (and short enough for an int)
        if (index.length() > 9 || index.startsWith("0") || !index.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        return Integer.parseInt(index) < choices;
    }
}
