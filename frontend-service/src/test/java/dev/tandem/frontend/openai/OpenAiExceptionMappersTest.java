package dev.tandem.frontend.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.resteasy.reactive.jackson.runtime.serialisers.ServerJacksonMessageBodyReader;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.io.ByteArrayInputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;
import org.junit.jupiter.api.Test;

class OpenAiExceptionMappersTest {

    private final OpenAiExceptionMappers mappers = new OpenAiExceptionMappers();

    private static void assertError(int status, String type, String param, String message,
            RestResponse<ErrorBody> response) {
        assertEquals(status, response.getStatus());
        assertEquals(MediaType.APPLICATION_JSON_TYPE, response.getMediaType());
        assertEquals(new ErrorBody.Detail(message, type, param, null), response.getEntity().error());
    }

    @Test
    void openAiExceptionKeepsItsStatusAndFields() {
        RestResponse<ErrorBody> response = mappers.openAi(OpenAiException.modelNotFound("x"));
        assertEquals(404, response.getStatus());
        assertEquals(new ErrorBody.Detail("The model `x` does not exist.", "invalid_request_error", "model",
                "model_not_found"), response.getEntity().error());
    }

    @Test
    void unknownRoute() {
        assertError(404, "invalid_request_error", null, "Invalid URL (POST /v1/nope)",
                mappers.notFound(new NotFoundException(), request("POST", "/v1/nope", null)));
    }

    @Test
    void wrongMethod() {
        assertError(405, "invalid_request_error", null, "Method GET is not allowed for /v1/chat/completions",
                mappers.notAllowed(new NotAllowedException("POST"), request("GET", "/v1/chat/completions", null)));
    }

    @Test
    void wrongContentType() {
        assertError(415, "invalid_request_error", null,
                "Unsupported content type 'text/plain': send the request body as application/json",
                mappers.notSupported(new NotSupportedException(),
                        request("POST", "/v1/completions", MediaType.TEXT_PLAIN_TYPE)));
    }

    @Test
    void otherClientErrorsUseTheReasonPhrase() {
        assertError(406, "invalid_request_error", null, "Not Acceptable",
                mappers.webApplication(new WebApplicationException(406)));
    }

    @Test
    void serverSideWebApplicationErrorsKeepTheirStatus() {
        assertError(503, "server_error", null, "Service Unavailable",
                mappers.webApplication(new WebApplicationException(503)));
    }

    @Test
    void anythingElseIsAGeneric500() {
        assertError(500, "server_error", null, "The server had an error while processing your request",
                mappers.unexpected(new IllegalStateException("secret internals")));
        assertError(500, "server_error", null, "The server had an error while processing your request",
                mappers.json(InvalidDefinitionException.from((JsonParser) null, "no serializer", (JavaType) null)));
    }

    /**
     * Proves, against quarkus-rest-jackson's own reader, which exception each kind of unreadable body
     * raises, and that our mappers turn each into a readable 400.
     */
    @Test
    void unreadableBodiesAsQuarkusRestJacksonRaisesThem() throws Exception {
        WebApplicationException malformed = assertThrows(WebApplicationException.class,
                () -> readWithQuarkus("{\"model\": "));
        assertEquals(400, malformed.getResponse().getStatus());
        assertInstanceOf(JsonParseException.class, malformed.getCause());
        RestResponse<ErrorBody> response = mappers.webApplication(malformed);
        assertEquals(400, response.getStatus());
        assertFalse(response.getEntity().error().message().contains("java"), response.getEntity().error().message());

        InvalidFormatException wrongType = assertThrows(InvalidFormatException.class,
                () -> readWithQuarkus("{\"max_tokens\":\"ten\"}"));
        assertError(400, "invalid_request_error", "max_tokens", "Invalid type for 'max_tokens': expected an integer",
                mappers.mismatchedInput(wrongType));

        MismatchedInputException badPart = assertThrows(MismatchedInputException.class,
                () -> readWithQuarkus("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"audio\"}]}]}"));
        assertEquals("messages[0].content", mappers.mismatchedInput(badPart).getEntity().error().param());

        assertEquals(null, readWithQuarkus(""), "an empty body is read as null, which RequestValidator rejects");
    }

    private static Object readWithQuarkus(String body) throws Exception {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Object> type = (Class) ChatCompletionRequest.class;
        return new ServerJacksonMessageBodyReader(new Fixed<>(QuarkusLikeJson.MAPPER)).readFrom(type, type,
                new Annotation[0], MediaType.APPLICATION_JSON_TYPE, null,
                new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static ContainerRequestContext request(String method, String path, MediaType mediaType) {
        UriInfo uriInfo = (UriInfo) Proxy.newProxyInstance(UriInfo.class.getClassLoader(),
                new Class<?>[] {UriInfo.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getRequestUri" -> URI.create("http://localhost:8080" + path);
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        return (ContainerRequestContext) Proxy.newProxyInstance(ContainerRequestContext.class.getClassLoader(),
                new Class<?>[] {ContainerRequestContext.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getUriInfo" -> uriInfo;
                    case "getMediaType" -> mediaType;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    /** The one CDI Instance the reader needs: its ObjectMapper. */
    private record Fixed<T>(T value) implements Instance<T> {

        @Override
        public T get() {
            return value;
        }

        @Override
        public Iterator<T> iterator() {
            return List.of(value).iterator();
        }

        @Override
        public Instance<T> select(Annotation... qualifiers) {
            return this;
        }

        @Override
        public <U extends T> Instance<U> select(Class<U> subtype, Annotation... qualifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <U extends T> Instance<U> select(TypeLiteral<U> subtype, Annotation... qualifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isUnsatisfied() {
            return false;
        }

        @Override
        public boolean isAmbiguous() {
            return false;
        }

        @Override
        public void destroy(T instance) {
        }

        @Override
        public Handle<T> getHandle() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Iterable<? extends Handle<T>> handles() {
            throw new UnsupportedOperationException();
        }
    }
}
