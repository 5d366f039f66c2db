package dev.tandem.frontend.api;

/** Text already in its wire format (a JSON body, SSE frames): {@link WireTextWriter} writes it as it is. */
public record WireText(String text) {
}
