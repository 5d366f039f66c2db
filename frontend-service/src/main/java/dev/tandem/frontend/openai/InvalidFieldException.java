package dev.tandem.frontend.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

/**
 * Raised by our deserializers for a JSON value of an accepted type but unsupported shape. It is a
 * {@link MismatchedInputException} so that Jackson prepends the field path and quarkus-rest-jackson
 * passes it to the exception mappers unwrapped; its message is written for the client.
 */
final class InvalidFieldException extends MismatchedInputException {

    InvalidFieldException(JsonParser parser, String message) {
        super(parser, message);
    }
}
