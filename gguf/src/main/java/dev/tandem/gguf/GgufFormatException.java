package dev.tandem.gguf;

import java.io.IOException;

/**
 * A GGUF file that is malformed or truncated. The message names the problem (and the offset or
 * tensor where it was found) so an operator can tell a bad download from a bug.
 */
public class GgufFormatException extends IOException {

    public GgufFormatException(String message) {
        super(message);
    }
}
