package dev.tandem.frontend.openai;

/** A chunk of a streamed response, chat or text. */
public interface StreamChunk {

    /** The same chunk with {@code "usage": null}, as OpenAI writes every chunk when usage was asked for. */
    StreamChunk withNullUsage();
}
