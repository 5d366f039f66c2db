package dev.tandem.frontend.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.tandem.frontend.config.FrontendConfig;
import io.quarkus.runtime.Startup;

/**
 * The API keys: with {@code TANDEM_API_KEY} (comma-separated) or {@code TANDEM_API_KEY_FILE} (one key a line) set,
 * every API route ({@code /v1/*}, {@code /tokenize}, {@code /detokenize}, {@code /apply-template}, and any other
 * path the REST layer serves) wants {@code Authorization: Bearer <key>}; only the probes {@code /health} and
 * {@code /live} stay open ({@code /metrics} is served outside the REST layer and is open too). Without keys
 * everything is open.
 *
 * <p>Only SHA-256 digests of the keys are kept; a presented key is hashed and compared with every digest by
 * {@link MessageDigest#isEqual} (constant time), without stopping at a match. Keys are never logged or echoed.
 */
@ApplicationScoped
@Startup // a missing key file fails the start, not the first request
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);

    private final List<byte[]> digests;

    public ApiKeys(FrontendConfig config) {
        List<String> keys = new ArrayList<>();
        config.apiKey().ifPresent(keys::addAll);
        config.apiKeyFile().ifPresent(file -> keys.addAll(read(file)));
        this.digests = keys.stream().map(String::strip).filter(key -> !key.isEmpty())
                .map(ApiKeys::sha256).toList();
        if ((config.apiKey().isPresent() || config.apiKeyFile().isPresent()) && digests.isEmpty()) {
            throw new IllegalStateException("TANDEM_API_KEY / TANDEM_API_KEY_FILE are set but hold no key");
        }
        if (!digests.isEmpty()) {
            LOG.infof("API keys required on the API routes (%d key(s))", digests.size());
        }
    }

    private static List<String> read(String file) {
        try {
            return Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the API key file " + file, e);
        }
    }

    /** Whether any key is configured: without, the API is open. */
    public boolean required() {
        return !digests.isEmpty();
    }

    /** Whether {@code presented} is one of the keys; compares its digest with every key's, in constant time. */
    public boolean matches(String presented) {
        byte[] digest = sha256(presented);
        boolean match = false;
        for (byte[] known : digests) {
            match |= MessageDigest.isEqual(known, digest);
        }
        return match;
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
