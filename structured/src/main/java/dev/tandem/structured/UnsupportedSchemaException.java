package dev.tandem.structured;

/** A JSON schema, or a part of one, that constrained decoding does not serve; the message names the part. */
public final class UnsupportedSchemaException extends IllegalArgumentException {

    public UnsupportedSchemaException(String message) {
        super(message);
    }
}
