package dev.tandem.model;

/** The model file is valid but uses something this engine does not implement (architecture, tensor type, ...). */
public class UnsupportedModelException extends RuntimeException {

    public UnsupportedModelException(String message) {
        super(message);
    }
}
