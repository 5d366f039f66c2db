package dev.tandem.frontend.api;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;

/**
 * Writes {@link WireText} unchanged, whatever the media type: a more specific writer than Jackson's, so a
 * streamed JSON body or SSE frame is not serialized a second time.
 */
@Provider
@Produces(MediaType.WILDCARD)
public class WireTextWriter implements MessageBodyWriter<WireText> {

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type == WireText.class;
    }

    @Override
    public void writeTo(WireText body, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, Object> headers, OutputStream out) throws IOException {
        out.write(body.text().getBytes(StandardCharsets.UTF_8));
    }
}
